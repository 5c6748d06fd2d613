//! Reindex jobs for the running server: one build at a time in the background, progress to poll,
//! the new generation handed over only when complete, old generations collected afterwards.

use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use utoipa::ToSchema;

use crate::answer::Calibration;
use crate::corpus::Corpus;
use crate::index::{
    self, BuildOptions, BuildReport, BuildStage, Generation, IndexError, IndexGeneration, IndexRoot,
};
use crate::retrieve::Searcher;

/// Builds `corpus` (loaded from `corpus_dir`) into `root` and fits the new generation on the
/// corpus's own labelled queries (the tuning part of `<corpus_dir>/eval/dev.jsonl`, see
/// [`crate::tune`]) before publishing it: what the CLI and the server both run.
pub fn build_fitted(
    corpus: &Corpus,
    corpus_dir: &Path,
    searcher: &Searcher,
    calibration: Option<&Calibration>,
    root: &IndexRoot,
    options: &BuildOptions,
    progress: &(dyn Fn(BuildStage) + Sync),
) -> Result<BuildReport, IndexError> {
    let tuning = crate::tune::corpus_tuning_queries(corpus_dir)?;
    let options = BuildOptions {
        fit_inputs: crate::tune::fingerprint(&tuning, calibration, &searcher.default_fusion()),
        ..options.clone()
    };
    let fit = crate::tune::fit_closure(searcher, &tuning, calibration);
    index::build_and_fit(corpus, searcher.embedder(), root, &options, progress, &fit)
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Building.
    Running,
    /// The new generation is current.
    Succeeded,
    /// Nothing changed; the reason is in `error`.
    Failed,
}

/// A reindex job as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobStatus {
    /// Job number (per server process).
    pub id: u64,
    /// Running, succeeded or failed.
    pub state: JobState,
    /// Current step: loading, embedding, writing, switching, done.
    pub stage: &'static str,
    /// Passages embedded so far.
    pub embedded_done: usize,
    /// Passages to embed in all (the others reuse their vectors).
    pub embedded_total: usize,
    /// Passages in the new generation.
    pub passages: usize,
    /// UTC start time.
    pub started_at: String,
    /// UTC end time.
    pub finished_at: Option<String>,
    /// The generation now current (on success; the unchanged one when the corpus did not change).
    #[schema(value_type = Option<u64>)]
    pub generation: Option<Generation>,
    /// Why it failed.
    pub error: Option<String>,
    /// Corpus problems, each naming file and line.
    pub problems: Vec<String>,
    /// Generations removed after the switch.
    #[schema(value_type = Vec<u64>)]
    pub removed: Vec<Generation>,
}

/// The reindex service: corpus folder, index root, shared model, and the job log.
pub struct Reindexer {
    corpus_dir: std::path::PathBuf,
    root: IndexRoot,
    searcher: Searcher,
    calibration: Option<Calibration>,
    options: BuildOptions,
    keep: usize,
    jobs: Mutex<Vec<JobStatus>>,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Reindexer {
    /// A reindexer building `corpus_dir` into `root`, keeping `keep` generations; each new
    /// generation's confidence adjustment is fitted for `calibration` (the one being served). Its
    /// fits search with a copy of `searcher` that keeps the fitting queries' vectors.
    pub fn new(
        corpus_dir: std::path::PathBuf,
        root: IndexRoot,
        searcher: &Searcher,
        calibration: Option<Calibration>,
        options: BuildOptions,
        keep: usize,
    ) -> Reindexer {
        Reindexer {
            corpus_dir,
            root,
            searcher: searcher.with_query_cache(crate::tune::FIT_QUERY_CACHE),
            calibration,
            options,
            keep,
            jobs: Mutex::new(Vec::new()),
        }
    }

    /// The index root.
    pub fn root(&self) -> &IndexRoot {
        &self.root
    }

    /// A job by id.
    pub fn job(&self, id: u64) -> Option<JobStatus> {
        self.jobs.lock().ok()?.iter().find(|j| j.id == id).cloned()
    }

    /// The most recent job.
    pub fn last(&self) -> Option<JobStatus> {
        self.jobs.lock().ok()?.last().cloned()
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut JobStatus)) {
        if let Ok(mut jobs) = self.jobs.lock() {
            if let Some(j) = jobs.iter_mut().find(|j| j.id == id) {
                f(j);
            }
        }
    }

    /// Starts a job in the background; `publish` receives the new generation once it is current.
    /// Refuses (returning the running job) while another job runs.
    pub fn start(
        self: &Arc<Self>,
        publish: impl FnOnce(IndexGeneration) + Send + 'static,
    ) -> Result<JobStatus, Box<JobStatus>> {
        let job = {
            let mut jobs = self.jobs.lock().map_err(|_| Box::new(self.placeholder()))?;
            if let Some(running) = jobs.iter().find(|j| j.state == JobState::Running) {
                return Err(Box::new(running.clone()));
            }
            let job = JobStatus {
                id: jobs.last().map_or(1, |j| j.id + 1),
                state: JobState::Running,
                stage: "loading",
                embedded_done: 0,
                embedded_total: 0,
                passages: 0,
                started_at: now(),
                finished_at: None,
                generation: None,
                error: None,
                problems: Vec::new(),
                removed: Vec::new(),
            };
            jobs.push(job.clone());
            let excess = jobs.len().saturating_sub(50);
            jobs.drain(..excess);
            job
        };
        let me = self.clone();
        let id = job.id;
        std::thread::Builder::new()
            .name(format!("reindex-{id}"))
            .spawn(move || me.run(id, publish))
            .map_err(|e| {
                self.update(id, |j| fail(j, e.to_string(), vec![]));
                Box::new(self.job(id).unwrap_or_else(|| self.placeholder()))
            })?;
        Ok(job)
    }

    fn placeholder(&self) -> JobStatus {
        JobStatus {
            id: 0,
            state: JobState::Failed,
            stage: "done",
            embedded_done: 0,
            embedded_total: 0,
            passages: 0,
            started_at: now(),
            finished_at: Some(now()),
            generation: None,
            error: Some("job registry unavailable".into()),
            problems: vec![],
            removed: vec![],
        }
    }

    fn run(&self, id: u64, publish: impl FnOnce(IndexGeneration)) {
        let result = (|| -> Result<(Generation, Vec<Generation>), IndexError> {
            let corpus = Corpus::load_dir(&self.corpus_dir)?;
            let report = build_fitted(
                &corpus,
                &self.corpus_dir,
                &self.searcher,
                self.calibration.as_ref(),
                &self.root,
                &self.options,
                &|stage| {
                    self.update(id, |j| match stage {
                        BuildStage::Chunked { passages, to_embed } => {
                            j.stage = "embedding";
                            j.passages = passages;
                            j.embedded_total = to_embed;
                        }
                        BuildStage::Embedding { done, .. } => j.embedded_done = done,
                        BuildStage::Writing => j.stage = "writing",
                    })
                },
            )?;
            self.update(id, |j| j.stage = "switching");
            let generation = IndexGeneration::open(&self.root, report.manifest.generation)?;
            publish(generation);
            let removed = self.root.collect_garbage(self.keep)?;
            Ok((report.manifest.generation, removed))
        })();
        match result {
            Ok((generation, removed)) => {
                tracing::info!(job = id, %generation, removed = removed.len(), "reindex succeeded");
                self.update(id, |j| {
                    j.state = JobState::Succeeded;
                    j.stage = "done";
                    j.generation = Some(generation);
                    j.removed = removed;
                    j.finished_at = Some(now());
                });
            }
            Err(e) => {
                tracing::warn!(job = id, error = %e, "reindex failed; the current generation stays");
                let problems = match &e {
                    IndexError::Corpus(errors) => errors.0.iter().map(|p| p.to_string()).collect(),
                    _ => vec![],
                };
                self.update(id, |j| fail(j, e.to_string(), problems));
            }
        }
    }
}

fn fail(j: &mut JobStatus, error: String, problems: Vec<String>) {
    j.state = JobState::Failed;
    j.stage = "done";
    j.error = Some(error);
    j.problems = problems;
    j.finished_at = Some(now());
}
