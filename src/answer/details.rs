//! Details a question asks for that an entry must state to answer it, read from the words alone:
//! a number or year, a limit, a reason, an amount in a unit, a web or e-mail address, a phone
//! number, a time of day.
//! "sehari maksimal brp kali bisa reset?" asks a limit the reset entry never states; "alamat url
//! myintress apa?" asks an address that the entry about MyIntress does not give.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use super::DetailGap;

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
    let stated: HashSet<String> = crate::analysis::words(entry_text)
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
    // "krn apa" asks a reason as "kenapa" does
    let because_what = asked
        .windows(2)
        .find(|p| ["krn", "karena", "karna"].contains(&p[0].as_str()) && p[1] == "apa")
        .map(|p| &p[0]);
    if let Some(w) = asked
        .iter()
        .find(|w| REASON_ASKED.contains(&w.as_str()))
        .or(because_what)
    {
        if !REASON_STATED.iter().any(|s| names(s)) {
            return Some(DetailGap::Reason(w.clone()));
        }
    }
    if let Some((unit, w)) = amount_asked(&asked) {
        if !unit.stated_in(entry_text) {
            return Some(DetailGap::Amount(w));
        }
    }
    if let Some((kind, w)) = asked_for(&asked) {
        if !kind.stated_in(entry_text) {
            return Some(match kind {
                Asked::Time => DetailGap::Time(w),
                _ => DetailGap::Contact(w),
            });
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

/// The unit an amount is asked in ("berapa persen", "brp lama", "biayanya brp").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A share: persen, %.
    Percent,
    /// A duration: lama, hari, minggu, bulan, tahun, jam, menit.
    Duration,
    /// Money: biaya, tarif, harga, rupiah.
    Money,
    /// A count of people or things: orang, buah, digit, karakter, lembar, file.
    Count,
}

const PERCENT_WORDS: &[&str] = &["persen", "persentase", "percent"];
const DURATION_WORDS: &[&str] = &[
    "lama", "lamanya", "hari", "minggu", "bulan", "tahun", "jam", "menit", "detik",
];
const MONEY_WORDS: &[&str] = &[
    "biaya", "biayanya", "tarif", "tarifnya", "harga", "harganya", "rupiah", "rp", "duit",
];
const COUNT_WORDS: &[&str] = &[
    "orang", "org", "buah", "digit", "karakter", "lembar", "file",
];

/// The unit of an amount `words` ask for, and the word naming it: "berapa"/"brp" followed within
/// two words by a unit word ("brp hari", "berapa sih lama"), or a money word followed by one of
/// them ("biayanya brp").
fn amount_asked(words: &[String]) -> Option<(Unit, String)> {
    let unit_of = |w: &str| {
        [
            (PERCENT_WORDS, Unit::Percent),
            (DURATION_WORDS, Unit::Duration),
            (MONEY_WORDS, Unit::Money),
            (COUNT_WORDS, Unit::Count),
        ]
        .into_iter()
        .find(|(list, _)| list.contains(&w))
        .map(|(_, unit)| unit)
    };
    let how_much = |w: &str| w == "berapa" || w == "brp";
    words.iter().enumerate().find_map(|(i, w)| {
        if how_much(w) {
            words[i + 1..]
                .iter()
                .take(2)
                .find_map(|next| unit_of(next).map(|u| (u, next.clone())))
        } else if unit_of(w) == Some(Unit::Money) && words.get(i + 1).is_some_and(|n| how_much(n)) {
            Some((Unit::Money, w.clone()))
        } else {
            None
        }
    })
}

impl Unit {
    /// Whether `text` states an amount in this unit.
    fn stated_in(self, text: &str) -> bool {
        let s = stated();
        match self {
            Unit::Percent => s.percent.is_match(text),
            Unit::Duration => s.duration.is_match(text),
            Unit::Money => s.money.is_match(text),
            Unit::Count => s.count.is_match(text),
        }
    }
}

/// What kind of reference a question asks for (see [`asked_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    /// A web address: url, link, website, situs, laman.
    Web,
    /// An e-mail address.
    Email,
    /// An address of any kind ("alamat": a street, a website, an e-mail).
    Address,
    /// A phone or WhatsApp number.
    Phone,
    /// A time of day ("jam berapa", "pukul berapa").
    Time,
}

/// Words naming what is asked, by kind. A phone number is asked by `nomor`/`no` only beside one
/// of [`PHONE_WITH`].
const WEB_WORDS: &[&str] = &[
    "url",
    "link",
    "linknya",
    "website",
    "websitenya",
    "web",
    "webnya",
    "situs",
    "laman",
];
const EMAIL_WORDS: &[&str] = &["email", "emailnya", "e-mail", "surel"];
const ADDRESS_WORDS: &[&str] = &["alamat", "alamatnya"];
const PHONE_WORDS: &[&str] = &[
    "telp", "telpnya", "telepon", "tlp", "hotline", "kontak", "cp",
];
const PHONE_WITH: &[&str] = &["hp", "wa", "whatsapp"];
const TIME_WORDS: &[&str] = &["jam", "pukul"];

/// Words that ask for the thing named right before them ("emailnya apa", "alamatnya dimana",
/// "telp kppn brp").
const WHICH_WORDS: &[&str] = &["apa", "mana", "dimana", "brp", "berapa", "what", "which"];

/// How many words after the named kind an asking word may come.
const WHICH_WITHIN: usize = 6;

/// The kind of reference `words` ask for, and the word that names it: a kind word followed within
/// [`WHICH_WITHIN`] words by an asking word ("ke mana", where something goes, does not ask), or
/// preceded by "minta" ("minta link nya"). A time is asked only as "jam/pukul berapa".
fn asked_for(words: &[String]) -> Option<(Asked, String)> {
    let is = |i: usize, list: &[&str]| words.get(i).is_some_and(|w| list.contains(&w.as_str()));
    let asks_after = |i: usize| {
        (i + 1..(i + 1 + WHICH_WITHIN).min(words.len()))
            .any(|j| is(j, WHICH_WORDS) && !(j > 0 && is(j - 1, &["ke"]) && is(j, &["mana"])))
    };
    (0..words.len()).find_map(|i| {
        let kind = if is(i, TIME_WORDS) {
            return is(i + 1, &["brp", "berapa"]).then(|| (Asked::Time, words[i].clone()));
        } else if is(i, WEB_WORDS) {
            Asked::Web
        } else if is(i, EMAIL_WORDS) {
            Asked::Email
        } else if is(i, ADDRESS_WORDS) {
            Asked::Address
        } else if is(i, PHONE_WORDS) || (is(i, &["nomor", "no", "nomer"]) && is(i + 1, PHONE_WITH))
        {
            Asked::Phone
        } else {
            return None;
        };
        let requested = i > 0 && is(i - 1, &["minta"]);
        (requested || asks_after(i)).then(|| (kind, words[i].clone()))
    })
}

/// Patterns of what an entry states: an amount in each [`Unit`], a web address, an e-mail
/// address, a street, a phone number (at least five digits, or a number written with its area
/// code), a time of day.
struct Stated {
    percent: Regex,
    duration: Regex,
    money: Regex,
    count: Regex,
    web: Regex,
    email: Regex,
    street: Regex,
    phone: Regex,
    time: Regex,
}

fn stated() -> &'static Stated {
    static S: OnceLock<Stated> = OnceLock::new();
    S.get_or_init(|| {
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("detail pattern {p}: {e}"));
        // an amount: digits or a number word, then the unit
        let n = r"(?i)(\b\d+([.,]\d+)?|\b(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|belas|puluh|ratus|se))\s*";
        Stated {
            percent: re(&format!(r"{n}(%|persen)")),
            duration: re(&format!(r"{n}(hari|minggu|bulan|tahun|jam|menit|detik)\b")),
            money: re(&format!(
                r"{n}(rupiah|juta|ribu|miliar)\b|\brp\.?\s*\d|\b(gratis|tanpa biaya|tidak dipungut|tidak dikenakan)"
            )),
            count: re(&format!(r"{n}(orang|buah|digit|karakter|lembar|file)\b")),
            web: re(r"(?i)https?://|www\.|\b[a-z0-9-]+\.(go|co|or|ac)\.id\b|\b[a-z0-9-]+\.(id|com|org|net)\b"),
            email: re(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b"),
            street: re(r"(?i)\b(jl|jln|jalan|gedung|gd)\b\.?"),
            phone: re(r"\b\d{5,}\b|\(?\b0\d{2,3}\)?[ -]\d{3,}"),
            time: re(r"(?i)\b\d{1,2}[.:]\d{2}\b|\b(pukul|jam)\s+\d{1,2}\b|\b24\s*jam\b"),
        }
    })
}

impl Asked {
    /// Whether `text` states something of this kind.
    fn stated_in(self, text: &str) -> bool {
        let s = stated();
        match self {
            Asked::Web => s.web.is_match(text),
            Asked::Email => s.email.is_match(text),
            Asked::Address => {
                s.web.is_match(text) || s.email.is_match(text) || s.street.is_match(text)
            }
            Asked::Phone => s.phone.is_match(text),
            Asked::Time => s.time.is_match(text),
        }
    }
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
        assert_eq!(
            detail_gap("reset sakti ditolak biasanya krn apa?", RESET),
            Some(DetailGap::Reason("krn".into()))
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

    #[test]
    fn an_address_number_or_hour_asked_must_be_given() {
        const PORTAL: &str =
            "MyIntress menggantikan Monsakti untuk HAI-CSO. Login dengan user SAKTI.";
        assert_eq!(
            detail_gap("alamat url aplikasi myintress apa ya?", PORTAL),
            Some(DetailGap::Contact("alamat".into()))
        );
        assert_eq!(
            detail_gap("minta link nya dong", PORTAL),
            Some(DetailGap::Contact("link".into()))
        );
        let with_url = format!("{PORTAL} Alamatnya https://myintress.kemenkeu.go.id.");
        assert_eq!(detail_gap("alamat url myintress apa?", &with_url), None);
        assert_eq!(
            detail_gap("no telp kppn khusus pinjaman dan hibah brp?", PORTAL),
            Some(DetailGap::Contact("telp".into()))
        );
        assert_eq!(
            detail_gap(
                "nomor telepon call center brp",
                "Call center 14090 melayani..."
            ),
            None
        );
        assert_eq!(
            detail_gap("wa djpk melayani jam brp?", PORTAL),
            Some(DetailGap::Time("jam".into()))
        );
        assert_eq!(
            detail_gap(
                "layanan tutup jam berapa",
                "Senin-Jumat pukul 08.00-17.00 WIB."
            ),
            None
        );
        // where a link goes, or a phone without an asking word, asks for no address
        assert_eq!(
            detail_gap("link reset digit dikirim ke mana ya", PORTAL),
            None
        );
        assert_eq!(detail_gap("no hp sy ganti, gmn reset", PORTAL), None);
        assert_eq!(detail_gap("email saya salah ketik", PORTAL), None);
    }

    #[test]
    fn an_amount_asked_must_be_stated_in_its_unit() {
        const FUND: &str = "BPDLH menyalurkan dana bergulir untuk usaha lingkungan hidup.";
        assert_eq!(
            detail_gap("bunga dana bergulir bpdlh brp persen?", FUND),
            Some(DetailGap::Amount("persen".into()))
        );
        let with_rate = format!("{FUND} Bunganya 2,5 persen per tahun.");
        assert_eq!(
            detail_gap("bunga dana bergulir brp persen?", &with_rate),
            None
        );
        assert_eq!(
            detail_gap("berapa lama sms password baru masuk", RESET),
            Some(DetailGap::Amount("lama".into()))
        );
        assert_eq!(
            detail_gap(
                "tiket dijawab brp hari kerja",
                "Tiket dijawab paling lambat 3 hari kerja."
            ),
            None
        );
        assert_eq!(
            detail_gap("biayanya brp?", "Layanan ini tidak dipungut biaya."),
            None
        );
        // "berapa" without a unit asks no amount in a unit
        assert_eq!(detail_gap("menu berapa buat reset sakti", RESET), None);
    }
}
