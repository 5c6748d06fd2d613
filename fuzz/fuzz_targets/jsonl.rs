//! Fuzzes the JSONL entry import: any bytes, no panic; every error names a line inside the text.
//!
//! RUSTC_BOOTSTRAP=1 cargo fuzz run jsonl -- -max_total_time=60
#![no_main]

use std::path::Path;

use haipedia::corpus::Corpus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(errors) = Corpus::parse_jsonl(Path::new("fuzz.jsonl"), &text) {
        let lines = text.lines().count().max(1);
        for e in &errors.0 {
            assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}: {e}", e.line);
        }
    }
});
