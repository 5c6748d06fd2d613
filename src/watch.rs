//! Watching the corpus folder for editors' changes: a cheap fingerprint of file names, sizes and
//! modification times, polled; a change that has stayed still for the debounce time fires once.
//!
//! Polling (rather than inotify) works the same on every file system, including network mounts and
//! editors that save by rename; for a corpus of hundreds of files a poll costs well under a millisecond.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::{Duration, Instant};

/// A summary of a folder tree: changes when a file is added, removed, resized or touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(u64);

impl Fingerprint {
    /// The fingerprint of every file under `dir` (hidden files and folders skipped).
    pub fn of(dir: &Path) -> std::io::Result<Fingerprint> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        files.sort();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        files.hash(&mut hasher);
        Ok(Fingerprint(hasher.finish()))
    }
}

/// (relative path, size, modification time in ns since the epoch)
type FileStamp = (String, u64, u128);

fn collect(root: &Path, dir: &Path, out: &mut Vec<FileStamp>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let meta = entry.metadata()?;
        let path = entry.path();
        if meta.is_dir() {
            collect(root, &path, out)?;
        } else {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            out.push((name, meta.len(), modified));
        }
    }
    Ok(())
}

/// Turns a stream of fingerprints into "rebuild now" signals: a new fingerprint must stay unchanged
/// for `debounce` before it fires, and each fingerprint fires at most once.
#[derive(Debug)]
pub struct Debouncer {
    debounce: Duration,
    /// The fingerprint last acted on (the one the index was built from, as far as we know).
    settled: Option<Fingerprint>,
    /// A newer fingerprint and when it was first seen.
    pending: Option<(Fingerprint, Instant)>,
}

impl Debouncer {
    /// A debouncer that treats `current` as already built.
    pub fn new(current: Option<Fingerprint>, debounce: Duration) -> Debouncer {
        Debouncer {
            debounce,
            settled: current,
            pending: None,
        }
    }

    /// Feeds the fingerprint seen at `now`; returns true when a rebuild should start.
    pub fn observe(&mut self, seen: Fingerprint, now: Instant) -> bool {
        if Some(seen) == self.settled {
            self.pending = None;
            return false;
        }
        match self.pending {
            Some((p, since)) if p == seen => now.duration_since(since) >= self.debounce,
            _ => {
                self.pending = Some((seen, now));
                self.debounce.is_zero()
            }
        }
    }

    /// Marks the pending fingerprint as acted on (call when the rebuild was started).
    pub fn started(&mut self) {
        if let Some((p, _)) = self.pending.take() {
            self.settled = Some(p);
        }
    }
}

/// Polls `dir` until the process ends, calling `rebuild` after each settled change; `rebuild` returns
/// false when it could not start (a build is running), and is then asked again on the next poll.
pub fn watch(dir: &Path, debounce: Duration, mut rebuild: impl FnMut() -> bool) {
    let poll = (debounce / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let mut debouncer = Debouncer::new(Fingerprint::of(dir).ok(), debounce);
    loop {
        std::thread::sleep(poll);
        match Fingerprint::of(dir) {
            Ok(seen) => {
                if debouncer.observe(seen, Instant::now()) && rebuild() {
                    debouncer.started();
                }
            }
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "cannot read the corpus folder")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_content_and_names_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bot")).unwrap();
        std::fs::write(dir.path().join("bot/a.md"), "satu").unwrap();
        let first = Fingerprint::of(dir.path()).unwrap();
        assert_eq!(first, Fingerprint::of(dir.path()).unwrap());
        std::fs::write(dir.path().join(".swp"), "editor scratch").unwrap();
        assert_eq!(
            first,
            Fingerprint::of(dir.path()).unwrap(),
            "hidden files ignored"
        );
        std::fs::write(dir.path().join("bot/a.md"), "satu dua").unwrap();
        let second = Fingerprint::of(dir.path()).unwrap();
        assert_ne!(first, second);
        std::fs::rename(dir.path().join("bot/a.md"), dir.path().join("bot/b.md")).unwrap();
        assert_ne!(second, Fingerprint::of(dir.path()).unwrap());
    }

    #[test]
    fn a_change_fires_once_after_it_settles() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut d = Debouncer::new(Some(Fingerprint(1)), ms(500));
        assert!(!d.observe(Fingerprint(1), t0), "unchanged");
        assert!(!d.observe(Fingerprint(2), t0), "new, not settled");
        assert!(!d.observe(Fingerprint(3), t0 + ms(400)), "still changing");
        assert!(!d.observe(Fingerprint(3), t0 + ms(800)), "settling");
        assert!(d.observe(Fingerprint(3), t0 + ms(900)), "settled");
        assert!(
            d.observe(Fingerprint(3), t0 + ms(1000)),
            "asks again until started"
        );
        d.started();
        assert!(!d.observe(Fingerprint(3), t0 + ms(2000)), "fires once");
        assert!(
            !d.observe(Fingerprint(1), t0 + ms(2100)),
            "a revert is a change"
        );
        assert!(d.observe(Fingerprint(1), t0 + ms(2600)));
    }
}
