//! Fuzzes the personal-data masking: any text, no panic, and no 16-digit run (a NIK) survives.
//!
//! RUSTC_BOOTSTRAP=1 cargo fuzz run mask -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let masked = haipedia::privacy::mask(&text);
    let mut run = 0;
    for c in masked.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run += 1;
        } else {
            assert_ne!(run, 16, "a 16-digit run survived in {masked:?}");
            run = 0;
        }
    }
});
