//! Quality floors on the development set, with the real model and the shipped corpus and calibration:
//! a change that breaks analysis, fusion or the confidence features fails here, not in production.
//! The floors sit below the measured values (README "Measured") so ordinary corpus edits pass; the
//! held-out test set is deliberately not used here (it is only for reporting).

mod common;

use haipedia::answer::{judge, Calibration};
use haipedia::config::Config;
use haipedia::eval::{assess_queries, confidence_points, load_queries, retrieval_metrics};
use haipedia::index::{IndexGeneration, IndexRoot};

#[test]
fn the_development_set_stays_above_its_quality_floors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(tmp.path());
    common::build(&common::project().join("corpus"), &root);
    let generation = IndexGeneration::open_current(&root).unwrap();
    let dev = load_queries(&common::project().join("corpus/eval/dev.jsonl")).unwrap();
    let assessed = assess_queries(&common::searcher(), &generation, &dev).unwrap();

    let r = retrieval_metrics(&assessed);
    assert!(r.in_scope >= 200, "{r:?}");
    assert!(r.hit_at_1 >= 0.65, "hit@1 fell: {r:?}");
    assert!(r.recall_at_10 >= 0.82, "R@10 fell: {r:?}");
    assert!(r.mrr_at_10 >= 0.72, "MRR@10 fell: {r:?}");

    // confidence, judged only on the queries the shipped calibration was not fitted on
    let config = Config::default();
    let calibration =
        Calibration::load(&common::project().join(&config.answer.calibration)).unwrap();
    let points = confidence_points(&assessed, &calibration, true);
    let c = judge(&points, config.answer.answer_at, config.answer.clarify_at);
    assert!(c.queries >= 90, "{c:?}");
    assert!(
        c.auroc >= 0.85,
        "confidence no longer separates right from wrong: {c:?}"
    );
    assert!(
        c.answered_precision >= 0.80,
        "direct answers got less precise: {c:?}"
    );
    assert!(
        c.out_of_scope_escalated >= 0.80,
        "out-of-scope questions slip through: {c:?}"
    );
}
