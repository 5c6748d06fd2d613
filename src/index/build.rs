//! Building a generation: cut passages, reuse or compute their vectors, write both indexes and the
//! manifest into a staging folder, then publish it atomically.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::generation::{read_json, write_json};
use super::lexical::{self, LexicalDoc};
use super::vector::{self, VectorIndex};
use super::{Counts, IndexError, IndexGeneration, IndexRoot, Manifest, MenuVector, PassageRecord};
use crate::corpus::{chunk_entry, Corpus, EntryType, Passage};
use crate::embed::{Embedder, DIMENSIONS, MODEL_ID};

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Passage token budget (see [`crate::config::ChunkConfig`]).
    pub max_tokens: usize,
    /// Passages per embedding call.
    pub batch_size: usize,
    /// Build even when the current generation already has this exact corpus and settings.
    pub force: bool,
    /// Fingerprint of the inputs of the fits (see [`build_and_fit`]): a change rebuilds.
    pub fit_inputs: String,
    /// Vectors known before the build for some passages, used instead of embedding them.
    pub known_vectors: Option<KnownVectors>,
}

/// A source of passage vectors computed elsewhere (by entry id and position): what the scale
/// benchmark fills a 100,000-passage corpus with. Editors' builds have none and embed every new
/// passage; a vector of the wrong length is not used.
#[derive(Clone)]
pub struct KnownVectors(pub Arc<PassageVector>);

/// The vector known for a passage, if any.
pub type PassageVector = dyn Fn(&Passage) -> Option<Vec<f32>> + Send + Sync;

impl std::fmt::Debug for KnownVectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KnownVectors")
    }
}

impl BuildOptions {
    /// The configured chunking and batching; `force` rebuilds an unchanged corpus.
    pub fn from_config(config: &crate::config::Config, force: bool) -> BuildOptions {
        BuildOptions {
            max_tokens: config.chunk.max_tokens,
            batch_size: config.embed.batch_size,
            force,
            fit_inputs: String::new(),
            known_vectors: None,
        }
    }
}

/// Where a build is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildStage {
    /// Passages cut: how many, and how many need new vectors.
    Chunked {
        /// All passages.
        passages: usize,
        /// Passages without a reusable vector.
        to_embed: usize,
    },
    /// Vectors computed so far out of `to_embed`.
    Embedding {
        /// Done so far.
        done: usize,
        /// To do in all.
        total: usize,
    },
    /// Writing indexes.
    Writing,
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The current generation's manifest after the build.
    pub manifest: Manifest,
    /// Its folder.
    pub dir: PathBuf,
    /// True when nothing was built: the current generation already had this corpus and settings.
    pub unchanged: bool,
}

/// Fits made on a staged generation before it is published (fusion, calibration): what the closure
/// returns goes into the manifest's `fits`; the index never interprets it.
pub type Fit<'a> = &'a (dyn Fn(&IndexGeneration) -> Result<serde_json::Value, IndexError> + Sync);

/// Builds a new generation of `corpus` under `root` and makes it current. On failure the previous
/// generation stays current and the partial build is removed.
pub fn build(
    corpus: &Corpus,
    embedder: &Embedder,
    root: &IndexRoot,
    options: &BuildOptions,
    progress: &(dyn Fn(BuildStage) + Sync),
) -> Result<BuildReport, IndexError> {
    build_and_fit(corpus, embedder, root, options, progress, &|_| {
        Ok(serde_json::Value::Null)
    })
}

/// [`build`], with `fit` run on the staged generation (opened for searching) before it is published;
/// a failing fit fails the build and the previous generation stays current.
pub fn build_and_fit(
    corpus: &Corpus,
    embedder: &Embedder,
    root: &IndexRoot,
    options: &BuildOptions,
    progress: &(dyn Fn(BuildStage) + Sync),
    fit: Fit<'_>,
) -> Result<BuildReport, IndexError> {
    let started = Instant::now();
    fs::create_dir_all(root.dir()).map_err(|source| IndexError::Io {
        path: root.dir().to_path_buf(),
        source,
    })?;
    // one build at a time per index folder; the OS releases the lock if the process dies
    let lock_path = root.dir().join(".build.lock");
    let lock = fs::File::create(&lock_path).map_err(|source| IndexError::Io {
        path: lock_path.clone(),
        source,
    })?;
    lock.try_lock().map_err(|e| match e {
        fs::TryLockError::WouldBlock => IndexError::BuildInProgress(root.dir().to_path_buf()),
        fs::TryLockError::Error(source) => IndexError::Io {
            path: lock_path.clone(),
            source,
        },
    })?;
    let corpus_hash = corpus_hash(corpus);
    if !options.force {
        if let Some(current) = root.current()? {
            let manifest = root.manifest(current)?;
            if manifest.corpus_hash == corpus_hash
                && manifest.model_id == MODEL_ID
                && manifest.analysis == lexical::fingerprint()
                && manifest.chunk_max_tokens == options.max_tokens
                && manifest.fit_inputs == options.fit_inputs
            {
                return Ok(BuildReport {
                    dir: root.generation_dir(current),
                    manifest,
                    unchanged: true,
                });
            }
        }
    }
    let generation = root.next_generation()?;

    // 1. passages, with the hash that keys their vector
    let passages: Vec<(usize, Passage)> = corpus
        .entries
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            chunk_entry(e, embedder, options.max_tokens)
                .into_iter()
                .map(move |p| (i, p))
        })
        .collect();
    let records: Vec<PassageRecord> = passages
        .par_iter()
        .map(|(i, p)| {
            let text = p.embedding_text(&corpus.entries[*i].title);
            PassageRecord {
                entry: p.entry.clone(),
                ordinal: p.ordinal,
                heading: p.heading.clone(),
                text: p.text.clone(),
                hash: passage_hash(&text),
            }
        })
        .collect();

    // 2. vectors: reuse the current generation's where the text is unchanged, or known ones
    let mut previous = previous_vectors(root);
    if let Some(KnownVectors(known)) = &options.known_vectors {
        for ((_, p), r) in passages.iter().zip(&records) {
            if let Some(v) = known(p).filter(|v| v.len() == DIMENSIONS) {
                previous.insert(r.hash.clone(), v);
            }
        }
    }
    let missing: Vec<usize> = (0..records.len())
        .filter(|&i| !previous.contains_key(&records[i].hash))
        .collect();
    progress(BuildStage::Chunked {
        passages: records.len(),
        to_embed: missing.len(),
    });
    let texts: Vec<String> = missing
        .iter()
        .map(|&i| {
            passages[i]
                .1
                .embedding_text(&corpus.entries[passages[i].0].title)
        })
        .collect();
    let total = texts.len();
    let fresh = embedder.embed_passages(&texts, options.batch_size, &|done| {
        progress(BuildStage::Embedding { done, total })
    })?;
    let fresh: HashMap<&str, &Vec<f32>> = missing
        .iter()
        .map(|&i| records[i].hash.as_str())
        .zip(fresh.iter())
        .collect();
    let vectors: Vec<Vec<f32>> = records
        .iter()
        .map(|r| {
            fresh
                .get(r.hash.as_str())
                .map(|v| v.to_vec())
                .or_else(|| previous.get(&r.hash).cloned())
                .unwrap_or_default()
        })
        .collect();

    let menus = menu_vectors(corpus, embedder, root)?;

    // 3. write everything into a staging folder, then publish
    progress(BuildStage::Writing);
    let staging = root.create_staging(generation)?;
    let result = (|| {
        write_generation(corpus, &records, &vectors, &staging)?;
        write_json(&staging.join(super::MENUS_FILE), &menus)?;
        let counts = Counts {
            entries: corpus.len(),
            articles: count_kind(corpus, EntryType::Article),
            faqs: count_kind(corpus, EntryType::Faq),
            passages: records.len(),
            embedded: total,
            reused: records.len() - total,
        };
        let mut manifest = Manifest {
            generation,
            created_at: now_rfc3339(),
            corpus_hash,
            model_id: MODEL_ID.to_string(),
            analysis: lexical::fingerprint(),
            dimensions: DIMENSIONS,
            chunk_max_tokens: options.max_tokens,
            counts,
            build_ms: started.elapsed().as_millis() as u64,
            haipedia_version: env!("CARGO_PKG_VERSION").to_string(),
            fits: serde_json::Value::Null,
            fit_inputs: options.fit_inputs.clone(),
        };
        // staged with a first manifest so the fits can search it; never served before `publish`
        write_json(&staging.join("manifest.json"), &manifest)?;
        manifest.fits = fit(&IndexGeneration::open_dir(&staging)?)?;
        manifest.build_ms = started.elapsed().as_millis() as u64;
        write_json(&staging.join("manifest.json"), &manifest)?;
        root.publish(&staging, generation)?;
        Ok(manifest)
    })();
    match result {
        Ok(manifest) => Ok(BuildReport {
            dir: root.generation_dir(generation),
            manifest,
            unchanged: false,
        }),
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

fn write_generation(
    corpus: &Corpus,
    records: &[PassageRecord],
    vectors: &[Vec<f32>],
    dir: &std::path::Path,
) -> Result<(), IndexError> {
    let by_id: HashMap<&str, usize> = corpus
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.0.as_str(), i))
        .collect();
    let docs: Vec<LexicalDoc<'_>> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let entry = &corpus.entries[by_id[r.entry.0.as_str()]];
            LexicalDoc {
                passage: i as u64,
                title: &entry.title,
                body: match &r.heading {
                    Some(h) => format!("{}\n{h}\n{}", entry.title, r.text),
                    None => format!("{}\n{}", entry.title, r.text),
                },
                tags: entry.tags.join(", "),
            }
        })
        .collect();
    let lexical_dir = dir.join("lexical");
    fs::create_dir_all(&lexical_dir).map_err(|source| IndexError::Io {
        path: lexical_dir.clone(),
        source,
    })?;
    lexical::write(&lexical_dir, &docs)?;
    VectorIndex::build(DIMENSIONS, vectors).save(dir)?;
    write_json(&dir.join("entries.json"), &corpus.entries)?;
    write_json(&dir.join("passages.json"), &records)?;
    Ok(())
}

/// The corpus's menu examples with their query vectors, reusing the current generation's where the
/// text is unchanged (a few hundred short messages: embedded in one batch).
fn menu_vectors(
    corpus: &Corpus,
    embedder: &Embedder,
    root: &IndexRoot,
) -> Result<Vec<MenuVector>, IndexError> {
    let previous: HashMap<String, Vec<f32>> = root
        .current()
        .ok()
        .flatten()
        .filter(|g| root.manifest(*g).is_ok_and(|m| m.model_id == MODEL_ID))
        .and_then(|g| {
            read_json::<Vec<MenuVector>>(&root.generation_dir(g).join(super::MENUS_FILE)).ok()
        })
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.text, m.vector))
        .collect();
    let missing: Vec<String> = corpus
        .menu_examples
        .iter()
        .filter(|m| !previous.contains_key(&m.text))
        .map(|m| m.text.clone())
        .collect();
    let fresh: HashMap<String, Vec<f32>> = missing
        .iter()
        .cloned()
        .zip(embedder.embed_queries(&missing)?)
        .collect();
    Ok(corpus
        .menu_examples
        .iter()
        .map(|m| MenuVector {
            menu: m.menu,
            text: m.text.clone(),
            vector: fresh
                .get(&m.text)
                .or_else(|| previous.get(&m.text))
                .cloned()
                .unwrap_or_default(),
        })
        .collect())
}

/// Vectors of the current generation by passage hash, when it was built with the same model.
fn previous_vectors(root: &IndexRoot) -> HashMap<String, Vec<f32>> {
    let load = || -> Result<HashMap<String, Vec<f32>>, IndexError> {
        let Some(current) = root.current()? else {
            return Ok(HashMap::new());
        };
        let manifest = root.manifest(current)?;
        if manifest.model_id != MODEL_ID || manifest.dimensions != DIMENSIONS {
            return Ok(HashMap::new());
        }
        let dir = root.generation_dir(current);
        let records: Vec<PassageRecord> = read_json(&dir.join("passages.json"))?;
        let flat = vector::read_vectors(&dir, DIMENSIONS, records.len())?;
        Ok(records
            .into_iter()
            .zip(flat.chunks_exact(DIMENSIONS))
            .map(|(r, v)| (r.hash, v.to_vec()))
            .collect())
    };
    // a damaged previous generation only means everything is embedded again
    load().unwrap_or_default()
}

/// Key of a passage's vector: the model and the exact text it embeds.
fn passage_hash(text: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(MODEL_ID.as_bytes());
    h.update(b"\n");
    h.update(text.as_bytes());
    h.finalize().to_hex().to_string()
}

/// blake3 of the corpus content, independent of file locations.
fn corpus_hash(corpus: &Corpus) -> String {
    let mut h = blake3::Hasher::new();
    for e in &corpus.entries {
        let content = (
            &e.id,
            &e.title,
            e.kind,
            &e.category,
            &e.tags,
            &e.questions,
            &e.updated,
            &e.action,
            &e.body,
        );
        // serialising plain data cannot fail
        h.update(
            serde_json::to_string(&content)
                .unwrap_or_default()
                .as_bytes(),
        );
        h.update(b"\n");
    }
    for m in &corpus.menu_examples {
        h.update(format!("menu {} {}\n", m.menu, m.text).as_bytes());
    }
    h.finalize().to_hex().to_string()
}

fn count_kind(corpus: &Corpus, kind: EntryType) -> usize {
    corpus.entries.iter().filter(|e| e.kind == kind).count()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
