//! E-mail addresses in the forms users write them: plain, quoted local parts, any script, spaces
//! around `@`, and the obfuscated `(at)` / `[dot]` / ` at ` ... ` dot ` spellings.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

fn pattern() -> &'static Regex {
    static P: OnceLock<Regex> = OnceLock::new();
    P.get_or_init(|| {
        let atom = r"[\p{L}\p{M}\p{N}_%+!#$&'*/=?^`{|}~-]+";
        let local = format!(r#"(?:"[^"\r\n]{{1,40}}"|{atom}(?:\.{atom})*)"#);
        let label = r"[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?";
        // a top-level domain starts with a letter, so "jam 10.00" is never a domain
        let tld = r"\p{L}[\p{L}\p{M}\p{N}-]*";
        let open = r"[(\[{<]";
        let close = r"[)\]}>]";
        let dot = format!(r"(?:\.|\s*{open}\s*(?:dot|titik)\s*{close}\s*|\s+(?:dot|titik)\s+)");
        let at_word = format!(r"(?:\s*{open}\s*(?:at|et)\s*{close}\s*|\s+at\s+)");
        // "budi@localhost": a bare `@` may take a one-label domain; spaced or spelled-out `at` needs a dot
        let tight = format!(r"{local}@{label}(?:{dot}{label})*");
        let loose = format!(r"{local}(?:\s+@\s*|\s*@\s+|{at_word})(?:{label}{dot})+{tld}");
        let re = format!(r"(?i)(?:{loose}|{tight})");
        // the pattern is a constant: compiling it cannot fail
        Regex::new(&re).unwrap_or_else(|e| panic!("e-mail pattern: {e}"))
    })
}

/// Byte ranges of e-mail addresses in `text` (already folded).
pub(super) fn find(text: &str) -> Vec<Range<usize>> {
    pattern().find_iter(text).map(|m| m.range()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_plain_spaced_and_spelled_out_addresses() {
        assert_eq!(
            found("kirim ke budi.s@kemenkeu.go.id ya"),
            ["budi.s@kemenkeu.go.id"]
        );
        assert_eq!(found("budi2 @ gmail.com"), ["budi2 @ gmail.com"]);
        assert_eq!(found("budi3(at)gmail(dot)com"), ["budi3(at)gmail(dot)com"]);
        assert_eq!(found("budi at gmail dot com"), ["budi at gmail dot com"]);
        assert_eq!(found("mail budi4@localhost"), ["budi4@localhost"]);
        assert_eq!(
            found(r#""budi six"@gmail.com"#),
            [r#""budi six"@gmail.com"#]
        );
    }

    #[test]
    fn leaves_mentions_and_times_alone() {
        assert!(found("halo @admin tolong").is_empty());
        assert!(found("rapat at 10.00 wib").is_empty());
        assert!(found("jam layanan 08.00-16.00").is_empty());
    }
}
