//! Past one machine: one builder, many readers.
//!
//! Builds (admin reindex, watch, publish) run on the node configured as the builder
//! (`[cluster] role = "builder"`); readers (`role = "reader"`, `builder = "http://..."`) refuse
//! them and follow the builder instead, as Solr followers follow a leader's index: they poll the
//! builder's current generation and its file list with each file's size and blake3 hash
//! (`files.rs`), download what they lack into a staging folder, check every file against the
//! list, publish it in their own index folder, open it and switch atomically, then drop old
//! generations (`follower.rs`). A reader that cannot fetch keeps serving what it has.
//!
//! The role is configured rather than taken through a PostgreSQL advisory lock: generations are
//! built from the corpus folder, which lives on one machine, and a lock that lapses when the
//! store restarts would let a second node build from a corpus it does not have.

mod files;
mod follower;

use serde::{Deserialize, Serialize};

pub use files::{listing_of, safe_relative, FileEntry, Listing, Published};
pub use follower::{fetch_generation, Follower, FollowerStatus};

/// What a node does in a cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// One machine: builds and serves (the default).
    #[default]
    Single,
    /// Builds and publishes generations; serves them to readers too.
    Builder,
    /// Serves what the builder published; builds nothing.
    Reader,
}

impl Role {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Single => "single",
            Role::Builder => "builder",
            Role::Reader => "reader",
        }
    }

    /// Parses `single` / `builder` / `reader`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "single" => Some(Role::Single),
            "builder" => Some(Role::Builder),
            "reader" => Some(Role::Reader),
            _ => None,
        }
    }
}

/// Following the builder failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The builder did not answer, or not with what was asked.
    #[error("{url}: {message}")]
    Http {
        /// What was asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A downloaded file is not the one listed.
    #[error("{path}: expected {expected}, got {got} (the download is discarded)")]
    Mismatch {
        /// The file in the generation.
        path: String,
        /// Size and hash listed.
        expected: String,
        /// Size and hash received.
        got: String,
    },
    /// The builder listed a path outside the generation folder.
    #[error("the builder listed an unsafe path {0:?}")]
    UnsafePath(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The index folder or the fetched generation failed.
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}
