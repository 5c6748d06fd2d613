//! NIK, NIP and phone numbers however they are written: grouped by spaces, dots, dashes or slashes,
//! digit by digit, glued to letters (`nik3174...`, `wa0812...`), with `+62`, `62` or `0`.
//!
//! Digits are read as groups; neighbouring groups separated by a few separator characters form a run,
//! and inside a run the longest stretch of groups that reads as a NIK (16 digits), a NIP (18 digits
//! starting with a birth year) or a phone number is masked. What stays: satker codes, SP2D and billing
//! numbers, amounts written with thousands dots, dates, times, years, ticket numbers.

use std::ops::Range;

/// What a stretch of digits is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberKind {
    /// Nomor Induk Kependudukan: 16 digits.
    Nik,
    /// Nomor Induk Pegawai: 18 digits starting with the birth year.
    Nip,
    /// A phone number.
    Phone,
    /// A single unbroken stretch of more than 16 digits that is no NIP: it may hide one.
    Long,
}

/// A run of digits without separators.
struct Group {
    range: Range<usize>,
    digits: usize,
    /// The separator characters between the previous group of the run and this one.
    gap: String,
}

/// At most this many separator characters between two groups of one number ("0812 - 3456").
const MAX_GAP: usize = 3;
/// No number we mask is longer than this, so stretches stop growing here.
const MAX_DIGITS: usize = 18;

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | '-' | '/' | '_' | '(' | ')' | '\u{2010}'..='\u{2015}' | '\u{2212}'
        )
}

/// Byte ranges (in `text`, already folded) of personal numbers, outside the `skip` ranges.
pub(super) fn find(text: &str, skip: &[Range<usize>]) -> Vec<(Range<usize>, NumberKind)> {
    let mut found = Vec::new();
    for run in runs(text, skip) {
        let mut i = 0;
        while i < run.len() {
            let mut best = None;
            let mut digits = 0;
            for j in i..run.len() {
                digits += run[j].digits;
                if digits > MAX_DIGITS && j > i {
                    break;
                }
                if let Some(kind) = classify(text, &run[i..=j]) {
                    best = Some((j, kind));
                }
            }
            match best {
                Some((j, kind)) => {
                    let start = run[i].range.start;
                    // "+62 ..." loses its plus too
                    let start = if text[..start].ends_with('+') {
                        start - 1
                    } else {
                        start
                    };
                    found.push((start..run[j].range.end, kind));
                    i = j + 1;
                }
                None => i += 1,
            }
        }
    }
    found
}

/// Groups of digits, split into runs wherever something other than a short separator intervenes.
fn runs(text: &str, skip: &[Range<usize>]) -> Vec<Vec<Group>> {
    let mut runs: Vec<Vec<Group>> = Vec::new();
    let mut current: Vec<Group> = Vec::new();
    let mut gap = String::new();
    let mut gap_broken = false;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let skipped = skip.iter().any(|r| r.contains(&at));
        if c.is_ascii_digit() && !skipped {
            let mut end = at + 1;
            while let Some(&(next, d)) = chars.peek() {
                if !d.is_ascii_digit() || skip.iter().any(|r| r.contains(&next)) {
                    break;
                }
                end = next + 1;
                chars.next();
            }
            if gap_broken || gap.chars().count() > MAX_GAP {
                flush(&mut runs, &mut current);
            }
            current.push(Group {
                range: at..end,
                digits: end - at,
                gap: std::mem::take(&mut gap),
            });
            gap_broken = false;
        } else if is_separator(c) && !skipped {
            gap.push(c);
        } else {
            gap.clear();
            gap_broken = true;
        }
    }
    flush(&mut runs, &mut current);
    runs
}

fn flush(runs: &mut Vec<Vec<Group>>, current: &mut Vec<Group>) {
    if !current.is_empty() {
        runs.push(std::mem::take(current));
    }
}

/// What the groups read as together, if it is personal.
fn classify(text: &str, groups: &[Group]) -> Option<NumberKind> {
    let digits: String = groups.iter().map(|g| &text[g.range.clone()]).collect();
    let n = digits.len();
    if looks_like_dates(text, groups) {
        return None;
    }
    if n == 16 {
        return Some(NumberKind::Nik);
    }
    if n == 18 && (digits.starts_with("19") || digits.starts_with("20")) {
        return Some(NumberKind::Nip);
    }
    if groups.len() == 1 && n > 16 {
        return Some(NumberKind::Long);
    }
    let first = &groups[0];
    let plus = text[..first.range.start].ends_with('+');
    if !plus && looks_like_amount(text, groups) {
        return None;
    }
    let national = if let Some(rest) = digits.strip_prefix("62") {
        format!("0{rest}")
    } else if digits.starts_with('0') {
        digits
    } else if plus {
        // another country's number
        return (8..=15).contains(&n).then_some(NumberKind::Phone);
    } else if digits.starts_with('8') {
        // a mobile number without its leading 0
        format!("0{digits}")
    } else {
        return None;
    };
    let len = national.len();
    let mobile = national.starts_with("08") && (10..=13).contains(&len);
    // fixed lines: area codes 021 ... 0979, then the subscriber number
    let fixed =
        national[1..].starts_with(['2', '3', '4', '5', '6', '7', '9']) && (9..=12).contains(&len);
    (mobile || fixed).then_some(NumberKind::Phone)
}

/// Thousands grouping (`8.500.000.000`, `1,250,000`): an amount, not a phone number. Amounts never
/// start with 0, and `628...` is read as a phone number (privacy first).
fn looks_like_amount(text: &str, groups: &[Group]) -> bool {
    let first = &text[groups[0].range.clone()];
    groups.len() >= 2
        && groups[0].digits <= 3
        && !first.starts_with('0')
        && !first.starts_with("628")
        && groups[1..]
            .iter()
            .all(|g| g.digits == 3 && (g.gap == "." || g.gap == ","))
}

/// Two dates `dd/mm/yyyy` (or with `.` / `-`) joined by another separator: "01/12/2025-31/12/2025"
/// is a period, not a NIK. (One date has too few digits to be mistaken for anything.)
fn looks_like_dates(text: &str, groups: &[Group]) -> bool {
    let value = |g: &Group| text[g.range.clone()].parse::<u32>().unwrap_or(0);
    let date = |g: &[Group]| {
        (1..=31).contains(&value(&g[0]))
            && (1..=12).contains(&value(&g[1]))
            && (1900..=2100).contains(&value(&g[2]))
            && g[2].digits == 4
            && !g[1].gap.trim().is_empty()
            && g[1].gap == g[2].gap
    };
    groups.len() == 6
        && date(&groups[..3])
        && date(&groups[3..])
        && groups[3].gap.trim() != groups[1].gap.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, NumberKind)> {
        find(text, &[])
            .into_iter()
            .map(|(r, k)| (&text[r], k))
            .collect()
    }

    #[test]
    fn reads_grouped_and_glued_numbers() {
        use NumberKind::*;
        assert_eq!(kinds("nik3174017777777777"), [("3174017777777777", Nik)]);
        assert_eq!(
            kinds("31.74.02.123456.7891"),
            [("31.74.02.123456.7891", Nik)]
        );
        assert_eq!(kinds("3174 0123 4567 8901"), [("3174 0123 4567 8901", Nik)]);
        assert_eq!(kinds("08 12 11 12 22 22"), [("08 12 11 12 22 22", Phone)]);
        assert_eq!(kinds("0812/1112/5555"), [("0812/1112/5555", Phone)]);
        assert_eq!(
            kinds("+62 8 1 2 1 1 1 2 7 7 7 7"),
            [("+62 8 1 2 1 1 1 2 7 7 7 7", Phone)]
        );
        assert_eq!(kinds("telp (021) 344-9230"), [("021) 344-9230", Phone)]);
        assert_eq!(
            kinds("nip 198503302003121002"),
            [("198503302003121002", Nip)]
        );
        assert_eq!(
            kinds("3174012345678901 081234567890"),
            [("3174012345678901", Nik), ("081234567890", Phone)]
        );
    }

    #[test]
    fn leaves_treasury_numbers_alone() {
        for text in [
            "satker 012345 sp2d 240011301000123 tiket 20260414-DBKSWU tahun 2026",
            "pagu Rp 8.500.000.000 untuk belanja 521211",
            "periode 01/12/2025-31/12/2025 jam 08.00-16.00",
            "call center 14090 ext 2",
            "npwp 01.234.567.8-901.000",
        ] {
            assert!(kinds(text).is_empty(), "{text}: {:?}", kinds(text));
        }
    }
}
