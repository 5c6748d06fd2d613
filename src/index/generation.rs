//! Index generations on disk: immutable `gen-NNNNNN` folders, built in a `.building-*` folder, then
//! renamed into place and published by atomically replacing the `CURRENT` pointer file.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::IndexError;

/// Number of one immutable index build; higher is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Generation(pub u64);

impl Generation {
    /// Folder name of the generation, e.g. `gen-000042`.
    pub fn dir_name(self) -> String {
        format!("gen-{:06}", self.0)
    }

    /// Parses a folder name made by [`Generation::dir_name`].
    pub fn parse(name: &str) -> Option<Generation> {
        let digits = name.strip_prefix("gen-")?;
        (digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok().map(Generation))
            .flatten()
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dir_name())
    }
}

/// Counts recorded in a manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Entries indexed.
    pub entries: usize,
    /// Of which articles.
    pub articles: usize,
    /// Of which FAQs.
    pub faqs: usize,
    /// Passages indexed (embedded units).
    pub passages: usize,
    /// Passages whose vectors were computed in this build.
    pub embedded: usize,
    /// Passages whose vectors were reused from the previous generation.
    pub reused: usize,
}

/// `manifest.json` of a generation: what was built, from what, with which model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// This generation.
    pub generation: Generation,
    /// UTC build time (RFC 3339).
    pub created_at: String,
    /// blake3 of the corpus content (entries in id order, origins excluded).
    pub corpus_hash: String,
    /// Embedding model identifier (see [`crate::embed::MODEL_ID`]).
    pub model_id: String,
    /// Text analysis and layout of the lexical index (see [`crate::index::lexical_fingerprint`]); empty in
    /// generations built before it was recorded.
    #[serde(default)]
    pub analysis: String,
    /// Vector dimensions.
    pub dimensions: usize,
    /// Passage token budget used when cutting.
    pub chunk_max_tokens: usize,
    /// Sizes.
    pub counts: Counts,
    /// Wall time of the build in milliseconds.
    pub build_ms: u64,
    /// Version of haipedia that built it.
    pub haipedia_version: String,
    /// What was fitted on this generation before it was published (fusion, and how it scored on
    /// the tuning queries), as the fitting code wrote it; the index stores it without reading it.
    #[serde(default)]
    pub fits: serde_json::Value,
    /// Fingerprint of what the fits were made from (tuning queries); a change rebuilds.
    #[serde(default)]
    pub fit_inputs: String,
}

/// Name of the pointer file naming the current generation.
pub const CURRENT: &str = "CURRENT";
/// Prefix of folders holding a build in progress (never served, removed at start-up).
pub const STAGING_PREFIX: &str = ".building-";

/// The folder that holds all generations and the `CURRENT` pointer.
#[derive(Debug, Clone)]
pub struct IndexRoot {
    dir: PathBuf,
}

impl IndexRoot {
    /// An index root at `dir` (created on the first build).
    pub fn new(dir: impl Into<PathBuf>) -> IndexRoot {
        IndexRoot { dir: dir.into() }
    }

    /// The root folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Folder of a generation.
    pub fn generation_dir(&self, generation: Generation) -> PathBuf {
        self.dir.join(generation.dir_name())
    }

    /// The generation `CURRENT` points at, if any.
    pub fn current(&self) -> Result<Option<Generation>, IndexError> {
        let path = self.dir.join(CURRENT);
        match fs::read_to_string(&path) {
            Ok(text) => {
                Generation::parse(text.trim())
                    .map(Some)
                    .ok_or_else(|| IndexError::Corrupt {
                        path,
                        message: format!("does not name a generation: {:?}", text.trim()),
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(IndexError::Io { path, source }),
        }
    }

    /// Complete generations present on disk, oldest first.
    pub fn generations(&self) -> Result<Vec<Generation>, IndexError> {
        let mut out = Vec::new();
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(source) => {
                return Err(IndexError::Io {
                    path: self.dir.clone(),
                    source,
                })
            }
        };
        for entry in entries.flatten() {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if let Some(g) = entry.file_name().to_str().and_then(Generation::parse) {
                if is_dir {
                    out.push(g);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// The number the next build gets: one past the newest generation on disk.
    pub fn next_generation(&self) -> Result<Generation, IndexError> {
        Ok(Generation(
            self.generations()?.last().map_or(1, |g| g.0 + 1),
        ))
    }

    /// Creates a fresh staging folder for building `generation`.
    pub fn create_staging(&self, generation: Generation) -> Result<PathBuf, IndexError> {
        let path = self.dir.join(format!(
            "{STAGING_PREFIX}{}-{}",
            generation.dir_name(),
            std::process::id()
        ));
        let io = |source| IndexError::Io {
            path: path.clone(),
            source,
        };
        if path.exists() {
            fs::remove_dir_all(&path).map_err(io)?;
        }
        fs::create_dir_all(&path).map_err(io)?;
        Ok(path)
    }

    /// Moves a finished staging folder into place and points `CURRENT` at it.
    pub fn publish(&self, staging: &Path, generation: Generation) -> Result<(), IndexError> {
        let target = self.generation_dir(generation);
        fs::rename(staging, &target).map_err(|source| IndexError::Io {
            path: target.clone(),
            source,
        })?;
        sync_dir(&self.dir);
        self.set_current(generation)
    }

    /// Atomically points `CURRENT` at an existing generation (write a temp file, fsync, rename).
    pub fn set_current(&self, generation: Generation) -> Result<(), IndexError> {
        let tmp = self
            .dir
            .join(format!("{CURRENT}.tmp-{}", std::process::id()));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        writeln!(f, "{}", generation.dir_name()).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        fs::rename(&tmp, self.dir.join(CURRENT)).map_err(io(&tmp))?;
        sync_dir(&self.dir);
        Ok(())
    }

    /// The newest complete generation older than the current one (the rollback target).
    pub fn previous(&self) -> Result<Option<Generation>, IndexError> {
        let Some(current) = self.current()? else {
            return Ok(None);
        };
        Ok(self
            .generations()?
            .into_iter()
            .rfind(|g| *g < current && self.generation_dir(*g).join("manifest.json").is_file()))
    }

    /// Removes all but the `keep` newest generations, never `CURRENT`'s; returns what was removed.
    /// Searches still running on a removed generation keep working: its files stay open.
    pub fn collect_garbage(&self, keep: usize) -> Result<Vec<Generation>, IndexError> {
        let current = self.current()?;
        let all = self.generations()?;
        let cut = all.len().saturating_sub(keep.max(1));
        let mut removed = Vec::new();
        for g in all.into_iter().take(cut).filter(|g| Some(*g) != current) {
            let dir = self.generation_dir(g);
            fs::remove_dir_all(&dir).map_err(|source| IndexError::Io { path: dir, source })?;
            removed.push(g);
        }
        Ok(removed)
    }

    /// Removes staging folders left by builds that died; returns their names.
    pub fn remove_stale_staging(&self) -> Vec<String> {
        let mut removed = Vec::new();
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(STAGING_PREFIX) && fs::remove_dir_all(entry.path()).is_ok() {
                    removed.push(name);
                }
            }
        }
        removed
    }

    /// Reads a generation's manifest.
    pub fn manifest(&self, generation: Generation) -> Result<Manifest, IndexError> {
        read_json(&self.generation_dir(generation).join("manifest.json"))
    }
}

/// Reads and parses a JSON file of a generation.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, IndexError> {
    let bytes = fs::read(path).map_err(|source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| IndexError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Writes a JSON file of a generation being built.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), IndexError> {
    let bytes = serde_json::to_vec(value).map_err(|e| IndexError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    fs::write(path, bytes).map_err(|source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Flushes a directory's entries (renames) to disk; best effort.
fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_staging_is_never_a_generation() {
        assert_eq!(Generation(42).dir_name(), "gen-000042");
        assert_eq!(Generation::parse("gen-000042"), Some(Generation(42)));
        assert_eq!(Generation::parse(".building-gen-000042-7"), None);
        assert_eq!(Generation::parse("gen-42"), None);
    }

    #[test]
    fn publish_switches_current_and_stale_staging_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = IndexRoot::new(tmp.path());
        assert_eq!(root.current().unwrap(), None);
        let g = root.next_generation().unwrap();
        assert_eq!(g, Generation(1));
        let staging = root.create_staging(g).unwrap();
        root.publish(&staging, g).unwrap();
        assert_eq!(root.current().unwrap(), Some(g));
        let half = root.create_staging(Generation(2)).unwrap();
        assert_eq!(root.generations().unwrap(), vec![g]);
        assert_eq!(root.remove_stale_staging().len(), 1);
        assert!(!half.exists());
        assert_eq!(root.next_generation().unwrap(), Generation(2));
    }

    #[test]
    fn rollback_target_and_garbage_collection_spare_current() {
        let tmp = tempfile::tempdir().unwrap();
        let root = IndexRoot::new(tmp.path());
        for g in 1..=4 {
            let staging = root.create_staging(Generation(g)).unwrap();
            fs::write(staging.join("manifest.json"), "{}").unwrap();
            root.publish(&staging, Generation(g)).unwrap();
        }
        assert_eq!(root.previous().unwrap(), Some(Generation(3)));
        root.set_current(Generation(1)).unwrap();
        assert_eq!(root.previous().unwrap(), None);
        assert_eq!(root.collect_garbage(2).unwrap(), vec![Generation(2)]);
        assert_eq!(
            root.generations().unwrap(),
            vec![Generation(1), Generation(3), Generation(4)]
        );
    }
}
