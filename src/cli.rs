//! The `haipedia` command line: thin wrappers over the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::answer::{held_back, judge, Calibration, ConfidenceMetrics, FitInfo};
use crate::config::Config;
use crate::corpus::{Corpus, EntryType};
use crate::embed::Embedder;
use crate::eval::matrix::{self, MatrixSpec, Split};
use crate::index::{BuildOptions, BuildStage, IndexGeneration, IndexRoot};
use crate::retrieve::{SearchRequest, Searcher};

/// HAIPEDIA: hybrid search over the HAI-DJPb knowledge base.
#[derive(Debug, Parser)]
#[command(name = "haipedia", version, about)]
pub struct Cli {
    /// Configuration file (default: ./haipedia.toml when present).
    #[arg(long, global = true, env = "HAIPEDIA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate the corpus (and labelled queries under corpus/eval) without building anything.
    Check {
        /// Corpus folder.
        #[arg(long)]
        corpus: Option<PathBuf>,
    },
    /// Build a new index generation from the corpus and make it current.
    Index {
        /// Corpus folder.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Index folder (holds generations and CURRENT).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Build a new generation even if the corpus did not change.
        #[arg(long)]
        force: bool,
    },
    /// Turn documents (PDF with text, DOCX, HTML, Markdown, text) into article entries.
    Import {
        /// Documents, or folders walked for .pdf .docx .html .htm .md .markdown .txt.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Category of the new entries (a catalogue service or a general topic).
        #[arg(long)]
        category: Option<String>,
        /// Folder the entries are written to (default: <corpus>/imported).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only list what would be created, updated, removed or left unchanged.
        #[arg(long)]
        dry_run: bool,
    },
    /// Search the current generation.
    Search {
        /// The question or keywords.
        query: String,
        /// Index folder.
        #[arg(long)]
        index: Option<PathBuf>,
        /// Most hits shown.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only this category (catalogue service).
        #[arg(long)]
        category: Option<String>,
        /// Only this type: article or faq.
        #[arg(long = "type", value_parser = parse_type)]
        kind: Option<EntryType>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Answer one question as the bot would (decision, confidence, message) and print it as JSON.
    Ask {
        /// The question.
        question: String,
        /// Index folder.
        #[arg(long)]
        index: Option<PathBuf>,
        /// whatsapp (default) or web.
        #[arg(long)]
        channel: Option<String>,
    },
    /// Serve the HTTP API.
    Serve {
        /// Listen address (default: server.addr of the config, 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<String>,
        /// Index folder.
        #[arg(long)]
        index: Option<PathBuf>,
        /// Rebuild when files under the corpus folder change (debounced: server.watch_debounce_ms).
        #[arg(long)]
        watch: bool,
        /// Log lines as plain text (colours only on a terminal) or one JSON object per line.
        #[arg(long, value_enum, default_value_t = LogFormat::Plain)]
        log_format: LogFormat,
    },
    /// Fit the confidence calibration on labelled queries (about a third held back to judge it).
    Calibrate {
        /// Labelled queries.
        #[arg(long, default_value = "corpus/eval/dev.jsonl")]
        queries: PathBuf,
        /// Index folder.
        #[arg(long)]
        index: Option<PathBuf>,
        /// Where to write the calibration (default: answer.calibration of the config).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Fit on the tuning queries of every set of this matrix instead (e.g. eval/matrix.toml),
        /// after a leave-one-corpus-out check.
        #[arg(long, conflicts_with = "queries")]
        matrix: Option<PathBuf>,
    },
    /// Measure retrieval quality on labelled queries (JSONL: {"qid"?, "query", "relevant": [ids]}),
    /// or on every set of a development matrix.
    Eval {
        /// Labelled queries.
        #[arg(long, required_unless_present = "matrix", conflicts_with = "matrix")]
        queries: Option<PathBuf>,
        /// A matrix file (e.g. eval/matrix.toml): each set's corpus is indexed (cached) and scored.
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// Which queries of each matrix set: held-back (default), tune or all.
        #[arg(long, value_parser = parse_split, default_value = "held-back")]
        split: Split,
        /// Index folder.
        #[arg(long)]
        index: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also list the queries to work on: in scope with a wrong first hit, out of scope not escalated.
        #[arg(long)]
        misses: bool,
        /// Analysis rules to switch off for this run, to measure each (slang, synonyms,
        /// stopwords, stemming, english; comma-separated). Lexical indexes are rebuilt for it.
        #[arg(long, value_parser = crate::analysis::Ablation::parse)]
        ablate: Option<crate::analysis::Ablation>,
    },
}

fn parse_split(s: &str) -> Result<Split, String> {
    match s {
        "held-back" => Ok(Split::HeldBack),
        "tune" => Ok(Split::Tune),
        "all" => Ok(Split::All),
        _ => Err(format!("'{s}' is not a split: use held-back, tune or all")),
    }
}

fn parse_type(s: &str) -> Result<EntryType, String> {
    EntryType::parse(s).ok_or_else(|| format!("'{s}' is not a type: use article or faq"))
}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}

fn execute(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Check { corpus } => {
            let dir = corpus.unwrap_or(config.paths.corpus.clone());
            let corpus = Corpus::load_dir(&dir)?;
            let faqs = corpus
                .entries
                .iter()
                .filter(|e| e.kind == EntryType::Faq)
                .count();
            let queries = crate::eval::check_dir(&dir.join("eval"), &corpus)?;
            println!(
                "ok: {} entries ({} articles, {faqs} FAQs) in {}; {queries} labelled queries",
                corpus.len(),
                corpus.len() - faqs,
                dir.display()
            );
            Ok(())
        }
        Command::Index { corpus, out, force } => {
            if let Some(c) = corpus {
                config.paths.corpus = c;
            }
            if let Some(o) = out {
                config.paths.indexes = o;
            }
            let corpus = Corpus::load_dir(&config.paths.corpus)?;
            let searcher = Searcher::new(
                Arc::new(Embedder::from_config(&config)?),
                config.retrieve.clone(),
            )
            .with_query_cache(crate::tune::FIT_QUERY_CACHE);
            let root = IndexRoot::new(&config.paths.indexes);
            let bar = progress_bar();
            // a missing calibration only means no adjustment is fitted; serving reports it
            let calibration = Calibration::load(&config.answer.calibration).ok();
            let report = crate::reindex::build_fitted(
                &corpus,
                &config.paths.corpus,
                &searcher,
                calibration.as_ref(),
                &root,
                &BuildOptions::from_config(&config, force),
                &|stage| match (&bar, stage) {
                    (Some(bar), BuildStage::Chunked { to_embed, .. }) => {
                        bar.set_length(to_embed as u64)
                    }
                    (Some(bar), BuildStage::Embedding { done, .. }) => {
                        bar.set_position(done as u64)
                    }
                    (Some(bar), BuildStage::Writing) => bar.finish_and_clear(),
                    _ => {}
                },
            )?;
            let m = &report.manifest;
            if report.unchanged {
                println!(
                    "corpus unchanged: {} stays current ({} entries); use --force to rebuild",
                    m.generation, m.counts.entries
                );
                return Ok(());
            }
            println!(
                "built {} in {:.1} s: {} entries ({} articles, {} FAQs), {} passages ({} embedded, {} reused) -> {}",
                m.generation,
                m.build_ms as f64 / 1000.0,
                m.counts.entries,
                m.counts.articles,
                m.counts.faqs,
                m.counts.passages,
                m.counts.embedded,
                m.counts.reused,
                report.dir.display()
            );
            Ok(())
        }
        Command::Import {
            paths,
            category,
            out,
            dry_run,
        } => {
            let out =
                out.unwrap_or_else(|| config.paths.corpus.join(crate::import::DEFAULT_FOLDER));
            let (files, mut errors) = crate::import::collect_files(&paths);
            let mut importer = crate::import::Importer::new(&out, category)?;
            let bar = progress_bar_with("importing {bar:40} {pos}/{len} documents ({eta})");
            let report = importer.run(&files, dry_run, &|done, total| {
                if let Some(bar) = &bar {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                }
            });
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            errors.extend(report.errors.iter().cloned());
            print_import(&report.plans, dry_run);
            for e in &errors {
                eprintln!("error: {e}");
            }
            println!(
                "{}{} documents: {} created, {} updated, {} unchanged, {} failed; {} entries in {}",
                if dry_run {
                    "dry run, nothing written: "
                } else {
                    ""
                },
                report.plans.len() + errors.len(),
                report.count(crate::import::Action::Create),
                report.count(crate::import::Action::Update),
                report.count(crate::import::Action::Unchanged),
                errors.len(),
                report.entries(),
                out.display()
            );
            if !errors.is_empty() {
                anyhow::bail!(
                    "{} document(s) not imported (see above); the others were",
                    errors.len()
                );
            }
            Ok(())
        }
        Command::Search {
            query,
            index,
            limit,
            category,
            kind,
            json,
        } => {
            let root = IndexRoot::new(index.unwrap_or(config.paths.indexes.clone()));
            let generation = IndexGeneration::open_current(&root)?;
            let searcher =
                Searcher::new(Arc::new(Embedder::from_config(&config)?), config.retrieve);
            let results = searcher.search(
                &generation,
                &SearchRequest {
                    query,
                    limit,
                    category,
                    kind,
                    skip_snippets: false,
                    fusion: None,
                },
            )?;
            if json {
                let hits: Vec<_> = results
                    .hits
                    .iter()
                    .map(|h| {
                        json!({
                            "id": h.id, "title": h.title, "type": h.kind, "category": h.category,
                            "snippet": h.snippet.text, "snippet_html": h.snippet.html(), "score": h.score,
                        })
                    })
                    .collect();
                let out = json!({
                    "hits": hits, "total": results.total, "generation": results.generation,
                    "took_ms": results.took.as_secs_f64() * 1000.0,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let (open, close) = if std::io::stdout().is_terminal() {
                    ("\x1b[1m", "\x1b[0m")
                } else {
                    ("", "")
                };
                for (i, h) in results.hits.iter().enumerate() {
                    println!("{}. {} [{}] ({:.4})", i + 1, h.title, h.id, h.score);
                    println!("   {}", h.snippet.marked(open, close));
                }
                if results.hits.is_empty() {
                    println!("no result");
                }
            }
            Ok(())
        }
        Command::Eval {
            queries,
            matrix,
            split,
            index,
            json,
            misses,
            ablate,
        } => match (matrix, queries) {
            _ if ablate.is_some_and(|off| crate::analysis::ablate(off).is_err()) => {
                anyhow::bail!("the analysis was built before --ablate could apply")
            }
            (Some(matrix), _) => eval_matrix(&config, &matrix, split, json),
            (None, Some(queries)) => eval(&config, &queries, index, json, misses),
            (None, None) => anyhow::bail!("give --queries FILE or --matrix FILE"),
        },
        Command::Calibrate {
            matrix: Some(matrix),
            out,
            ..
        } => calibrate_matrix(&config, &matrix, out),
        Command::Calibrate {
            queries,
            index,
            out,
            matrix: None,
        } => calibrate(&config, &queries, index, out),
        Command::Ask {
            question,
            index,
            channel,
        } => {
            let (generation, searcher) = open_search(&config, index)?;
            let calibration = Calibration::load(&config.answer.calibration)?;
            let answerer = crate::answer::Answerer::new(
                Arc::new(searcher),
                calibration,
                config.answer.clone(),
            );
            let answer = answerer.answer(
                &generation,
                &question,
                crate::answer::Channel::parse(channel.as_deref())?,
            )?;
            println!("{}", serde_json::to_string_pretty(&answer)?);
            Ok(())
        }
        Command::Serve {
            addr,
            index,
            watch,
            log_format,
        } => {
            if let Some(i) = index {
                config.paths.indexes = i;
            }
            config.server.watch |= watch;
            let addr: std::net::SocketAddr = addr.unwrap_or(config.server.addr.clone()).parse()?;
            init_logging(log_format);
            tokio::runtime::Runtime::new()?.block_on(crate::server::serve(config, addr))
        }
    }
}

/// How the server writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Text lines; ANSI colours only when stderr is a terminal (a log file stays plain).
    Plain,
    /// One JSON object per line, fields included (for log shippers).
    Json,
}

/// Logs to stderr at `RUST_LOG` (default info) in `format`.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,hnsw_rs=warn"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match format {
        LogFormat::Plain => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Opens the current generation of `index` (or the configured one) and a searcher over it.
fn open_search(
    config: &Config,
    index: Option<PathBuf>,
) -> anyhow::Result<(IndexGeneration, Searcher)> {
    let root = IndexRoot::new(index.unwrap_or(config.paths.indexes.clone()));
    let generation = IndexGeneration::open_current(&root)?;
    let searcher = Searcher::new(
        Arc::new(Embedder::from_config(config)?),
        config.retrieve.clone(),
    );
    Ok((generation, searcher))
}

/// Every set of a matrix: index (cached), score, print one table.
fn eval_matrix(config: &Config, path: &Path, split: Split, json: bool) -> anyhow::Result<()> {
    let spec = MatrixSpec::load(path)?;
    let searcher = Searcher::new(
        Arc::new(Embedder::from_config(config)?),
        config.retrieve.clone(),
    );
    let answerer = crate::answer::Answerer::new(
        Arc::new(searcher),
        Calibration::load(&config.answer.calibration)?,
        config.answer.clone(),
    );
    let reports = matrix::run(
        &spec,
        &answerer,
        &BuildOptions::from_config(config, false),
        split,
    )?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print!("{}", matrix::table(&reports));
        print!("\n{}", matrix::margins_table(&reports));
        print!("\n{}", matrix::decisions_table(&reports));
    }
    Ok(())
}

fn eval(
    config: &Config,
    queries: &Path,
    index: Option<PathBuf>,
    json: bool,
    misses: bool,
) -> anyhow::Result<()> {
    let labelled = crate::eval::load_queries(queries)?;
    let (generation, searcher) = open_search(config, index)?;
    let assessed = crate::eval::assess_queries(&searcher, &generation, &labelled)?;
    let retrieval = crate::eval::retrieval_metrics(&assessed);
    // confidence is never judged on the queries the calibration was fitted on
    let calibration = Calibration::load(&config.answer.calibration).ok();
    let confidence = calibration.as_ref().map(|c| {
        let same_file =
            crate::eval::is_fitting_file(&c.fitted.queries_file, &c.fitted.queries_hash, queries);
        let points = crate::eval::confidence_points(&assessed, c, &generation, same_file);
        let scope = if same_file {
            "held-back queries (the others fitted the calibration)"
        } else {
            "queries"
        };
        (
            judge(&points, config.answer.answer_at, config.answer.clarify_at),
            scope,
        )
    });
    if json {
        let out = json!({
            "generation": generation.generation(),
            "retrieval": retrieval,
            "confidence": confidence.as_ref().map(|(m, scope)| json!({"scope": scope, "metrics": m})),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let m = &retrieval;
    println!(
        "{} queries ({} with relevant entries) on {}\nretrieval: hit@1 {:.3}  R@1 {:.3}  R@5 {:.3}  R@10 {:.3}  MRR@10 {:.3}  nDCG@10 {:.3}",
        m.queries, m.in_scope, generation.generation(), m.hit_at_1, m.recall_at_1, m.recall_at_5,
        m.recall_at_10, m.mrr_at_10, m.ndcg_at_10
    );
    match confidence {
        Some((c, scope)) => print_confidence(&c, scope, config),
        None => println!(
            "confidence: no calibration at {} (run `haipedia calibrate`)",
            config.answer.calibration.display()
        ),
    }
    if misses {
        print_misses(&assessed, calibration.as_ref(), &generation, config);
    }
    Ok(())
}

/// The editors' worklist: wrong first hits, and out-of-scope questions the bot would not escalate.
fn print_misses(
    assessed: &[crate::eval::Assessed],
    calibration: Option<&Calibration>,
    generation: &IndexGeneration,
    config: &Config,
) {
    let confidence =
        |a: &crate::eval::Assessed| calibration.map(|c| c.confidence_on(generation, &a.features).0);
    let label = |a: &crate::eval::Assessed| crate::eval::split_key(&a.query).to_string();
    println!(
        "\nin scope, first hit wrong (qid | rank of first relevant | got | expected | query):"
    );
    for a in assessed.iter().filter(|a| a.query.in_scope() && !a.correct) {
        let rank = a
            .ranked
            .iter()
            .position(|id| a.query.relevant.iter().any(|r| &r.0 == id))
            .map_or("-".to_string(), |p| (p + 1).to_string());
        let expected: Vec<&str> = a.query.relevant.iter().map(|r| r.0.as_str()).collect();
        println!(
            "  {} | {rank} | {} | {} | {}",
            label(a),
            a.ranked.first().map_or("-", String::as_str),
            expected.join(","),
            crate::privacy::mask(&a.query.query)
        );
    }
    println!("\nout of scope, not escalated (qid | confidence | top hit | query):");
    for a in assessed.iter().filter(|a| !a.query.in_scope()) {
        if let Some(c) = confidence(a).filter(|c| *c >= config.answer.clarify_at) {
            println!(
                "  {} | {c:.2} | {} | {}",
                label(a),
                a.ranked.first().map_or("-", String::as_str),
                crate::privacy::mask(&a.query.query)
            );
        }
    }
}

fn print_confidence(c: &ConfidenceMetrics, scope: &str, config: &Config) {
    println!(
        "confidence on {} {scope}: AUROC {:.3}  ECE {:.3}  Brier {:.3}\n  answer at >= {:.2}: {:.1}% answered, precision {:.3}; answer or clarify (>= {:.2}): {:.1}%; out of scope escalated: {:.1}%",
        c.queries, c.auroc, c.ece, c.brier, config.answer.answer_at, 100.0 * c.answered, c.answered_precision,
        config.answer.clarify_at, 100.0 * c.clarified_or_answered, 100.0 * c.out_of_scope_escalated
    );
    println!("  reliability (bin up to, mean confidence, accuracy, n):");
    for (hi, conf, acc, n) in &c.reliability {
        println!("    {hi:.1}  {conf:.3}  {acc:.3}  {n}");
    }
}

fn calibrate(
    config: &Config,
    queries: &Path,
    index: Option<PathBuf>,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let labelled = crate::eval::load_queries(queries)?;
    let (generation, searcher) = open_search(config, index)?;
    let assessed = crate::eval::assess_queries(&searcher, &generation, &labelled)?;
    let (fit, held): (Vec<_>, Vec<_>) = assessed
        .iter()
        .partition(|a| !held_back(crate::eval::split_key(&a.query)));
    let samples: Vec<_> = fit
        .iter()
        .map(|a| (a.features.clone(), a.correct))
        .collect();
    let calibration = Calibration::fit(&samples, FitInfo::now(queries, fit.len(), held.len()));
    let points = crate::eval::confidence_points(&assessed, &calibration, &generation, true);
    let metrics = judge(&points, config.answer.answer_at, config.answer.clarify_at);
    let path = out.unwrap_or(config.answer.calibration.clone());
    calibration.save(&path)?;
    println!(
        "fitted on {} queries, saved to {}",
        fit.len(),
        path.display()
    );
    print_confidence(&metrics, "held-back queries", config);
    Ok(())
}

/// Fits the shipped calibration on every matrix set's tuning queries, after judging the same fit
/// leave-one-corpus-out on each corpus's held-back queries.
fn calibrate_matrix(config: &Config, path: &Path, out: Option<PathBuf>) -> anyhow::Result<()> {
    let spec = MatrixSpec::load(path)?;
    let searcher = Searcher::new(
        Arc::new(Embedder::from_config(config)?),
        config.retrieve.clone(),
    );
    let thresholds = (config.answer.answer_at, config.answer.clarify_at);
    let (samples, probes) =
        matrix::confidence_samples(&spec, &searcher, &BuildOptions::from_config(config, false))?;
    println!(
        "leave one corpus out (fitted on the others' tuning queries, judged on its held-back ones;"
    );
    println!("\"probed\": adjusted on its label-free points, \"transferred\": read against the others' points):");
    println!("| corpus left out | queries | adjustment | AUROC | ECE | ECE of a calibrated confidence (95th percentile) | P@answer | answered | out of scope escalated |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in matrix::leave_one_corpus_out(&samples, &probes, thresholds) {
        for (name, m) in [
            ("none", &row.metrics),
            ("probed", &row.probed),
            ("transferred", &row.transferred),
        ] {
            let chance = match name {
                "none" => format!("{:.3}", row.calibrated_ece),
                _ => String::new(),
            };
            println!(
                "| {} | {} | {name} | {:.3} | {:.3} | {chance} | {:.3} | {:.3} | {:.3} |",
                row.corpus,
                m.queries,
                m.auroc,
                m.ece,
                m.answered_precision,
                m.answered,
                m.out_of_scope_escalated
            );
        }
    }
    let fit: Vec<_> = samples
        .iter()
        .filter(|s| !s.held_back)
        .map(|s| (s.features.clone(), s.correct))
        .collect();
    let calibration = Calibration::fit(
        &fit,
        FitInfo::now(path, fit.len(), samples.len() - fit.len()),
    );
    let out = out.unwrap_or(config.answer.calibration.clone());
    calibration.save(&out)?;
    println!(
        "fitted on {} tuning queries of {} sets, saved to {}",
        fit.len(),
        spec.sets.len(),
        out.display()
    );
    Ok(())
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    progress_bar_with("embedding {bar:40} {pos}/{len} passages ({eta})")
}

/// A progress bar on stderr with this indicatif template, only when stderr is a terminal.
fn progress_bar_with(template: &str) -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

/// One line per document, and under it one per entry file that changes.
fn print_import(plans: &[crate::import::Plan], dry_run: bool) {
    let verb = |action: crate::import::Action| {
        if dry_run {
            format!("would {}", action.as_str())
        } else {
            action.as_str().to_string()
        }
    };
    for plan in plans {
        println!(
            "{:<16} {} ({}, {} entr{})",
            verb(plan.action),
            plan.source_file,
            plan.format.as_str(),
            plan.entries.len(),
            if plan.entries.len() == 1 { "y" } else { "ies" }
        );
        for entry in plan
            .entries
            .iter()
            .filter(|e| e.action != crate::import::Action::Unchanged)
        {
            println!("  {:<14} {}", verb(entry.action), entry.path.display());
        }
    }
}
