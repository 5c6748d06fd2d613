//! What the builder publishes: a generation's files, each with its size and blake3 hash, listed
//! once per generation (a generation never changes after it is published).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ClusterError;
use crate::index::{Generation, IndexRoot};

/// One file of a generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FileEntry {
    /// Path inside the generation folder, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// blake3 of the content, hex.
    pub blake3: String,
}

/// A generation and its files, as readers fetch them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Listing {
    /// The generation the builder serves.
    pub generation: u64,
    /// Its files, by path.
    pub files: Vec<FileEntry>,
}

/// Whether `path` stays inside a folder: relative, no `..`, `.` or empty part, no backslash.
pub fn safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The files of generation `generation` under `root`, hashed.
pub fn listing_of(root: &IndexRoot, generation: Generation) -> Result<Listing, ClusterError> {
    let dir = root.generation_dir(generation);
    let mut files = Vec::new();
    walk(&dir, &dir, &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Listing {
        generation: generation.0,
        files,
    })
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ClusterError + '_ {
    move |source| ClusterError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<FileEntry>) -> Result<(), ClusterError> {
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if entry.file_type().map_err(io(&path))?.is_dir() {
            walk(base, &path, out)?;
            continue;
        }
        let relative = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let mut hasher = blake3::Hasher::new();
        let mut file = fs::File::open(&path).map_err(io(&path))?;
        let mut buf = vec![0u8; 1 << 16];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(io(&path))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        out.push(FileEntry {
            path: relative,
            size,
            blake3: hasher.finalize().to_hex().to_string(),
        });
    }
    Ok(())
}

/// The builder's side: the listing of the served generation, computed once per generation.
#[derive(Debug)]
pub struct Published {
    root: IndexRoot,
    cache: Mutex<Option<Arc<Listing>>>,
}

impl Published {
    /// Listings of the generations under `root`.
    pub fn new(root: IndexRoot) -> Published {
        Published {
            root,
            cache: Mutex::new(None),
        }
    }

    /// The listing of `generation` (cached while it is the one asked for).
    pub fn listing(&self, generation: Generation) -> Result<Arc<Listing>, ClusterError> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = cache.as_ref().filter(|l| l.generation == generation.0) {
            return Ok(l.clone());
        }
        let listing = Arc::new(listing_of(&self.root, generation)?);
        *cache = Some(listing.clone());
        Ok(listing)
    }

    /// The file at `path` of `generation`, if the listing has it.
    pub fn file(
        &self,
        generation: Generation,
        path: &str,
    ) -> Result<Option<PathBuf>, ClusterError> {
        if !safe_relative(path) {
            return Ok(None);
        }
        let listing = self.listing(generation)?;
        Ok(listing
            .files
            .iter()
            .any(|f| f.path == path)
            .then(|| self.root.generation_dir(generation).join(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_and_listings_hash_every_file() {
        for ok in ["manifest.json", "lexical/meta.json", "a/b/c.bin"] {
            assert!(safe_relative(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
        ] {
            assert!(!safe_relative(bad), "{bad}");
        }
        let tmp = tempfile::tempdir().unwrap();
        let root = IndexRoot::new(tmp.path());
        let dir = root.generation_dir(Generation(3));
        fs::create_dir_all(dir.join("lexical")).unwrap();
        fs::write(dir.join("manifest.json"), "{}").unwrap();
        fs::write(dir.join("lexical/seg"), b"abc").unwrap();
        let published = Published::new(root);
        let l = published.listing(Generation(3)).unwrap();
        assert_eq!(l.generation, 3);
        assert_eq!(
            l.files
                .iter()
                .map(|f| (f.path.as_str(), f.size))
                .collect::<Vec<_>>(),
            vec![("lexical/seg", 3), ("manifest.json", 2)]
        );
        assert_eq!(l.files[0].blake3, blake3::hash(b"abc").to_hex().to_string());
        assert!(published
            .file(Generation(3), "lexical/seg")
            .unwrap()
            .is_some());
        assert!(published
            .file(Generation(3), "../CURRENT")
            .unwrap()
            .is_none());
        assert!(published.file(Generation(3), "missing").unwrap().is_none());
    }
}
