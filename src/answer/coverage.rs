//! Whether the entry chosen for a direct answer states what the question asks for. A close entry is
//! not enough: "sehari maksimal brp kali bisa reset?" asks a limit the reset entry never states,
//! "menu info sp2d bisa buat sp2d tahun 2019?" names a year it never mentions. Such questions are
//! clarified instead of answered with an entry that does not say it.

use serde::Serialize;
use utoipa::ToSchema;

/// A detail the question asks for and the entry does not state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", content = "asked", rename_all = "snake_case")]
pub enum DetailGap {
    /// A number or year the question names that appears nowhere in the entry.
    Figure(String),
    /// A limit (maximum, minimum, how many times) of an entry that states none.
    Limit(String),
    /// A reason (why) of an entry that gives none.
    Reason(String),
}

/// Words asking for a limit, and the words an entry states one with.
const LIMIT_ASKED: &[&str] = &[
    "maksimal", "maksimum", "maks", "max", "maximum", "minimal", "minimum", "batas", "batasan",
    "limit", "kali",
];
const LIMIT_STATED: &[&str] = &[
    "maksimal", "maksimum", "minimal", "minimum", "batas", "paling", "hanya", "kali", "lambat",
    "lama", "sekali",
];

/// Words asking for a reason, and the words an entry gives one with.
const REASON_ASKED: &[&str] = &["kenapa", "mengapa", "knp", "why", "alasan", "alasannya"];
const REASON_STATED: &[&str] = &[
    "karena",
    "sebab",
    "agar",
    "supaya",
    "alasan",
    "sehingga",
    "tujuan",
    "bertujuan",
    "menjaga",
    "keamanan",
];

/// The first detail `question` asks for that `entry_text` (title, phrasings and body) does not
/// state, if any.
pub fn detail_gap(question: &str, entry_text: &str) -> Option<DetailGap> {
    let asked: Vec<String> = crate::analysis::words(question)
        .into_iter()
        .map(|(w, _, _)| w)
        .collect();
    let stated: std::collections::HashSet<String> = crate::analysis::words(entry_text)
        .into_iter()
        .map(|(w, _, _)| w)
        .collect();
    let names = |w: &str| stated.contains(w);
    if let Some(n) = asked
        .iter()
        .find(|w| is_figure(w) && !names(w.trim_start_matches('0')) && !names(w))
    {
        return Some(DetailGap::Figure(n.clone()));
    }
    if let Some(w) = asked.iter().find(|w| LIMIT_ASKED.contains(&w.as_str())) {
        if !LIMIT_STATED.iter().any(|s| names(s)) {
            return Some(DetailGap::Limit(w.clone()));
        }
    }
    if let Some(w) = asked.iter().find(|w| REASON_ASKED.contains(&w.as_str())) {
        if !REASON_STATED.iter().any(|s| names(s)) {
            return Some(DetailGap::Reason(w.clone()));
        }
    }
    None
}

/// A number a user asks about: 1-4 digits (a count, an extension, a year), or such digits glued
/// to a unit ("2x", "3hari"); longer runs are identifiers, handled by routing.
fn is_figure(word: &str) -> bool {
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    (1..=4).contains(&digits)
        && word[digits..].chars().all(|c| c.is_alphabetic())
        && word[digits..].chars().count() <= 4
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESET: &str =
        "Reset password SAKTI melalui WhatsApp Bot (Menu 6). Password baru dikirim \
                         melalui SMS ke nomor yang terdaftar. Permohonan tidak dapat diwakilkan.";

    #[test]
    fn details_the_entry_does_not_state_are_gaps() {
        assert_eq!(
            detail_gap("sehari maksimal brp kali bisa reset password sakti?", RESET),
            Some(DetailGap::Limit("maksimal".into()))
        );
        assert_eq!(
            detail_gap("reset sakti lewat menu 7 bisa?", RESET),
            Some(DetailGap::Figure("7".into()))
        );
        assert_eq!(
            detail_gap(
                "bisa cek sp2d tahun 2019?",
                "Menu 3 Informasi SP2D: nomor SP2D (15 digit)."
            ),
            Some(DetailGap::Figure("2019".into()))
        );
        assert_eq!(
            detail_gap("kenapa reset sakti ga bisa diwakilkan", RESET),
            Some(DetailGap::Reason("kenapa".into()))
        );
    }

    #[test]
    fn details_the_entry_states_are_not() {
        assert_eq!(detail_gap("reset password sakti menu 6", RESET), None);
        assert_eq!(detail_gap("gmn cara reset pw sakti", RESET), None);
        let why = format!("{RESET} Hal ini untuk menjaga keamanan akun.");
        assert_eq!(
            detail_gap("kenapa reset sakti ga bisa diwakilkan", &why),
            None
        );
    }
}
