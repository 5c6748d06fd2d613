//! Personal data masking: NIK, NIP, phone numbers and e-mail addresses never reach a log line or the
//! database in clear, however they are spelled (spaced, dotted, glued to words, full-width, in other
//! scripts, `(at)`/`(dot)`).
//!
//! The detectors read a folded copy of the text ([`folded`]) and the matches are mapped back, so what
//! is replaced is exactly what the user typed:
//!
//! ```
//! use haipedia::privacy::mask;
//! assert_eq!(
//!     mask("nik 31.74.02.123456.7891, wa0812 1112 5555, budi(at)gmail(dot)com, satker 012345"),
//!     "nik [NIK], wa[TELEPON], [EMAIL], satker 012345"
//! );
//! ```

mod email;
mod folded;
mod numbers;

use std::ops::Range;

use folded::Folded;
use numbers::NumberKind;

/// A user's text as it may appear in a log line: masked, and with control and invisible formatting
/// characters escaped (`\n`, `\u{1b}`), so it can neither forge a line nor drive a terminal.
pub fn for_log(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in mask(text).chars() {
        if c.is_control() || crate::analysis::is_invisible(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// What a masked stretch was, and the placeholder that replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    /// An e-mail address.
    Email,
    /// A NIK (16-digit national identity number).
    Nik,
    /// A NIP (18-digit civil servant number).
    Nip,
    /// A phone number.
    Phone,
    /// An unbroken digit string longer than a NIK, which may contain one.
    Number,
}

impl PersonalData {
    /// The placeholder written instead of the data.
    pub fn placeholder(self) -> &'static str {
        match self {
            PersonalData::Email => "[EMAIL]",
            PersonalData::Nik => "[NIK]",
            PersonalData::Nip => "[NIP]",
            PersonalData::Phone => "[TELEPON]",
            PersonalData::Number => "[NOMOR]",
        }
    }
}

/// Where personal data sits in `text`: byte ranges of the original, in order, not overlapping.
pub fn find(text: &str) -> Vec<(Range<usize>, PersonalData)> {
    let folded = Folded::new(text);
    let emails = email::find(&folded.text);
    let mut found: Vec<(Range<usize>, PersonalData)> = emails
        .iter()
        .map(|r| (r.clone(), PersonalData::Email))
        .collect();
    found.extend(
        numbers::find(&folded.text, &emails)
            .into_iter()
            .map(|(r, kind)| {
                let kind = match kind {
                    NumberKind::Nik => PersonalData::Nik,
                    NumberKind::Nip => PersonalData::Nip,
                    NumberKind::Phone => PersonalData::Phone,
                    NumberKind::Long => PersonalData::Number,
                };
                (r, kind)
            }),
    );
    found.sort_by_key(|(r, _)| r.start);
    found
        .into_iter()
        .map(|(r, kind)| (folded.original(r), kind))
        .collect()
}

/// `text` with e-mail addresses, NIK, NIP and phone numbers replaced by placeholders.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, kind) in find(text) {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(kind.placeholder());
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether `text` holds any personal data [`mask`] would hide.
pub fn contains_personal_data(text: &str) -> bool {
    !find(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_is_masked_and_cannot_forge_lines_or_drive_a_terminal() {
        let forged = "tanya\n2026-11-30T00:00:00Z  INFO forged\r\u{1b}[31mred\u{200b} 081211123333";
        let logged = for_log(forged);
        assert!(!logged.chars().any(|c| c.is_control()), "{logged}");
        assert!(
            logged.contains("\\n") && logged.contains("\\u{1b}"),
            "{logged}"
        );
        assert!(logged.contains("[TELEPON]"), "{logged}");
    }

    #[test]
    fn masks_nik_phone_and_email_but_keeps_other_numbers() {
        assert_eq!(
            mask("NIK saya 3174012345678901, hp 0812-3456-7890, email budi.s@kemenkeu.go.id"),
            "NIK saya [NIK], hp [TELEPON], email [EMAIL]"
        );
        assert_eq!(mask("wa +62 878-7711-4090 ya"), "wa [TELEPON] ya");
        assert_eq!(mask("nik 317401 234567 8901"), "nik [NIK]");
        assert_eq!(
            mask("satker 012345 sp2d 240011301000123 tiket 20260414-DBKSWU tahun 2026"),
            "satker 012345 sp2d 240011301000123 tiket 20260414-DBKSWU tahun 2026"
        );
    }

    #[test]
    fn masks_what_the_user_typed_including_invisible_and_full_width_characters() {
        assert_eq!(mask("budi8＠gmail.com"), "[EMAIL]");
        assert_eq!(
            mask("3174\u{200B}0123\u{200B}4567\u{200B}8901 ok"),
            "[NIK] ok"
        );
        assert_eq!(mask("０８１２３４５６７８９０"), "[TELEPON]");
    }
}

#[cfg(test)]
mod cases;
