//! Quality floors on every set of the development matrix (eval/matrix.toml), with the real model, the
//! shipped calibration and each set's build fitted as `haipedia index` fits it: a change that breaks
//! analysis, fusion or the confidence features fails here, not in production. The floors live in the
//! matrix file, a little below the held-back figures the README reports. The third-party corpora
//! are read from ../shared beside the clone.

mod common;

use haipedia::answer::{Answerer, Calibration};
use haipedia::config::Config;
use haipedia::eval::matrix::{self, MatrixSpec, Split};
use haipedia::index::BuildOptions;

#[test]
fn every_matrix_set_stays_above_its_floors() {
    let spec = MatrixSpec::load(&common::project().join("eval/matrix.toml")).unwrap();
    let config = Config::default();
    let calibration =
        Calibration::load(&common::project().join(&config.answer.calibration)).unwrap();
    let answerer = Answerer::new(
        std::sync::Arc::new(common::searcher()),
        calibration,
        config.answer.clone(),
    );
    let reports = matrix::run(
        &spec,
        &answerer,
        &BuildOptions::from_config(&config, false),
        Split::HeldBack,
    )
    .unwrap();
    assert_eq!(reports.len(), spec.sets.len());
    let below: Vec<String> = spec
        .sets
        .iter()
        .zip(&reports)
        .flat_map(|(set, report)| report.below(&set.floors))
        .collect();
    assert!(
        below.is_empty(),
        "below the floors:\n{}\n\n{}\n{}",
        below.join("\n"),
        matrix::table(&reports),
        matrix::decisions_table(&reports)
    );
}
