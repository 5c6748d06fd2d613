//! Fuzzes the Markdown entry parser (front matter included): any bytes, no panic, no hang; an
//! error always names a line inside the text (counting line breaks as the YAML reader does: `\n`,
//! `\r\n`, a lone `\r`, and NEL, LS, PS).
//!
//! RUSTC_BOOTSTRAP=1 cargo fuzz run markdown -- -max_total_time=60
#![no_main]

use std::path::Path;

use haipedia::corpus::Corpus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = Corpus::parse_markdown(Path::new("fuzz.md"), &text) {
        let breaks = text.replace("\r\n", "\n");
        let lines = 1 + breaks
            .chars()
            .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
            .count();
        assert!(e.line >= 1 && e.line <= lines + 1, "line {} of {lines}: {e}", e.line);
    }
});
