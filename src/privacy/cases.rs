//! The masking table: every form an attack probe or a user has sent, what must come out, and a
//! property test that hides generated NIKs, phone numbers and addresses in chat text.

use proptest::prelude::*;

use super::{folded, mask};

/// (what the user wrote, what may be stored and logged)
const CASES: &[(&str, &str)] = &[
    // NIK: glued, underscored, dotted 2-2-2-6-4, 4-4-4-4, 6-6-4, zero-width inside
    ("nik3174017777777777", "nik[NIK]"),
    ("nik_3174018888888888", "nik_[NIK]"),
    ("3174019999999999abc", "[NIK]abc"),
    ("31.74.02.123456.7891", "[NIK]"),
    ("NIK: 3174 0123 4567 8901", "NIK: [NIK]"),
    ("nik 317401-234567-8901 ya", "nik [NIK] ya"),
    ("nik 3174\u{200B}0123\u{200B}4567\u{200B}8901", "nik [NIK]"),
    ("nik ３１７４０１２３４５６７８９０１", "nik [NIK]"),
    ("NIP 19850330 200312 1 002", "NIP [NIP]"),
    // phones: spaced, glued, slashed, digit by digit, +62 / 62 / 0, fixed lines
    ("08 12 11 12 22 22", "[TELEPON]"),
    ("wa081211123333", "wa[TELEPON]"),
    ("0812/1112/5555", "[TELEPON]"),
    ("+62 8 1 2 1 1 1 2 7 7 7 7", "[TELEPON]"),
    ("hubungi 6281211124444.", "hubungi [TELEPON]."),
    ("hp: 0812.1112.6666", "hp: [TELEPON]"),
    ("telp (021) 3449230", "telp ([TELEPON]"),
    ("no 812-1112-8888", "no [TELEPON]"),
    ("call +1 415 555 0100", "call [TELEPON]"),
    // e-mails: spaced, spelled out, single label, quoted, other scripts, full-width @
    ("budi2 @ gmail.com", "[EMAIL]"),
    ("budi3(at)gmail(dot)com", "[EMAIL]"),
    ("budi9 [at] gmail [dot] com", "[EMAIL]"),
    ("budi10 at gmail dot com", "[EMAIL]"),
    ("budi4@localhost", "[EMAIL]"),
    ("\"budi six\"@gmail.com", "[EMAIL]"),
    ("budi7@kemenkeu.中国", "[EMAIL]"),
    ("budi8＠gmail.com", "[EMAIL]"),
    ("bùdi5@gmail.com", "[EMAIL]"),
    ("email: BUDI.S+kppn@Kemenkeu.GO.ID.", "email: [EMAIL]."),
    // what must stay: the numbers a treasury question is about
    (
        "satker 012345 sp2d 240011301000123",
        "satker 012345 sp2d 240011301000123",
    ),
    (
        "tiket 20260414-DBKSWU tahun 2026",
        "tiket 20260414-DBKSWU tahun 2026",
    ),
    (
        "pagu Rp 8.500.000.000 akun 521211",
        "pagu Rp 8.500.000.000 akun 521211",
    ),
    (
        "periode 01/12/2025-31/12/2025",
        "periode 01/12/2025-31/12/2025",
    ),
    (
        "jam 08.00-16.00 wib, call center 14090",
        "jam 08.00-16.00 wib, call center 14090",
    ),
    ("npwp 01.234.567.8-901.000", "npwp 01.234.567.8-901.000"),
    ("halo @admin, rapat at 10.00", "halo @admin, rapat at 10.00"),
    ("SPM 00123T/012345/2026", "SPM 00123T/012345/2026"),
];

#[test]
fn every_case_of_the_table() {
    let wrong: Vec<String> = CASES
        .iter()
        .filter(|(input, expected)| mask(input) != *expected)
        .map(|(input, expected)| format!("{input:?}: got {:?}, want {expected:?}", mask(input)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Digits of `text` after folding, with separators dropped but letters kept as breaks.
fn digit_skeleton(text: &str) -> String {
    folded::Folded::new(text)
        .text
        .chars()
        .filter(|c| !(c.is_whitespace() || ".-/_()+".contains(*c)))
        .collect()
}

/// Writes `digits` in groups of random sizes with a random separator style.
fn grouped(digits: String) -> impl Strategy<Value = String> {
    let seps = prop_oneof![
        Just(""),
        Just(" "),
        Just("."),
        Just("-"),
        Just("/"),
        Just(" - "),
        Just("\u{200B}"),
        Just("_")
    ];
    (seps, proptest::collection::vec(1usize..6, 1..20)).prop_map(move |(sep, sizes)| {
        let mut out = String::new();
        let mut rest = digits.as_str();
        for size in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let take = (*size).min(rest.len());
            if !out.is_empty() {
                out.push_str(sep);
            }
            out.push_str(&rest[..take]);
            rest = &rest[take..];
        }
        out
    })
}

fn nik() -> impl Strategy<Value = (String, String)> {
    "[1-9][0-9]{15}".prop_flat_map(|d| grouped(d.clone()).prop_map(move |w| (w, d.clone())))
}

fn phone() -> impl Strategy<Value = (String, String)> {
    (
        "8[1-9][0-9]{7,10}",
        prop_oneof![Just("0"), Just("+62"), Just("62"), Just("+62 ")],
    )
        .prop_flat_map(|(subscriber, prefix)| {
            grouped(subscriber.clone())
                .prop_map(move |w| (format!("{prefix}{w}"), subscriber.clone()))
        })
}

fn email() -> impl Strategy<Value = (String, String)> {
    let local = "[a-zà-öø-ÿ][a-z0-9à-öø-ÿ]{5,10}";
    let domain = prop_oneof![
        Just("gmail.com"),
        Just("kemenkeu.go.id"),
        Just("yahoo.co.id"),
        Just("kemenkeu.中国"),
        Just("localhost")
    ];
    let at = prop_oneof![
        Just("@"),
        Just(" @ "),
        Just("＠"),
        Just("(at)"),
        Just(" [at] ")
    ];
    (local, at, domain).prop_map(|(local, at, domain)| {
        let domain = if at == "@" || at == "＠" || domain != "localhost" {
            domain.to_string()
        } else {
            "gmail.com".to_string()
        };
        let domain = if at.contains("at") {
            domain.replace('.', "(dot)")
        } else {
            domain
        };
        (format!("{local}{at}{domain}"), local)
    })
}

fn filler() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("saya"),
        Just("nik"),
        Just("hp"),
        Just("wa"),
        Just("email"),
        Just("sp2d"),
        Just("satker 012345"),
        Just("tahun 2026"),
        Just("tolong"),
        Just("cek"),
        Just("ya"),
        Just("kak,"),
        Just("🙏"),
        Just("no:"),
        Just("Rp 1.500.000"),
        Just("pukul 08.00"),
        Just("\n"),
        Just("sdh"),
        Just("NIK:"),
        Just("ke")
    ];
    proptest::collection::vec(word, 0..6).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_generated_personal_data_survives(
        before in filler(),
        (written, core) in prop_oneof![nik(), phone(), email()],
        glue in prop_oneof![Just(" "), Just(""), Just(": "), Just("_")],
        after in filler(),
    ) {
        let text = format!("{before} x{glue}{written} {after}");
        let masked = mask(&text);
        prop_assert!(
            !digit_skeleton(&masked).contains(&digit_skeleton(&core)),
            "{core} survives in {masked:?} (from {text:?})"
        );
    }

    #[test]
    fn masking_never_panics_and_keeps_text_without_digits_or_at(text in "\\PC{0,200}") {
        let masked = mask(&text);
        if !text.chars().any(|c| c.is_numeric() || c == '@' || c == '＠' || c == '﹫')
            && !text.to_lowercase().contains("at")
        {
            prop_assert_eq!(masked, text);
        }
    }
}
