//! Reading corpus files safely: only regular files inside the corpus folder, never through a
//! symbolic link, never a FIFO, socket or device, and never more than a cap per file.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{CorpusError, CorpusErrorKind};

/// The most bytes read from one Markdown or text file (one entry or document). The shipped
/// entries are under 6 KB and the longest OCR'd guide of the evaluation matrix 130 KB; the cap
/// keeps a stray or hostile file from filling memory. Checked before the file is read.
pub const MAX_ENTRY_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// The most bytes read from one JSONL file (entries or menu examples: many a file; the
/// matrix's Wikipedia corpora are 2.5 MB). Checked before the file is read.
pub const MAX_JSONL_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A folder being listed, for what it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Folder {
    /// The corpus folder itself: entries, subfolders and `menus/`.
    Root,
    /// A subfolder: entries and subfolders.
    Entries,
    /// `<corpus>/menus`: menu example files only.
    Menus,
}

impl Folder {
    /// Whether a file of this name is read here.
    fn reads(self, name: &str) -> bool {
        match self {
            Folder::Root | Folder::Entries => {
                name.ends_with(".jsonl") || (name.ends_with(".md") && name != "README.md")
            }
            Folder::Menus => Path::new(name).extension().is_some_and(|e| e == "jsonl"),
        }
    }

    /// What a subfolder of this name is walked as, if it is walked.
    fn walks(self, name: &str) -> Option<Folder> {
        match (self, name) {
            (Folder::Menus, _) | (_, "eval") => None,
            (Folder::Root, "menus") => Some(Folder::Menus),
            (_, "menus") => None,
            _ => Some(Folder::Entries),
        }
    }
}

/// The files of a corpus folder, found without following a symbolic link; sorted.
#[derive(Debug, Default)]
pub(super) struct Listing {
    /// Entry files (`*.md`, `*.jsonl`).
    pub(super) entries: Vec<PathBuf>,
    /// Menu example files (`menus/*.jsonl`).
    pub(super) menus: Vec<PathBuf>,
    /// Links, special files, bad names and unreadable folders met on the way.
    pub(super) errors: Vec<CorpusError>,
}

impl Listing {
    /// Walks `dir` (see [`Corpus::load_dir`] for what is read); only an unreadable `dir` fails.
    pub(super) fn of(dir: &Path) -> Result<Listing, CorpusError> {
        let mut listing = Listing::default();
        let mut pending = vec![(dir.to_path_buf(), Folder::Root)];
        while let Some((folder, kind)) = pending.pop() {
            let items = match fs::read_dir(&folder) {
                Ok(items) => items,
                Err(e) if kind == Folder::Root => return Err(unreadable(&folder, &e)),
                Err(e) => {
                    listing.errors.push(unreadable(&folder, &e));
                    continue;
                }
            };
            for item in items {
                match item {
                    Ok(item) => listing.add(&item, kind, &mut pending),
                    Err(e) => listing.errors.push(unreadable(&folder, &e)),
                }
            }
        }
        listing.entries.sort();
        listing.menus.sort();
        listing
            .errors
            .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        Ok(listing)
    }

    /// Files one folder item if it is read, queues it if it is a folder to walk, reports it if
    /// it would be read but must not be.
    fn add(&mut self, item: &fs::DirEntry, kind: Folder, pending: &mut Vec<(PathBuf, Folder)>) {
        let path = item.path();
        let name = item.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            return;
        }
        let mut report = |kind| {
            self.errors.push(CorpusError {
                path: path.clone(),
                line: 1,
                kind,
            })
        };
        let Some(name) = name.to_str() else {
            report(CorpusErrorKind::BadFileName("is not valid UTF-8"));
            return;
        };
        let file_type = match item.file_type() {
            Ok(t) => t,
            Err(e) => {
                report(CorpusErrorKind::Unreadable(e.to_string()));
                return;
            }
        };
        // a folder to walk (a link to one is never followed: `metadata` only looks at the target)
        let walk = kind.walks(name).filter(|_| {
            if file_type.is_symlink() {
                fs::metadata(&path).is_ok_and(|m| m.is_dir())
            } else {
                file_type.is_dir()
            }
        });
        let read = !file_type.is_dir() && kind.reads(name);
        if walk.is_none() && !read {
            if file_type.is_dir() && kind == Folder::Menus && kind.reads(name) {
                report(CorpusErrorKind::NotRegularFile("a folder"));
            }
            return;
        }
        if name.chars().any(super::error::is_unsafe_char) {
            report(CorpusErrorKind::BadFileName(
                "holds control characters (a newline, a tab, ...)",
            ));
        } else if file_type.is_symlink() {
            report(CorpusErrorKind::SymbolicLink);
        } else if let Some(folder) = walk {
            pending.push((path, folder));
        } else if !file_type.is_file() {
            report(CorpusErrorKind::NotRegularFile(special_kind(&file_type)));
        } else if kind == Folder::Menus {
            self.menus.push(path);
        } else {
            self.entries.push(path);
        }
    }
}

/// An error for a file or folder that could not be read.
fn unreadable(path: &Path, e: &std::io::Error) -> CorpusError {
    CorpusError {
        path: path.to_path_buf(),
        line: 1,
        kind: CorpusErrorKind::Unreadable(e.to_string()),
    }
}

/// What a file that is not a regular one is, for a message.
fn special_kind(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Checks what `meta` describes before (and after) opening: a regular file of at most `max`
/// bytes, or a symbolic link (only when its metadata was not followed).
fn check_file(meta: &fs::Metadata, max: u64) -> Result<(), CorpusErrorKind> {
    let file_type = meta.file_type();
    if file_type.is_symlink() {
        return Err(CorpusErrorKind::SymbolicLink);
    }
    if !file_type.is_file() {
        return Err(CorpusErrorKind::NotRegularFile(special_kind(&file_type)));
    }
    if meta.len() > max {
        return Err(CorpusErrorKind::TooLarge {
            size: meta.len(),
            max,
        });
    }
    Ok(())
}

/// Reads a corpus file's bytes: only a regular file (never a FIFO, socket or device, and a
/// symbolic link only when `follow_links`) of at most `max` bytes, both checked from its
/// metadata before it is opened, again on the opened file (the one read must be the one
/// checked), and by reading at most `max` bytes.
pub(crate) fn read_file(path: &Path, max: u64, follow_links: bool) -> Result<Vec<u8>, CorpusError> {
    let fail = |kind| CorpusError {
        path: path.to_path_buf(),
        line: 1,
        kind,
    };
    let io = |e: std::io::Error| fail(CorpusErrorKind::Unreadable(e.to_string()));
    let before = if follow_links {
        fs::metadata(path)
    } else {
        fs::symlink_metadata(path)
    }
    .map_err(io)?;
    check_file(&before, max).map_err(fail)?;
    let file = fs::File::open(path).map_err(io)?;
    let opened = file.metadata().map_err(io)?;
    check_file(&opened, max).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (before.dev(), before.ino()) != (opened.dev(), opened.ino()) {
            return Err(fail(CorpusErrorKind::Unreadable(
                "the file was replaced while it was opened".to_string(),
            )));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    let size = bytes.len() as u64;
    if size > max {
        return Err(fail(CorpusErrorKind::TooLarge { size, max }));
    }
    Ok(bytes)
}

/// [`read_file`] as UTF-8 text; bytes that are not UTF-8 are reported at their line.
pub(crate) fn read_text(path: &Path, max: u64, follow_links: bool) -> Result<String, CorpusError> {
    let bytes = read_file(path, max, follow_links)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        CorpusError {
            path: path.to_path_buf(),
            line: 1 + valid.iter().filter(|&&b| b == b'\n').count(),
            kind: CorpusErrorKind::Unreadable("stream did not contain valid UTF-8".to_string()),
        }
    })
}
