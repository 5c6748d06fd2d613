//! Transactional requests: messages that ask the bot to *do* something a menu does (reset SAKTI or
//! DIGIT, ticket status, SP2D information, contract registration) go to that menu, not to an article.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;
use utoipa::ToSchema;

use crate::analysis::Analyzer;

/// A WhatsApp bot menu that performs a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Menu {
    /// Menu 2 – Cek Status Tiket.
    TicketStatus,
    /// Menu 3 – Informasi SP2D.
    Sp2dInfo,
    /// Menu 4 – Cek Pendaftaran Kontrak.
    ContractCheck,
    /// Menu 5 – Aplikasi Digit.
    Digit,
    /// Menu 6 – Aplikasi SAKTI.
    Sakti,
}

impl Menu {
    /// Menu number in the bot.
    pub fn number(self) -> u8 {
        match self {
            Menu::TicketStatus => 2,
            Menu::Sp2dInfo => 3,
            Menu::ContractCheck => 4,
            Menu::Digit => 5,
            Menu::Sakti => 6,
        }
    }

    /// Menu name as the bot shows it.
    pub fn name(self) -> &'static str {
        match self {
            Menu::TicketStatus => "Cek Status Tiket",
            Menu::Sp2dInfo => "Informasi SP2D",
            Menu::ContractCheck => "Cek Pendaftaran Kontrak",
            Menu::Digit => "Aplikasi Digit",
            Menu::Sakti => "Aplikasi SAKTI",
        }
    }

    /// Data the menu asks for (per the WhatsApp bot guide).
    fn requires(self) -> &'static [Field] {
        match self {
            Menu::TicketStatus => &[Field::TicketId],
            Menu::Sp2dInfo => &[Field::Sp2dNumber, Field::AccountNumber],
            Menu::ContractCheck => &[Field::SatkerCode, Field::ContractNumber],
            Menu::Digit => &[Field::Identity],
            Menu::Sakti => &[Field::Nik, Field::SatkerCode],
        }
    }
}

/// A piece of data a menu needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// HAI-DJPb ticket id (YYYYMMDD-XXXXXX).
    TicketId,
    /// 15-digit SP2D number.
    Sp2dNumber,
    /// Account number of the SP2D recipient.
    AccountNumber,
    /// 6-digit satker code.
    SatkerCode,
    /// Full contract number.
    ContractNumber,
    /// NIK (16 digits): asked by the menu itself, never taken from free text.
    Nik,
    /// NIK/NIP/NRP for Digit.
    Identity,
}

/// Where a transactional message goes and what it already contains.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Route {
    /// The menu.
    pub menu: Menu,
    /// Its number in the bot.
    pub number: u8,
    /// Its name.
    pub name: &'static str,
    /// Data found in the message (ticket id, SP2D number, satker code).
    pub found: Found,
    /// Data the menu still needs.
    pub needs: Vec<Field>,
}

/// Data recognised in a message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Found {
    /// Ticket id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
    /// SP2D number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sp2d_number: Option<String>,
    /// Satker code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satker_code: Option<String>,
}

struct Patterns {
    ticket: Regex,
    sp2d: Regex,
    satker: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("route pattern {p}: {e}"));
        Patterns {
            ticket: re(r"\b(20\d{6})-([A-Za-z0-9]{6})\b"),
            sp2d: re(r"\b\d{15}\b"),
            satker: re(r"\b\d{6}\b"),
        }
    })
}

/// Words that ask how or why: such messages want an explanation, not the transaction.
const QUESTION_WORDS: &[&str] = &[
    "cara",
    "caranya",
    "bagaimana",
    "gimana",
    "gmn",
    "bgmn",
    "kenapa",
    "mengapa",
    "knp",
    "apa",
    "apakah",
    "syarat",
    "persyaratan",
    "berapa",
    "kapan",
    "siapa",
    "dimana",
    "bisakah",
    "boleh",
    "prosedur",
];

/// Decides whether `text` is a transactional request, and for which menu.
pub fn route(analyzer: &Analyzer, text: &str) -> Option<Route> {
    let p = patterns();
    let found = Found {
        ticket_id: p
            .ticket
            .captures(text)
            .map(|c| format!("{}-{}", &c[1], c[2].to_uppercase())),
        sp2d_number: p.sp2d.find(text).map(|m| m.as_str().to_string()),
        satker_code: p.satker.find(text).map(|m| m.as_str().to_string()),
    };
    let terms = analyzer.query_terms(text);
    let has = |t: &str| terms.iter().any(|x| x == t);
    let words: Vec<String> = crate::analysis::words(text)
        .into_iter()
        .map(|(w, _, _)| w)
        .collect();
    let how_words = words.iter().any(|w| QUESTION_WORDS.contains(&w.as_str()));
    let asks_how = how_words || text.contains('?');

    // a ticket id or SP2D number means "look this up", even with a question mark
    let menu = if found.ticket_id.is_some() && !how_words {
        Some(Menu::TicketStatus)
    } else if found.sp2d_number.is_some() && !how_words {
        Some(Menu::Sp2dInfo)
    } else if asks_how {
        None
    } else if (has("reset") || has("mfa")) && has("sakti") {
        Some(Menu::Sakti)
    } else if has("digit") && (has("reset") || has("aktivasi") || has("blokir") || has("password"))
    {
        Some(Menu::Digit)
    } else if has("kontrak") && (has("cek") || has("daftar") || has("register")) {
        Some(Menu::ContractCheck)
    } else if has("tiket") && (has("status") || has("cek") || has("lacak")) {
        Some(Menu::TicketStatus)
    } else if has("sp2d") && (has("cek") || has("info") || has("informasi")) {
        Some(Menu::Sp2dInfo)
    } else {
        None
    }?;
    let needs = menu
        .requires()
        .iter()
        .copied()
        .filter(|f| match f {
            Field::TicketId => found.ticket_id.is_none(),
            Field::Sp2dNumber => found.sp2d_number.is_none(),
            Field::SatkerCode => found.satker_code.is_none(),
            _ => true,
        })
        .collect();
    Some(Route {
        menu,
        number: menu.number(),
        name: menu.name(),
        found,
        needs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu(text: &str) -> Option<u8> {
        route(&Analyzer::new(), text).map(|r| r.number)
    }

    #[test]
    fn transactions_go_to_their_menu() {
        assert_eq!(menu("mau reset password SAKTI"), Some(6));
        assert_eq!(menu("reset mfa sakti dong"), Some(6));
        assert_eq!(menu("reset DIGIT"), Some(5));
        assert_eq!(menu("tolong resetin pw sakti sy"), Some(6));
        assert_eq!(menu("cekin status tiket sy dong"), Some(2));
        assert_eq!(menu("aktivasi digit saya"), Some(5));
        assert_eq!(menu("20260414-DBKSWU"), Some(2));
        assert_eq!(menu("tolong cek tiket 20260414-dbkswu"), Some(2));
        assert_eq!(menu("sp2d 240011301000123 sudah cair belum"), Some(3));
        assert_eq!(menu("sp2d 240011301000123 sudah cair?"), Some(3));
        assert_eq!(menu("cek kontrak"), Some(4));
    }

    #[test]
    fn questions_are_not_routed() {
        assert_eq!(menu("cara reset password sakti"), None);
        assert_eq!(menu("bagaimana reset mfa sakti?"), None);
        assert_eq!(menu("apa itu sp2d"), None);
        assert_eq!(menu("jam layanan hai djpb"), None);
    }

    #[test]
    fn found_data_and_what_is_still_needed() {
        let r = route(&Analyzer::new(), "cek kontrak satker 012345").unwrap();
        assert_eq!(r.found.satker_code.as_deref(), Some("012345"));
        assert_eq!(r.needs, vec![Field::ContractNumber]);
        let r = route(&Analyzer::new(), "status tiket 20260414-dbkswu").unwrap();
        assert_eq!(r.found.ticket_id.as_deref(), Some("20260414-DBKSWU"));
        assert!(r.needs.is_empty());
        let r = route(&Analyzer::new(), "reset sakti").unwrap();
        assert_eq!(r.needs, vec![Field::Nik, Field::SatkerCode]);
    }
}
