//! Index generations: build one immutable folder (tantivy + HNSW + manifest) per corpus version and
//! open the current one for searching.

mod build;
mod generation;
mod lexical;
mod menu_model;
mod vector;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use build::{build, build_and_fit, BuildOptions, BuildReport, BuildStage, Fit, KnownVectors};
pub use generation::{Counts, Generation, IndexRoot, Manifest, CURRENT, STAGING_PREFIX};
pub use lexical::{fingerprint as lexical_fingerprint, LexicalIndex};
pub use menu_model::MenuModel;
pub use vector::VectorIndex;

use crate::corpus::{Entry, EntryId};
use generation::read_json;

/// What can go wrong building or opening an index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A generation file is not what it should be.
    #[error("{path}: corrupt index file: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// tantivy failed.
    #[error("lexical index {path}: {message}")]
    Lexical {
        /// The index folder.
        path: PathBuf,
        /// tantivy's message.
        message: String,
    },
    /// The vector graph could not be written or read.
    #[error("vector index {path}: {message}")]
    Vector {
        /// The index folder.
        path: PathBuf,
        /// hnsw_rs's message.
        message: String,
    },
    /// Fitting the staged generation (fusion, calibration) failed.
    #[error("fitting the new generation failed: {0}")]
    Fit(String),
    /// Another build holds the index folder's lock.
    #[error("another build is running in {0}")]
    BuildInProgress(PathBuf),
    /// No generation has been built yet.
    #[error("no index in {0}: run `haipedia index` first")]
    NoIndex(PathBuf),
    /// The corpus is invalid.
    #[error(transparent)]
    Corpus(#[from] crate::corpus::CorpusErrors),
    /// The embedding model failed.
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
    /// The generation was built with another embedding model than the one loaded.
    #[error(
        "generation {generation} was built with model {built}, but {loaded} is loaded: reindex"
    )]
    ModelMismatch {
        /// The generation.
        generation: Generation,
        /// Model id in its manifest.
        built: String,
        /// Model id of the running embedder.
        loaded: String,
    },
}

/// One passage as stored in a generation (`passages.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageRecord {
    /// Entry it belongs to.
    pub entry: EntryId,
    /// Position in the entry.
    pub ordinal: u32,
    /// Section heading.
    pub heading: Option<String>,
    /// Passage text.
    pub text: String,
    /// blake3 of model id + embedded text: the key for reusing its vector.
    pub hash: String,
}

/// File of a generation's embedded menu examples.
const MENUS_FILE: &str = "menus.json";

/// A menu example with its query vector (`menus.json`): what routing compares a message with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MenuVector {
    /// Bot menu number, or 0 for a question an article answers.
    pub menu: u8,
    /// The example message.
    pub text: String,
    /// Its embedding as a query (unit length).
    pub vector: Vec<f32>,
}

/// A generation opened for searching: entries, passages, lexical and vector indexes.
pub struct IndexGeneration {
    /// Which generation this is.
    pub manifest: Manifest,
    /// Entries, sorted by id.
    pub entries: Vec<Entry>,
    /// Passages in index order.
    pub passages: Vec<PassageRecord>,
    /// Entry position by id.
    by_id: HashMap<EntryId, usize>,
    /// Entry position of each passage.
    passage_entry: Vec<usize>,
    /// Passages of each entry (by entry position), in index order.
    entry_passages: Vec<Vec<usize>>,
    /// BM25 index.
    pub lexical: LexicalIndex,
    /// Vector index.
    pub vectors: VectorIndex,
    /// The corpus's menu examples, embedded (empty for generations built before they existed).
    pub menu_examples: Vec<MenuVector>,
    /// The menu model fitted on `menu_examples`, the first time a message is routed.
    menu_model: OnceLock<Option<MenuModel>>,
}

impl IndexGeneration {
    /// Opens the generation `CURRENT` points at.
    pub fn open_current(root: &IndexRoot) -> Result<IndexGeneration, IndexError> {
        let generation = root
            .current()?
            .ok_or_else(|| IndexError::NoIndex(root.dir().to_path_buf()))?;
        IndexGeneration::open(root, generation)
    }

    /// Opens one generation.
    pub fn open(root: &IndexRoot, generation: Generation) -> Result<IndexGeneration, IndexError> {
        IndexGeneration::open_dir(&root.generation_dir(generation))
    }

    /// Opens the generation in `dir` (published, or staged with its manifest written).
    pub fn open_dir(dir: &std::path::Path) -> Result<IndexGeneration, IndexError> {
        let manifest: Manifest = read_json(&dir.join("manifest.json"))?;
        let entries: Vec<Entry> = read_json(&dir.join("entries.json"))?;
        let passages: Vec<PassageRecord> = read_json(&dir.join("passages.json"))?;
        let by_id: HashMap<EntryId, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let passage_entry = passages
            .iter()
            .map(|p| {
                by_id
                    .get(&p.entry)
                    .copied()
                    .ok_or_else(|| IndexError::Corrupt {
                        path: dir.join("passages.json"),
                        message: format!("passage of unknown entry {}", p.entry),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let lexical = LexicalIndex::open(&dir.join("lexical"))?;
        let vectors = VectorIndex::open(dir, manifest.dimensions, passages.len())?;
        let menus = dir.join(MENUS_FILE);
        let menu_examples = if menus.exists() {
            read_json(&menus)?
        } else {
            Vec::new()
        };
        let mut entry_passages = vec![Vec::new(); entries.len()];
        for (p, &e) in passage_entry.iter().enumerate() {
            entry_passages[e].push(p);
        }
        Ok(IndexGeneration {
            manifest,
            entries,
            passages,
            by_id,
            passage_entry,
            entry_passages,
            lexical,
            vectors,
            menu_examples,
            menu_model: OnceLock::new(),
        })
    }

    /// The menu model of this generation's examples (fitted once: 0.4 s for the
    /// project's 533 examples); `None` when they name fewer than two menus.
    pub fn menu_model(&self) -> Option<&MenuModel> {
        self.menu_model
            .get_or_init(|| MenuModel::fit(&self.menu_examples))
            .as_ref()
    }

    /// The generation number.
    pub fn generation(&self) -> Generation {
        self.manifest.generation
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.by_id
            .get(&EntryId(id.to_string()))
            .map(|&i| &self.entries[i])
    }

    /// Entry position (in [`IndexGeneration::entries`]) of passage `p`.
    pub fn entry_of_passage(&self, p: usize) -> usize {
        self.passage_entry[p]
    }

    /// The passages of the entry with this id (none for an unknown id).
    pub fn passages_of(&self, id: &EntryId) -> &[usize] {
        self.by_id
            .get(id)
            .and_then(|&e| self.entry_passages.get(e))
            .map_or(&[], Vec::as_slice)
    }
}
