//! Transactional requests: messages that ask the bot to *do* something a menu does (reset SAKTI or
//! DIGIT, ticket status, SP2D information, contract registration) go to that menu, not to an article.
//! Three signals decide: identifiers (a ticket id or SP2D number in a message that does not ask how),
//! a menu chosen by its number, and the generation's menu model fitted on the corpus's menu examples
//! (`menus/*.jsonl`), which must give the menu the message names a high enough probability.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;
use utoipa::ToSchema;

use crate::embed::cosine;
use crate::index::{MenuModel, MenuVector};
use crate::privacy::PersonalData;

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
    /// Every transactional menu.
    pub const ALL: [Menu; 5] = [
        Menu::TicketStatus,
        Menu::Sp2dInfo,
        Menu::ContractCheck,
        Menu::Digit,
        Menu::Sakti,
    ];

    /// The menu with this number in the bot.
    pub fn from_number(number: u8) -> Option<Menu> {
        Menu::ALL.into_iter().find(|m| m.number() == number)
    }

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

    /// Words naming what the menu acts on: a message must name it to be routed there by examples
    /// (an m-banking PIN or an Instagram password is not a Digit or SAKTI account).
    fn anchors(self) -> &'static [&'static str] {
        match self {
            Menu::TicketStatus => &["tiket", "ticket", "tiketnya", "tiketku"],
            Menu::Sp2dInfo => &["sp2d", "sp2dnya"],
            Menu::ContractCheck => &["kontrak", "kontraknya", "contract"],
            Menu::Digit => &["digit", "digitnya", "dgt"],
            Menu::Sakti => &["sakti", "saktinya", "mfa"],
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
    /// What decided the route.
    pub signal: RouteSignal,
}

/// What sent a message to a menu (operators read it to see why the bot routed).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum RouteSignal {
    /// A ticket id or SP2D number in a message that does not ask how or why, a NIK, NIP or
    /// e-mail address in one that names Digit and does not ask how or why, or a satker code in a
    /// message that names a contract and asks nothing.
    Identifier,
    /// The message opens by choosing the menu by its number, as the bot's menu asks ("menu 5, cek
    /// status user"), says what it wants and asks nothing.
    Selection,
    /// The menu model fitted on the menu examples.
    Examples {
        /// The nearest example of that menu.
        example: String,
        /// Its cosine similarity to the message.
        similarity: f32,
        /// The model's probability that the message asks for that menu.
        probability: f32,
    },
}

/// How sure the menu model must be, and how near an example, to route a message (see [`route`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutePolicy {
    /// Lowest probability of the named menu under the generation's menu model.
    pub min_probability: f32,
    /// Lowest cosine similarity of the nearest example of that menu.
    pub min_similarity: f32,
}

impl Default for RoutePolicy {
    /// Chosen on the tuning split of the matrix's routing set (three rounds of blind messages) with
    /// every other tuning message of the project's corpus as non-requests (`cargo run --release
    /// --example route_sweep`): routing precision 0.955, recall 0.948 there (1,382 messages,
    /// 2026-12-01).
    fn default() -> Self {
        RoutePolicy {
            min_probability: 0.5,
            min_similarity: 0.91,
        }
    }
}

/// How near a message is to each menu: the best similarity per menu number (0: the question
/// examples), with the example that earned it, and the menu model's probability of each menu.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NearestExamples {
    best: Vec<(u8, f32, String)>,
    probabilities: Vec<(u8, f32)>,
}

impl NearestExamples {
    /// The nearest example of `menu` (0: questions) and its cosine similarity.
    pub fn of(&self, menu: u8) -> Option<(f32, &str)> {
        self.best
            .iter()
            .find(|(m, _, _)| *m == menu)
            .map(|(_, s, t)| (*s, t.as_str()))
    }

    /// The menu model's probability that the message asks for `menu` (0 without a model).
    pub fn probability(&self, menu: u8) -> f32 {
        self.probabilities
            .iter()
            .find(|(m, _)| *m == menu)
            .map_or(0.0, |(_, p)| *p)
    }
}

/// The nearest example of each menu to `query_vector` among `examples`, and `model`'s reading.
pub fn nearest_examples(
    examples: &[MenuVector],
    model: Option<&MenuModel>,
    query_vector: &[f32],
) -> NearestExamples {
    let mut best: Vec<(u8, f32, String)> = Vec::new();
    for e in examples
        .iter()
        .filter(|e| e.vector.len() == query_vector.len())
    {
        let s = cosine(&e.vector, query_vector);
        match best.iter_mut().find(|(m, _, _)| *m == e.menu) {
            Some(b) if b.1 >= s => {}
            Some(b) => *b = (e.menu, s, e.text.clone()),
            None => best.push((e.menu, s, e.text.clone())),
        }
    }
    let probabilities = model.map_or_else(Vec::new, |m| m.probabilities(query_vector));
    NearestExamples {
        best,
        probabilities,
    }
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

/// Whether `text` carries an identity Digit looks a user up by (a NIK, NIP or e-mail address):
/// only its presence is read; the menu asks for the value itself.
fn carries_identity(text: &str) -> bool {
    crate::privacy::find(text).iter().any(|(_, kind)| {
        matches!(
            kind,
            PersonalData::Nik | PersonalData::Nip | PersonalData::Email
        )
    })
}

/// Words that ask how or why: such messages want an explanation, not the transaction, even when
/// they carry a ticket id or SP2D number.
const HOW_WORDS: &[&str] = &[
    "cara",
    "caranya",
    "bagaimana",
    "bgmn",
    "kenapa",
    "mengapa",
    "knp",
    "syarat",
    "persyaratan",
    "prosedur",
    "how",
    "why",
];

/// Words that ask about something: with them a message is not routed by its examples alone ("apa"
/// is left out: "email digit sy yg terdaftar apa" asks for the transaction).
const ASK_WORDS: &[&str] = &[
    "gimana", "gmn", "bgm", "kok", "apakah", "berapa", "brp", "kapan", "siapa", "dimana",
    "bisakah", "boleh", "what", "when", "where", "who", "does",
];

/// Polite request words: "mohon dicek apakah kontrak kami sudah terdaftar" asks for the check.
const REQUEST_WORDS: &[&str] = &[
    "tolong", "tlg", "mohon", "minta", "please", "pls", "dicek", "cekin", "bantu",
];

/// The menu a message chooses: a bare menu number ("4", as the bot's menu asks), or a message
/// that opens by choosing it ("menu 6 reset password"): its first two words are `menu` and a
/// menu's number, more words follow, it names no other menu and it has no question mark and no
/// "apa" (a bare "menu 4", or "menu 3 sm menu 4 datanya apa aja", asks about menus).
fn selected(words: &[String], text: &str) -> Option<Menu> {
    if let [number] = words {
        return number.parse().ok().and_then(Menu::from_number);
    }
    let [first, number, _, ..] = words else {
        return None;
    };
    let named_menus = words
        .windows(2)
        .filter(|w| w[0] == "menu" && w[1].parse::<u8>().is_ok());
    if first != "menu"
        || named_menus.count() != 1
        || text.contains('?')
        || words.iter().any(|w| w == "apa")
    {
        return None;
    }
    number.parse().ok().and_then(Menu::from_number)
}

/// Decides whether `text` is a transactional request, and for which menu: by an identifier it
/// carries (a contract's satker code only in a message that asks nothing), by the menu it opens by
/// choosing (`selected`), else by the menu it names that the menu model reads in `nearest` with
/// the probability `policy` asks; a message that asks how, why or what is never routed by examples.
pub fn route(text: &str, nearest: &NearestExamples, policy: &RoutePolicy) -> Option<Route> {
    let p = patterns();
    let found = Found {
        ticket_id: p
            .ticket
            .captures(text)
            .map(|c| format!("{}-{}", &c[1], c[2].to_uppercase())),
        sp2d_number: p.sp2d.find(text).map(|m| m.as_str().to_string()),
        satker_code: p.satker.find(text).map(|m| m.as_str().to_string()),
    };
    let words: Vec<String> = crate::analysis::words(text)
        .into_iter()
        .map(|(w, _, _)| w)
        .collect();
    let has_any = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let how_words = has_any(HOW_WORDS);
    let asks = how_words || (has_any(ASK_WORDS) && !has_any(REQUEST_WORDS));
    // a menu is named by what it acts on, or by its number ("menu 5, cek status user")
    let names = |m: Menu| {
        m.anchors().iter().any(|a| words.iter().any(|w| w == a))
            || words
                .windows(2)
                .any(|w| w[0] == "menu" && w[1] == m.number().to_string())
    };

    // a ticket id or SP2D number means "look this up", even with a question mark
    let (menu, signal) = if found.ticket_id.is_some() && !how_words {
        (Menu::TicketStatus, RouteSignal::Identifier)
    } else if found.sp2d_number.is_some() && !how_words {
        (Menu::Sp2dInfo, RouteSignal::Identifier)
    } else if names(Menu::Digit) && !how_words && carries_identity(text) {
        // Digit looks its user up by a NIK, NIP or e-mail address
        (Menu::Digit, RouteSignal::Identifier)
    } else if asks {
        return None;
    } else if let Some(menu) = selected(&words, text) {
        (menu, RouteSignal::Selection)
    } else if found.satker_code.is_some() && names(Menu::ContractCheck) {
        // a contract and the satker code menu 4 looks it up by
        (Menu::ContractCheck, RouteSignal::Identifier)
    } else {
        let (menu, probability) = Menu::ALL
            .into_iter()
            .filter(|m| names(*m))
            .map(|m| (m, nearest.probability(m.number())))
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        let (similarity, example) = nearest.of(menu.number())?;
        if probability < policy.min_probability || similarity < policy.min_similarity {
            return None;
        }
        (
            menu,
            RouteSignal::Examples {
                example: example.to_string(),
                similarity,
                probability,
            },
        )
    };
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
        signal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Examples on unit axes: message vectors pick their neighbours by construction.
    fn examples() -> Vec<MenuVector> {
        let unit = |i: usize| {
            let mut v = vec![0.0; 4];
            v[i] = 1.0;
            v
        };
        vec![
            MenuVector {
                menu: 6,
                text: "reset sakti".into(),
                vector: unit(0),
            },
            MenuVector {
                menu: 0,
                text: "cara reset sakti".into(),
                vector: unit(1),
            },
            MenuVector {
                menu: 4,
                text: "cek kontrak".into(),
                vector: unit(2),
            },
        ]
    }

    fn near(vector: &[f32]) -> NearestExamples {
        let examples = examples();
        nearest_examples(&examples, MenuModel::fit(&examples).as_ref(), vector)
    }

    fn menu(text: &str, vector: &[f32]) -> Option<u8> {
        let n = near(vector);
        route(text, &n, &RoutePolicy::default()).map(|r| r.number)
    }

    #[test]
    fn identifiers_route_unless_the_message_asks_how() {
        let none = [0.0, 0.0, 0.0, 1.0];
        assert_eq!(menu("20260414-DBKSWU", &none), Some(2));
        assert_eq!(menu("tolong cek tiket 20260414-dbkswu", &none), Some(2));
        assert_eq!(menu("sp2d 240011301000123 sudah cair?", &none), Some(3));
        assert_eq!(menu("bagaimana cara cek sp2d 240011301000123", &none), None);
        // Digit looks its user up by identity: present, the message asks for the lookup
        assert_eq!(
            menu("tlg cek user digit nip 198801152010121003", &none),
            Some(5)
        );
        assert_eq!(
            menu("reset digit, email budi.s@kemenkeu.go.id", &none),
            Some(5)
        );
        assert_eq!(
            menu("email budi.s@kemenkeu.go.id kenapa ditolak digit", &none),
            None
        );
        assert_eq!(menu("nik 3578014409870003 sakti terblokir", &none), None);
    }

    #[test]
    fn examples_route_when_the_model_reads_the_named_menu() {
        assert_eq!(menu("mau reset sakti", &[1.0, 0.0, 0.0, 0.0]), Some(6));
        assert_eq!(menu("cek kontrak", &[0.0, 0.0, 1.0, 0.0]), Some(4));
        // as near to a question example as to the request: not routed
        let s = std::f32::consts::FRAC_1_SQRT_2;
        assert_eq!(menu("reset sakti", &[s, s, 0.0, 0.0]), None);
        // asks how: never routed by examples
        assert_eq!(menu("gimana reset sakti", &[1.0, 0.0, 0.0, 0.0]), None);
        // near a SAKTI example but names no SAKTI: an m-banking PIN is not a SAKTI account
        assert_eq!(menu("reset pin m-banking", &[1.0, 0.0, 0.0, 0.0]), None);
        // far from everything
        assert_eq!(menu("reset sakti", &[0.0, 0.0, 0.0, 1.0]), None);
        // a menu named by its number
        assert_eq!(
            menu("menu 6, reset password", &[1.0, 0.0, 0.0, 0.0]),
            Some(6)
        );
        assert_eq!(
            menu("reset password di menu 5", &[1.0, 0.0, 0.0, 0.0]),
            None
        );
    }

    #[test]
    fn a_message_that_opens_by_choosing_a_menu_goes_there() {
        let none = [0.0, 0.0, 0.0, 1.0];
        assert_eq!(menu("menu 5, cek status user", &none), Some(5));
        assert_eq!(menu("Menu 6 reset password", &none), Some(6));
        assert_eq!(menu("4", &none), Some(4));
        assert_eq!(menu("1", &none), None);
        let n = near(&none);
        let r = route("menu 2 ya min, mau cek tiket", &n, &RoutePolicy::default());
        assert_eq!(r.map(|r| r.signal), Some(RouteSignal::Selection));
        // a bare menu, two menus, a question about the menu: not a choice
        assert_eq!(menu("menu 4", &none), None);
        assert_eq!(
            menu("menu 3 sm menu 4 datanya apa aja yg disiapin", &none),
            None
        );
        assert_eq!(
            menu("menu 4 ini bisa buat daftarin kontrak jg?", &none),
            None
        );
        assert_eq!(menu("tiket lama msh bisa dicek di menu 2", &none), None);
        assert_eq!(menu("menu 6 gimana caranya", &none), None);
    }

    #[test]
    fn found_data_and_what_is_still_needed() {
        let kontrak = [0.0, 0.0, 1.0, 0.0];
        let n = near(&kontrak);
        let r = route("cek kontrak kami", &n, &RoutePolicy::default()).unwrap();
        assert_eq!(r.needs, vec![Field::SatkerCode, Field::ContractNumber]);
        assert!(matches!(r.signal, RouteSignal::Examples { .. }));
        // a contract with its satker code is looked up, however far from the examples
        let none = NearestExamples::default();
        let r = route(
            "kontrak kami statusnya apa ya, satker 012345",
            &none,
            &RoutePolicy::default(),
        )
        .unwrap();
        assert_eq!(r.found.satker_code.as_deref(), Some("012345"));
        assert_eq!(r.needs, vec![Field::ContractNumber]);
        assert_eq!(r.signal, RouteSignal::Identifier);
        // ... unless it asks about it
        let asks = route(
            "kapan kontrak satker 012345 terdaftar",
            &none,
            &RoutePolicy::default(),
        );
        assert_eq!(asks, None);
        let r = route(
            "status tiket 20260414-dbkswu",
            &none,
            &RoutePolicy::default(),
        )
        .unwrap();
        assert_eq!(r.found.ticket_id.as_deref(), Some("20260414-DBKSWU"));
        assert!(r.needs.is_empty());
        assert_eq!(r.signal, RouteSignal::Identifier);
    }
}
