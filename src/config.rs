//! Configuration: one place, a TOML file plus `HAIPEDIA_*` environment overrides, documented defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::retrieve::Fusion;

/// Everything tunable about the service, with the defaults documented in the README.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where things live on disk.
    pub paths: Paths,
    /// How passages are cut for the embedding model.
    pub chunk: ChunkConfig,
    /// How the embedding model runs.
    pub embed: EmbedConfig,
    /// How lexical and vector candidates are gathered and fused.
    pub retrieve: RetrieveConfig,
    /// Confidence model and decision thresholds.
    pub answer: AnswerConfig,
    /// HTTP server.
    pub server: ServerConfig,
    /// Editors' access: named tokens and roles, entry saves.
    pub admin: AdminConfig,
    /// Where questions, feedback, gaps, drafts and the change log are kept.
    pub store: StoreConfig,
    /// This node's part in a cluster (none: one machine).
    pub cluster: ClusterConfig,
}

/// One builder, many readers (see `crate::cluster`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// `single` (default: builds and serves), `builder` or `reader` (env `HAIPEDIA_CLUSTER_ROLE`).
    pub role: crate::cluster::Role,
    /// The builder's address, for readers: `http://host:port` (env `HAIPEDIA_CLUSTER_BUILDER`).
    pub builder: Option<String>,
    /// How often readers ask the builder for a new generation, in milliseconds.
    pub poll_ms: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            role: crate::cluster::Role::Single,
            builder: None,
            poll_ms: 1000,
        }
    }
}

/// The store: SQLite at `server.database` unless a PostgreSQL URL is given (the nodes of a
/// cluster share one).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `postgres://user:password@host:port/database`; none (the default) = the SQLite file
    /// `server.database` (env `HAIPEDIA_STORE_URL`).
    pub url: Option<String>,
}

impl Config {
    /// Where the store is, as configured.
    pub fn store_location(&self) -> Result<crate::store::Location, crate::store::StoreError> {
        crate::store::Location::of(self.store.url.as_deref(), &self.server.database)
    }
}

/// What an editors' token may do; each role may do all a lower one may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Entries, the gap list, publishing (reindex) and the change log.
    Editor,
    /// Also rollback and undo.
    Admin,
}

impl Role {
    /// Parses `editor` / `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// One named token, stored as the sha256 of the token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Who holds it (recorded with each change).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// sha256 of the token, 64 hex digits (`printf %s "$TOKEN" | sha256sum`).
    pub sha256: String,
}

/// Editors' access and entry saves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// Named tokens (`[[admin.tokens]]`; env `HAIPEDIA_TOKENS="name:role:sha256,..."` adds more).
    /// `server.admin_token` (env `HAIPEDIA_ADMIN_TOKEN`) is one more, an admin named "admin".
    pub tokens: Vec<TokenConfig>,
    /// Largest request body of an entry save, in bytes.
    pub max_entry_bytes: usize,
    /// Largest document uploaded for import on the editors' page, in bytes.
    pub max_import_bytes: usize,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            tokens: Vec::new(),
            max_entry_bytes: 512 * 1024,
            max_import_bytes: 20 * 1024 * 1024,
        }
    }
}

/// Tokens written `name:role:sha256`, separated by commas; malformed ones are skipped with a
/// warning (never echoed: the text may hold a secret).
fn parse_tokens(text: &str) -> Vec<TokenConfig> {
    text.split(',')
        .filter(|t| !t.trim().is_empty())
        .filter_map(|t| {
            let mut parts = t.trim().splitn(3, ':');
            let (name, role, sha256) = (parts.next()?, parts.next(), parts.next());
            let token = role
                .and_then(Role::parse)
                .zip(sha256)
                .map(|(role, sha256)| TokenConfig {
                    name: name.trim().to_string(),
                    role,
                    sha256: sha256.trim().to_ascii_lowercase(),
                });
            if token.is_none() {
                tracing::warn!("HAIPEDIA_TOKENS: an item is not name:role:sha256; skipped");
            }
            token
        })
        .collect()
}

/// Decision policy of `/v1/answer`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerConfig {
    /// Calibration file (fitted by `haipedia calibrate`).
    pub calibration: PathBuf,
    /// Answer directly at or above this confidence.
    pub answer_at: f64,
    /// Offer choices at or above this confidence (below: escalate to a ticket).
    pub clarify_at: f64,
    /// Choices offered when clarifying.
    pub suggestions: usize,
    /// When a message is close enough to a menu's examples to be routed.
    pub route: crate::answer::RoutePolicy,
    /// When the best entry does not cover the question's words, by the model's reading.
    pub coverage: crate::answer::CoveragePolicy,
    /// A ticket draft names a catalogue service only at or above this confidence, and only when
    /// two of the three best hits share it (below: the agent picks the service).
    pub service_at: f64,
}

impl Default for AnswerConfig {
    fn default() -> Self {
        AnswerConfig {
            calibration: PathBuf::from("corpus/eval/calibration.json"),
            answer_at: 0.70,
            clarify_at: 0.40,
            suggestions: 3,
            route: crate::answer::RoutePolicy::default(),
            coverage: crate::answer::CoveragePolicy::default(),
            service_at: 0.30,
        }
    }
}

/// HTTP server settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Listen address.
    pub addr: String,
    /// SQLite file for questions and feedback.
    pub database: PathBuf,
    /// Bearer token for `/v1/admin/*`; none = admin endpoints disabled (env `HAIPEDIA_ADMIN_TOKEN`).
    pub admin_token: Option<String>,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Answers kept in the repeated-question cache.
    pub cache_entries: usize,
    /// Rebuild when files under the corpus folder change (`serve --watch`).
    pub watch: bool,
    /// How long a change must stay still before the rebuild starts, in milliseconds.
    pub watch_debounce_ms: u64,
    /// Connections served at once; more get an immediate 503 and are closed.
    pub max_connections: usize,
    /// Time a client has to send a request's headers, in milliseconds (slow clients are closed).
    pub header_timeout_ms: u64,
    /// Time a client has to send a request's body, in milliseconds.
    pub body_timeout_ms: u64,
    /// An idle keep-alive connection is closed after this long, in milliseconds.
    pub idle_timeout_ms: u64,
    /// Stored questions and their feedback are deleted after this many days (checked daily).
    pub retention_days: u32,
    /// Feedback requests accepted per client address and minute (the bot is one client: keep it
    /// well above its traffic).
    pub feedback_per_minute: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: "127.0.0.1:8080".into(),
            database: PathBuf::from("data/haipedia.sqlite"),
            admin_token: None,
            max_body_bytes: 16 * 1024,
            cache_entries: 1024,
            watch: false,
            watch_debounce_ms: 1500,
            max_connections: 512,
            header_timeout_ms: 10_000,
            body_timeout_ms: 10_000,
            idle_timeout_ms: 60_000,
            retention_days: 365,
            feedback_per_minute: 600,
        }
    }
}

/// File-system locations.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Paths {
    /// Corpus folder (Markdown + JSONL entries).
    pub corpus: PathBuf,
    /// Folder holding index generations and the `CURRENT` pointer.
    pub indexes: PathBuf,
    /// Generations kept on disk (the current one always is); older ones are removed after a build.
    pub keep_generations: usize,
    /// Folder with `model.onnx` + tokenizer files; empty = the default set-up location.
    pub model_dir: Option<PathBuf>,
    /// ONNX Runtime shared library; empty = the default set-up location.
    pub onnxruntime: Option<PathBuf>,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            corpus: PathBuf::from("corpus"),
            indexes: PathBuf::from("indexes"),
            keep_generations: 3,
            model_dir: None,
            onnxruntime: None,
        }
    }
}

/// Passage cutting.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChunkConfig {
    /// Most model tokens in one passage, prefix and heading context included (model window: 512).
    pub max_tokens: usize,
}

impl Default for ChunkConfig {
    fn default() -> Self {
        ChunkConfig { max_tokens: 320 }
    }
}

/// Embedding model run-time settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedConfig {
    /// Passages per model call while indexing.
    pub batch_size: usize,
    /// ONNX Runtime intra-op threads per session (0 = one per core).
    pub threads: usize,
    /// Model sessions serving concurrent requests (each holds its own copy of the model).
    pub sessions: usize,
}

impl Default for EmbedConfig {
    fn default() -> Self {
        EmbedConfig {
            batch_size: 32,
            threads: 0,
            sessions: 1,
        }
    }
}

/// Candidate gathering and fusion.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetrieveConfig {
    /// Lexical (BM25) passage candidates per query.
    pub lexical_candidates: usize,
    /// Vector (HNSW) passage candidates per query.
    pub vector_candidates: usize,
    /// How the two rankings are fused (see [`Fusion`]).
    pub fusion: Fusion,
    /// HNSW search breadth (`ef`); at least the number of candidates asked for.
    pub ef_search: usize,
    /// Query vectors kept for repeated queries (0 = none).
    pub query_cache: usize,
}

impl Default for RetrieveConfig {
    fn default() -> Self {
        RetrieveConfig {
            lexical_candidates: 50,
            vector_candidates: 50,
            fusion: Fusion::default(),
            ef_search: 96,
            query_cache: 256,
        }
    }
}

/// A configuration file that could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML for [`Config`].
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
}

/// The folder relative default paths start from when no configuration file is used: the source
/// tree this binary was built from when it is still there (`make run` and the tests), else the
/// working directory.
pub fn project_dir() -> PathBuf {
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR"));
    if built_in.join("Cargo.toml").is_file() {
        built_in.to_path_buf()
    } else {
        PathBuf::from(".")
    }
}

/// Name of the configuration file looked for in the working directory.
pub const CONFIG_FILE: &str = "haipedia.toml";

impl Config {
    /// Loads `path` (or `./haipedia.toml` when present, or the defaults), then applies env overrides.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None => std::env::var_os("HAIPEDIA_CONFIG")
                .map(PathBuf::from)
                .or_else(|| Some(PathBuf::from(CONFIG_FILE)).filter(|p| p.exists())),
        };
        let base = match &file {
            Some(path) => path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            None => project_dir(),
        };
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path,
                    source: Box::new(source),
                })?
            }
            None => Config::default(),
        };
        config.resolve_paths(&base);
        config.apply_env(|key| std::env::var_os(key));
        Ok(config)
    }

    /// Makes every relative path of the configuration relative to `base` (the configuration file's
    /// folder, or the project folder), so the binary runs from any working directory.
    fn resolve_paths(&mut self, base: &Path) {
        let at = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        at(&mut self.paths.corpus);
        at(&mut self.paths.indexes);
        if let Some(p) = self.paths.model_dir.as_mut() {
            at(p);
        }
        if let Some(p) = self.paths.onnxruntime.as_mut() {
            at(p);
        }
        at(&mut self.answer.calibration);
        at(&mut self.server.database);
    }

    /// Applies the `HAIPEDIA_*` path overrides, reading variables through `var`.
    fn apply_env(&mut self, var: impl Fn(&str) -> Option<std::ffi::OsString>) {
        if let Some(v) = var("HAIPEDIA_CORPUS") {
            self.paths.corpus = v.into();
        }
        if let Some(v) = var("HAIPEDIA_INDEXES") {
            self.paths.indexes = v.into();
        }
        if let Some(v) = var("HAIPEDIA_MODEL_DIR") {
            self.paths.model_dir = Some(v.into());
        }
        if let Some(v) = var("HAIPEDIA_ORT_LIB") {
            self.paths.onnxruntime = Some(v.into());
        }
        // an empty value never turns off a token set in the file
        if let Some(v) = var("HAIPEDIA_ADMIN_TOKEN")
            .and_then(|v| v.into_string().ok())
            .filter(|t| !t.trim().is_empty())
        {
            self.server.admin_token = Some(v);
        }
        if let Some(v) = var("HAIPEDIA_TOKENS").and_then(|v| v.into_string().ok()) {
            self.admin.tokens.extend(parse_tokens(&v));
        }
        if let Some(v) = var("HAIPEDIA_DATABASE") {
            self.server.database = v.into();
        }
        if let Some(v) = var("HAIPEDIA_CLUSTER_ROLE").and_then(|v| v.into_string().ok()) {
            match crate::cluster::Role::parse(&v) {
                Some(role) => self.cluster.role = role,
                None => {
                    tracing::warn!(value = %v, "HAIPEDIA_CLUSTER_ROLE: not single, builder or reader; ignored")
                }
            }
        }
        if let Some(v) = var("HAIPEDIA_CLUSTER_BUILDER").and_then(|v| v.into_string().ok()) {
            self.cluster.builder = Some(v).filter(|u| !u.trim().is_empty());
        }
        if let Some(v) = var("HAIPEDIA_STORE_URL").and_then(|v| v.into_string().ok()) {
            self.store.url = Some(v).filter(|u| !u.trim().is_empty());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_and_env_overrides_apply() {
        let mut config: Config =
            toml::from_str("[retrieve]\nlexical_candidates = 40\n[paths]\ncorpus = \"kb\"\n")
                .unwrap();
        assert_eq!(config.retrieve.lexical_candidates, 40);
        assert_eq!(config.retrieve.fusion, RetrieveConfig::default().fusion);
        let rrf: Config = toml::from_str(
            "[retrieve]\nfusion = { kind = \"rrf\", lexical = 1, vector = 1, k = 60 }\n",
        )
        .unwrap();
        assert_eq!(rrf.retrieve.fusion, Fusion::PLAIN_RRF);
        assert!(toml::from_str::<Config>("[retrieve]\nfusion = { kind = \"mix\" }\n").is_err());
        assert_eq!(config.paths.corpus, PathBuf::from("kb"));
        config.apply_env(|k| (k == "HAIPEDIA_CORPUS").then(|| "other".into()));
        assert_eq!(config.paths.corpus, PathBuf::from("other"));
    }

    #[test]
    fn the_store_is_sqlite_unless_a_postgres_url_is_given() {
        let mut config = Config::default();
        assert!(matches!(
            config.store_location().unwrap(),
            crate::store::Location::Sqlite(_)
        ));
        let url = "postgres://app:pw@db:5432/haipedia";
        config.apply_env(|k| (k == "HAIPEDIA_STORE_URL").then(|| url.into()));
        assert_eq!(
            config.store_location().unwrap(),
            crate::store::Location::Postgres(url.into())
        );
        let file: Config = toml::from_str("[store]\nurl = \"mysql://x\"\n").unwrap();
        assert!(file.store_location().is_err());
    }

    #[test]
    fn relative_paths_start_from_the_configuration_file_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("haipedia.toml");
        std::fs::write(&file, "[paths]\ncorpus = \"kb\"\nindexes = \"/abs/idx\"\n").unwrap();
        let config = Config::load(Some(&file)).unwrap();
        assert_eq!(config.paths.corpus, tmp.path().join("kb"));
        assert_eq!(config.paths.indexes, PathBuf::from("/abs/idx"));
        assert_eq!(
            config.answer.calibration,
            tmp.path().join("corpus/eval/calibration.json")
        );
    }

    #[test]
    fn an_empty_environment_token_never_turns_off_the_configured_one() {
        let mut config: Config = toml::from_str("[server]\nadmin_token = \"s3cret\"\n").unwrap();
        config.apply_env(|k| (k == "HAIPEDIA_ADMIN_TOKEN").then(|| "".into()));
        assert_eq!(config.server.admin_token.as_deref(), Some("s3cret"));
        config.apply_env(|k| (k == "HAIPEDIA_ADMIN_TOKEN").then(|| "other".into()));
        let hash = "a".repeat(64);
        config.apply_env(|k| {
            (k == "HAIPEDIA_TOKENS")
                .then(|| format!("ani:editor:{hash}, bad, budi:root:{hash}").into())
        });
        assert_eq!(
            config.admin.tokens,
            vec![TokenConfig {
                name: "ani".into(),
                role: Role::Editor,
                sha256: hash.clone()
            }]
        );
        let file: Config = toml::from_str(&format!(
            "[[admin.tokens]]\nname = \"budi\"\nrole = \"admin\"\nsha256 = \"{hash}\"\n"
        ))
        .unwrap();
        assert_eq!(file.admin.tokens[0].role, Role::Admin);
        assert_eq!(config.server.admin_token.as_deref(), Some("other"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<Config>("[retrieve]\nlexical_wieght = 0.5\n").is_err());
    }
}
