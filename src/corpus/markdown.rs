//! Markdown entries: YAML front matter between `---` lines, then the body.
//!
//! Front matter is read strictly: every field is plain text (or a list of texts), so a number, a
//! boolean, a mapping or a YAML tag is reported instead of being turned into text or dropped.
//! Values are captured without expanding nested aliases, so an alias "bomb" costs no more than
//! the text it is written in.

use std::fmt;
use std::path::Path;

use serde::de::{
    self, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde::Deserialize;

use super::{validate, CorpusError, CorpusErrorKind, Entry, EntryId, EntryType, Origin};

/// Front matter fields; unknown keys are rejected so a typo never silently drops data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Option<Yaml>,
    title: Option<Yaml>,
    #[serde(rename = "type")]
    kind: Option<Yaml>,
    category: Option<Yaml>,
    tags: Option<Yaml>,
    questions: Option<Yaml>,
    updated: Option<Yaml>,
    action: Option<Yaml>,
    /// Where the facts come from (for editors; not indexed).
    source: Option<Yaml>,
    /// Imported entries: the document's file name (not indexed).
    source_file: Option<Yaml>,
    /// Imported entries: `blake3:<64 hex digits>` of the document's bytes (not indexed).
    source_hash: Option<Yaml>,
    /// Imported entries: when the document was imported, RFC 3339 in UTC (not indexed).
    imported: Option<Yaml>,
}

/// What `haipedia import` records in an entry's front matter (all absent for hand-written ones).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStamp {
    /// The imported document's file name (`source_file`).
    pub source_file: Option<String>,
    /// `blake3:<64 hex digits>` of the document's bytes (`source_hash`).
    pub source_hash: Option<String>,
    /// When it was imported, `YYYY-MM-DDTHH:MM:SSZ` (`imported`).
    pub imported: Option<String>,
}

/// Put before the front matter so that the standard YAML tags (`!!binary`, `!!str`, ...), which
/// the YAML reader would otherwise drop silently (`title: !!binary aGk=` read as the text
/// `aGk=`), arrive as named tags and are reported.
const TAG_PREFIX: &str = "%TAG !! !yaml-\n---\n";

/// Lines [`TAG_PREFIX`] adds above the front matter.
const TAG_PREFIX_LINES: usize = 2;

/// One front matter value as written: its YAML type, the text of scalars, and for a list its
/// items (a nested list or mapping is skipped unread, never expanded).
#[derive(Debug)]
enum Yaml {
    /// `null`, `~` or nothing.
    Null,
    /// A string (plain or quoted).
    Str(String),
    /// A number, in decimal (`2026.0` stays `2026.0`: Rust's `{:?}` of the value).
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// A list: its items up to the first that is neither a string nor a number (the rest is
    /// skipped unread).
    List(Vec<Yaml>),
    /// A list inside a list.
    NestedList,
    /// A mapping.
    Mapping,
    /// A value with a YAML tag, as written (`!!binary`, `!name`).
    Tagged(String),
}

impl Yaml {
    /// What was written, for a message ("a number (12345)", "a mapping").
    fn describe(&self) -> String {
        match self {
            Yaml::Null => "null".to_string(),
            Yaml::Str(_) => "a string".to_string(),
            Yaml::Number(n) => format!("a number ({n})"),
            Yaml::Bool(b) => format!("a boolean ({b})"),
            Yaml::List(_) | Yaml::NestedList => "a list".to_string(),
            Yaml::Mapping => "a mapping".to_string(),
            Yaml::Tagged(t) => format!("a value tagged {t}"),
        }
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Yaml, D::Error> {
        deserializer.deserialize_any(YamlVisitor { top: true })
    }
}

/// Captures a [`Yaml`]; `top` is false for list items, whose own lists are skipped.
struct YamlVisitor {
    top: bool,
}

impl<'de> de::DeserializeSeed<'de> for YamlVisitor {
    type Value = Yaml;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Yaml, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a front matter value")
    }

    fn visit_str<E>(self, v: &str) -> Result<Yaml, E> {
        Ok(Yaml::Str(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Yaml, E> {
        Ok(Yaml::Str(v))
    }

    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_none<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Yaml, E> {
        Ok(Yaml::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Yaml, E> {
        Ok(Yaml::Number(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Yaml, E> {
        Ok(Yaml::Number(v.to_string()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Yaml, E> {
        Ok(Yaml::Number(v.to_string()))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Yaml, E> {
        Ok(Yaml::Number(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Yaml, E> {
        Ok(Yaml::Number(format!("{v:?}")))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        if !self.top {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Yaml::NestedList);
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(YamlVisitor { top: false })? {
            let wrong = !matches!(item, Yaml::Str(_) | Yaml::Number(_));
            items.push(item);
            if wrong {
                // the first item that can never be text is reported; the rest is skipped unread
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                break;
            }
        }
        Ok(Yaml::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Yaml::Mapping)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Yaml, A::Error> {
        let (tag, value): (String, _) = data.variant()?;
        value.newtype_variant::<IgnoredAny>()?;
        let tag = match tag.strip_prefix("yaml-") {
            Some(name) => format!("!!{name}"),
            None => format!("!{tag}"),
        };
        Ok(Yaml::Tagged(tag))
    }
}

/// Turns the front matter's values into text; a problem comes with the line of its key.
struct Strict<'a> {
    front: &'a str,
}

impl Strict<'_> {
    /// The line to report a field's problem at: its key's line, else the front matter's first.
    fn line(&self, field: &str) -> usize {
        key_line(self.front, field).unwrap_or(2)
    }

    /// The problem of `field` (or of its item number `item`) holding `value`.
    fn wrong(
        &self,
        field: &'static str,
        expected: &'static str,
        value: &Yaml,
        item: Option<usize>,
    ) -> (usize, CorpusErrorKind) {
        if let Yaml::Tagged(tag) = value {
            return (self.line(field), CorpusErrorKind::YamlTag(tag.clone()));
        }
        let what = value.describe();
        let hint = if matches!(value, Yaml::Number(_) | Yaml::Bool(_)) {
            ": put it in quotes if it is meant as text"
        } else {
            ""
        };
        let found = match item {
            Some(i) => format!("item {i} is {what}{hint}"),
            None => format!("it is {what}{hint}"),
        };
        (
            self.line(field),
            CorpusErrorKind::WrongType {
                field,
                expected,
                found,
            },
        )
    }

    /// A string field (absent or null: `None`).
    fn string(
        &self,
        field: &'static str,
        value: Option<Yaml>,
    ) -> Result<Option<String>, (usize, CorpusErrorKind)> {
        match value {
            None | Some(Yaml::Null) => Ok(None),
            Some(Yaml::Str(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(field, "a string", &other, None)),
        }
    }

    /// A list of strings (absent or null: empty). With `numbers`, a number is an item too, kept
    /// exactly as written (`tags: [call center, 14090, 2026.0]`; not `0x10` or `1e3`).
    fn strings(
        &self,
        field: &'static str,
        value: Option<Yaml>,
        numbers: bool,
    ) -> Result<Vec<String>, (usize, CorpusErrorKind)> {
        const EXPECTED: &str = "a list of strings";
        match value {
            None | Some(Yaml::Null) => Ok(Vec::new()),
            Some(Yaml::List(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Yaml::Str(s) => Ok(s),
                    Yaml::Number(n) if numbers && written(field_text(self.front, field), &n) => {
                        Ok(n)
                    }
                    other => Err(self.wrong(field, EXPECTED, &other, Some(i + 1))),
                })
                .collect(),
            Some(other) => Err(self.wrong(field, EXPECTED, &other, None)),
        }
    }

    /// A string field that must pass `valid` (absent or null: `None`).
    fn checked(
        &self,
        field: &'static str,
        expected: &'static str,
        value: Option<Yaml>,
        valid: fn(&str) -> bool,
    ) -> Result<Option<String>, (usize, CorpusErrorKind)> {
        match self.string(field, value)? {
            Some(s) if !valid(&s) => Err((
                self.line(field),
                CorpusErrorKind::WrongType {
                    field,
                    expected,
                    found: format!("it is '{}'", s.escape_default()),
                },
            )),
            other => Ok(other),
        }
    }

    /// `updated`: a date written YYYY-MM-DD (absent or null: `None`).
    fn date(&self, value: Option<Yaml>) -> Result<Option<String>, (usize, CorpusErrorKind)> {
        match value {
            None | Some(Yaml::Null) => Ok(None),
            Some(Yaml::Str(s)) if is_date(&s) => Ok(Some(s)),
            Some(Yaml::Str(s)) => Err((self.line("updated"), CorpusErrorKind::InvalidDate(s))),
            Some(other) => Err(self.wrong("updated", "a date written YYYY-MM-DD", &other, None)),
        }
    }
}

/// The file line of the YAML reader's line `parsed`: it counts from [`TAG_PREFIX`]'s first
/// line, and the file has one line (`---`) above the front matter.
fn file_line(parsed: usize) -> usize {
    (parsed + 1).saturating_sub(TAG_PREFIX_LINES).max(2)
}

/// A front matter syntax error as reported: the file line, and the message without the YAML
/// reader's positions (its lines count from [`TAG_PREFIX`]) but with the column. An unclosed
/// list, mapping or quoted text is reported where it opens, anything else where the reader stopped.
fn syntax_error(e: &serde_yaml::Error) -> (usize, String) {
    let text = e.to_string();
    let (problem, context) = match text.split_once(", while ") {
        Some((problem, context)) => (problem, Some(context)),
        None => (text.as_str(), None),
    };
    let (problem, stopped) = strip_position(problem);
    let stopped = stopped.or(e.location().map(|l| (l.line(), l.column())));
    let (message, at) = match context.map(strip_position) {
        Some((context, opened)) => {
            let unclosed = context.contains("flow") || context.contains("quoted");
            let at = if unclosed {
                opened.or(stopped)
            } else {
                stopped
            };
            (format!("{problem}, while {context}"), at)
        }
        None => (problem.to_string(), stopped),
    };
    match at {
        Some((line, column)) => (file_line(line), format!("{message} (column {column})")),
        None => (1, message),
    }
}

/// `text` without a trailing " at line N column M" (returned) or " at position N".
fn strip_position(text: &str) -> (&str, Option<(usize, usize)>) {
    if let Some(at) = text.rfind(" at line ") {
        if let Some((line, column)) = text[at + " at line ".len()..].split_once(" column ") {
            if let (Ok(line), Ok(column)) = (line.parse(), column.parse()) {
                return (&text[..at], Some((line, column)));
            }
        }
    }
    match text.rfind(" at position ") {
        Some(at) if text[at + " at position ".len()..].parse::<usize>().is_ok() => {
            (&text[..at], None)
        }
        _ => (text, None),
    }
}

/// `result`'s value, or the default with its problem noted.
fn noted<T: Default>(
    result: Result<T, (usize, CorpusErrorKind)>,
    problems: &mut Vec<(usize, CorpusErrorKind)>,
) -> T {
    result.unwrap_or_else(|problem| {
        problems.push(problem);
        T::default()
    })
}

/// The front matter lines of a top-level key: its own line and the indented or `-` lines below.
fn field_text<'a>(front: &'a str, key: &str) -> &'a str {
    let Some(first) = key_line(front, key).map(|l| l - 2) else {
        return "";
    };
    let mut lines = front.split_inclusive('\n');
    let start: usize = lines.by_ref().take(first).map(str::len).sum();
    let len: usize = front[start..]
        .split_inclusive('\n')
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.starts_with([' ', '\t', '-', '#']) || l.trim().is_empty())
        .map(|(_, l)| l.len())
        .sum();
    &front[start..start + len]
}

/// Whether the number `n` (as [`Yaml::Number`] renders it) appears as such in `text`, not only
/// as `0x10`, `+5`, `1e3` or `2026.00`: then taking it as text changes nothing.
fn written(text: &str, n: &str) -> bool {
    text.match_indices(n).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + n.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || "+-.".contains(c))
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '.')
    })
}

/// Whether `s` is `blake3:` and 64 lowercase hex digits.
fn is_blake3(s: &str) -> bool {
    s.strip_prefix("blake3:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether `s` is a UTC time written `YYYY-MM-DDTHH:MM:SSZ`.
fn is_utc_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 20
        && is_date(&s[..10])
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
}

/// Whether `s` is a date written YYYY-MM-DD (month 01-12, day 01-31).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let number = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && (1..=12).contains(&number(5..7))
        && (1..=31).contains(&number(8..10))
}

/// The file line of the first verbatim YAML tag (`!<...>`) at the start of a value, which the
/// YAML reader would apply silently (other tags are caught by [`TAG_PREFIX`]).
fn verbatim_tag(front: &str) -> Option<(usize, String)> {
    front.lines().enumerate().find_map(|(i, line)| {
        line.match_indices("!<").find_map(|(at, _)| {
            let before = line[..at].trim_end();
            let starts_value =
                before.is_empty() || before.ends_with([':', '-', '[', '{', ',', '?']);
            starts_value.then(|| {
                let rest = &line[at..];
                let end = rest
                    .find('>')
                    .map(|e| e + 1)
                    .or_else(|| rest.find(char::is_whitespace))
                    .unwrap_or(rest.len());
                let tag = &rest[..end];
                (i + 2, tag.to_string())
            })
        })
    })
}

/// Parses one Markdown entry file.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Entry, CorpusError> {
    parse_stamped(path, text).map(|(entry, _)| entry)
}

/// Parses one Markdown entry file with what an import recorded in it.
pub(crate) fn parse_stamped(path: &Path, text: &str) -> Result<(Entry, ImportStamp), CorpusError> {
    let err = |line: usize, kind| CorpusError {
        path: path.to_path_buf(),
        line,
        kind,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return Err(err(1, CorpusErrorKind::MissingFrontMatter));
    }
    let mut front = String::new();
    let mut closed_at = None;
    for (i, line) in lines.by_ref().enumerate() {
        if line.trim_end() == "---" {
            closed_at = Some(i + 2);
            break;
        }
        front.push_str(line);
    }
    let Some(close_line) = closed_at else {
        return Err(err(1, CorpusErrorKind::UnclosedFrontMatter));
    };
    let body: String = lines.collect();
    if let Some((line, tag)) = verbatim_tag(&front) {
        return Err(err(line, CorpusErrorKind::YamlTag(tag)));
    }
    let tagged = format!("{TAG_PREFIX}{front}");
    let fm: FrontMatter = serde_yaml::from_str(&tagged).map_err(|e| {
        let (line, message) = syntax_error(&e);
        err(
            line,
            CorpusErrorKind::Syntax {
                format: "front matter",
                message,
            },
        )
    })?;
    // every field is checked; the problem nearest the top of the file is reported
    let strict = Strict { front: &front };
    let mut problems = Vec::new();
    let id = noted(strict.string("id", fm.id), &mut problems);
    let title = noted(strict.string("title", fm.title), &mut problems);
    let kind = noted(strict.string("type", fm.kind), &mut problems);
    let category = noted(strict.string("category", fm.category), &mut problems);
    let tags = noted(strict.strings("tags", fm.tags, true), &mut problems);
    let questions = noted(
        strict.strings("questions", fm.questions, false),
        &mut problems,
    );
    let updated = noted(strict.date(fm.updated), &mut problems);
    let action = noted(strict.string("action", fm.action), &mut problems);
    noted(strict.string("source", fm.source), &mut problems);
    let stamp = ImportStamp {
        source_file: noted(strict.string("source_file", fm.source_file), &mut problems),
        source_hash: noted(
            strict.checked(
                "source_hash",
                "blake3: and 64 lowercase hex digits",
                fm.source_hash,
                is_blake3,
            ),
            &mut problems,
        ),
        imported: noted(
            strict.checked(
                "imported",
                "a UTC time written YYYY-MM-DDTHH:MM:SSZ",
                fm.imported,
                is_utc_time,
            ),
            &mut problems,
        ),
    };
    if let Some((line, kind)) = problems.into_iter().min_by_key(|(line, _)| *line) {
        return Err(err(line, kind));
    }
    let key_line = |key: &str| key_line(&front, key).unwrap_or(1);
    let kind = match kind.as_deref() {
        None => EntryType::Article,
        Some(k) => EntryType::parse(k).ok_or_else(|| {
            err(
                key_line("type"),
                CorpusErrorKind::InvalidType(k.to_string()),
            )
        })?,
    };
    let entry = Entry {
        id: EntryId(id.unwrap_or_default().trim().to_string()),
        title: title.unwrap_or_default().trim().to_string(),
        kind,
        category: category.filter(|c| !c.trim().is_empty()),
        tags,
        questions,
        updated,
        action,
        body: body.trim().to_string(),
        origin: Origin {
            path: path.to_path_buf(),
            line: key_line("id"),
        },
    };
    validate(&entry, true).map_err(|kind| {
        let line = match kind {
            CorpusErrorKind::EmptyBody => close_line,
            CorpusErrorKind::MissingField(f) => key_line(f),
            _ => key_line("id"),
        };
        err(line, kind)
    })?;
    Ok((entry, stamp))
}

/// 1-based file line of a top-level front matter key (the file's line 1 is the opening `---`).
fn key_line(front: &str, key: &str) -> Option<usize> {
    front
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|i| i + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Entry, CorpusError> {
        parse(Path::new("x.md"), text)
    }

    #[test]
    fn parses_a_faq() {
        let e = parse_str("---\nid: a-b\ntitle: Judul\ntype: faq\ntags: [sakti]\nquestions:\n  - gmn\nupdated: 2026-11-22\n---\nIsi jawaban.\n").unwrap();
        assert_eq!(e.id.0, "a-b");
        assert_eq!(e.kind, EntryType::Faq);
        assert_eq!(e.questions, vec!["gmn"]);
        assert_eq!(e.updated.as_deref(), Some("2026-11-22"));
        assert_eq!(e.body, "Isi jawaban.");
        assert_eq!(e.origin.line, 2);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_str("---\nid: a\ntitle: [unclosed\n---\nbody\n").unwrap_err();
        assert!(matches!(e.kind, CorpusErrorKind::Syntax { .. }), "{e}");
        // reported where the unclosed list opens, with no second line number in the message
        assert_eq!(e.line, 3, "{e}");
        assert!(
            e.to_string()
                .ends_with("while parsing a flow sequence (column 8)"),
            "{e}"
        );
        let e = parse_str("---\nid: a\ntitle: t\n  bad: x\n---\nbody\n").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(!e.to_string().contains("at line"), "{e}");
        let e = parse_str("---\nid: a\ntitle: t\ntype: blog\n---\nbody\n").unwrap_err();
        assert_eq!(
            (e.line, e.kind),
            (4, CorpusErrorKind::InvalidType("blog".into()))
        );
        let e = parse_str("---\nid: a\ntitle: t\n---\n\n").unwrap_err();
        assert_eq!((e.line, e.kind), (4, CorpusErrorKind::EmptyBody));
        let e = parse_str("---\nid: a\nbody: t\n---\nx\n").unwrap_err();
        assert!(e.to_string().starts_with("x.md:"), "{e}");
        let e = parse_str("no front matter").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::MissingFrontMatter);
        let e = parse_str("---\nid: a\n").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::UnclosedFrontMatter);
        let e = parse_str("---\nid: Bad Id\ntitle: t\n---\nx\n").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::InvalidId("Bad Id".into()));
        let e = parse_str("---\nid: a\n---\nx\n").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::MissingField("title"));
    }

    #[test]
    fn front_matter_types_are_strict() {
        let kind = |front: &str| {
            parse_str(&format!("---\n{front}\n---\nx\n")).map_err(|e| (e.line, e.kind))
        };
        let e = kind("id: a\ntitle: t\nid: b").unwrap_err();
        assert!(matches!(e, (2, CorpusErrorKind::Syntax { .. })), "{e:?}");
        let e = kind("id: a\ntitle: t\naction: 6").unwrap_err();
        assert!(
            matches!(
                e,
                (
                    4,
                    CorpusErrorKind::WrongType {
                        field: "action",
                        ..
                    }
                )
            ),
            "{e:?}"
        );
        let e = kind("id: a\ntitle: !x t").unwrap_err();
        assert_eq!(e, (3, CorpusErrorKind::YamlTag("!x".into())));
        // the first problem in the file is reported
        let e = kind("id: a\ntitle: t\nupdated: 1\ncategory: [c]").unwrap_err();
        assert!(
            matches!(
                e,
                (
                    4,
                    CorpusErrorKind::WrongType {
                        field: "updated",
                        ..
                    }
                )
            ),
            "{e:?}"
        );
        let e = kind("id: &x a\ntitle: *x\ntags:\n- 14090\n- 2026.0\n- \"7\"").unwrap();
        assert_eq!(
            (e.title.as_str(), e.tags),
            ("a", vec!["14090".to_string(), "2026.0".into(), "7".into()])
        );
        let e = kind("id: a\ntitle: t\ntags:\ncategory: ~\nupdated:").unwrap();
        assert_eq!((e.tags.len(), e.category, e.updated), (0, None, None));
    }

    #[test]
    fn import_stamps_are_read_strictly() {
        let hash = format!("blake3:{}", "a".repeat(64));
        let text = format!(
            "---\nid: a\ntitle: t\nsource_file: \"Juknis A.pdf\"\nsource_hash: {hash}\nimported: 2026-11-30T07:00:00Z\n---\nx\n"
        );
        let (_, stamp) = parse_stamped(Path::new("x.md"), &text).unwrap();
        assert_eq!(stamp.source_file.as_deref(), Some("Juknis A.pdf"));
        assert_eq!(stamp.source_hash.as_deref(), Some(hash.as_str()));
        assert_eq!(stamp.imported.as_deref(), Some("2026-11-30T07:00:00Z"));
        let e = parse_str("---\nid: a\ntitle: t\nsource_hash: md5:abc\n---\nx\n").unwrap_err();
        assert!(
            matches!(
                e.kind,
                CorpusErrorKind::WrongType {
                    field: "source_hash",
                    ..
                }
            ),
            "{e}"
        );
        let e = parse_str("---\nid: a\ntitle: t\nimported: 2026-11-30\n---\nx\n").unwrap_err();
        assert!(
            matches!(
                e.kind,
                CorpusErrorKind::WrongType {
                    field: "imported",
                    ..
                }
            ),
            "{e}"
        );
        assert!(!is_utc_time("2026-11-30T07:00:00+07:00") && is_utc_time("2026-02-01T23:59:59Z"));
    }

    #[test]
    fn helpers_read_the_front_matter_text() {
        assert!(is_date("2026-11-22") && is_date("2024-02-31"));
        assert!(!is_date("2026-13-01") && !is_date("2026-1-01") && !is_date("22-11-2026"));
        let front = "id: a\ntags:\n  - 0x10\n  - 16.5\ntitle: 16\n";
        assert_eq!(field_text(front, "tags"), "tags:\n  - 0x10\n  - 16.5\n");
        assert!(!written(field_text(front, "tags"), "16"));
        assert!(written(field_text(front, "tags"), "16.5"));
        assert!(!written("tags: [+5]", "5") && !written("tags: [5.0]", "5"));
        assert_eq!(
            verbatim_tag("id: a\ntitle: !<tag:x> t"),
            Some((3, "!<tag:x>".to_string()))
        );
        assert_eq!(verbatim_tag("id: a\ntitle: Tekan !<Enter>"), None);
    }
}
