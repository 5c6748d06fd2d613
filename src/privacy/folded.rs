//! The text as the detectors see it: each character NFKC-folded (full-width `＠` and `３` become `@` and
//! `3`), invisible format characters dropped, and every folded byte mapped back to the original, so a
//! match found in the folded text masks exactly the characters the user wrote.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// Folded text with a map back to the original byte offsets.
pub(super) struct Folded {
    /// The folded text the detectors match against.
    pub text: String,
    /// For each byte of `text`: the byte range of the original character it came from.
    origin: Vec<Range<usize>>,
}

impl Folded {
    /// Folds `original`.
    pub fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        let mut buf = [0u8; 4];
        for (at, c) in original.char_indices() {
            let span = at..at + c.len_utf8();
            if is_invisible(c) {
                continue;
            }
            for folded in std::iter::once(c).nfkc() {
                let bytes = folded.encode_utf8(&mut buf).len();
                text.push(folded);
                origin.extend(std::iter::repeat_n(span.clone(), bytes));
            }
        }
        Folded { text, origin }
    }

    /// The original byte range behind the folded range `r` (which must be non-empty).
    pub fn original(&self, r: Range<usize>) -> Range<usize> {
        self.origin[r.start].start..self.origin[r.end - 1].end
    }
}

/// Characters that render as nothing (zero-width spaces and joiners, direction marks, soft hyphen,
/// variation selectors, tags): hidden inside a number or address they must not break a match.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_maps_back() {
        let original = "a＠b\u{200B}１";
        let f = Folded::new(original);
        assert_eq!(f.text, "a@b1");
        let at = f.text.find('@').unwrap_or(0);
        assert_eq!(&original[f.original(at..at + 1)], "＠");
        assert_eq!(&original[f.original(0..f.text.len())], original);
    }
}
