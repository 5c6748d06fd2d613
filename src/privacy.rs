//! Personal data masking: NIK (16 digits), phone numbers and e-mail addresses never reach a log line or
//! the database in clear.

use std::sync::OnceLock;

use regex::Regex;

fn patterns() -> &'static [(Regex, &'static str); 3] {
    static P: OnceLock<[(Regex, &'static str); 3]> = OnceLock::new();
    P.get_or_init(|| {
        // the patterns are constants: compiling them cannot fail
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("privacy pattern {p}: {e}"));
        [
            (
                re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
                "[EMAIL]",
            ),
            // NIK: exactly 16 digits, possibly written in groups
            (re(r"\b\d{6}[ .-]?\d{6}[ .-]?\d{4}\b"), "[NIK]"),
            // Indonesian mobile and fixed numbers: +62 / 62 / 0, then 8-13 digits with optional separators
            (
                re(r"(?:\+62|\b62|\b0)[ .-]?\(?\d{2,4}\)?(?:[ .-]?\d{2,4}){2,4}\b"),
                "[TELEPON]",
            ),
        ]
    })
}

/// `text` with e-mail addresses, NIK-like numbers and phone numbers replaced by placeholders.
pub fn mask(text: &str) -> String {
    let mut out = text.to_string();
    for (re, placeholder) in patterns() {
        out = re.replace_all(&out, *placeholder).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_nik_phone_and_email_but_keeps_other_numbers() {
        assert_eq!(
            mask("NIK saya 3174012345678901, hp 0812-3456-7890, email budi.s@kemenkeu.go.id"),
            "NIK saya [NIK], hp [TELEPON], email [EMAIL]"
        );
        assert_eq!(mask("wa +62 878-7711-4090 ya"), "wa [TELEPON] ya");
        assert_eq!(mask("nik 317401 234567 8901"), "nik [NIK]");
        // satker codes, SP2D numbers, ticket ids and years stay
        assert_eq!(
            mask("satker 012345 sp2d 240011301000123 tiket 20260414-DBKSWU tahun 2026"),
            "satker 012345 sp2d 240011301000123 tiket 20260414-DBKSWU tahun 2026"
        );
    }
}
