//! Fuzzes the question analyzer (what every query and every entry goes through): any text, no
//! panic, and every term is non-empty lowercase.
//!
//! RUSTC_BOOTSTRAP=1 cargo fuzz run analyze -- -max_total_time=60
#![no_main]

use std::sync::OnceLock;

use haipedia::analysis::{has_visible, words, Analyzer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    let text = String::from_utf8_lossy(data);
    let analyzer = ANALYZER.get_or_init(Analyzer::new);
    for term in analyzer.query_terms(&text) {
        assert!(!term.is_empty(), "an empty term from {text:?}");
        assert_eq!(term, term.to_lowercase(), "a term not lowercased from {text:?}");
    }
    for (w, start, end) in words(&text) {
        assert!(start < end && end <= text.len() && !w.is_empty());
    }
    let _ = has_visible(&text);
});
