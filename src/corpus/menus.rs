//! Example messages for the bot's transactional menus (`<corpus>/menus/*.jsonl`, one
//! `{"menu": 2..6 | 0, "text": "..."}` a line): what users type when they want a menu to act, and
//! (menu 0) questions about the same topics that an article answers. Editors extend them like entries.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{CorpusError, CorpusErrorKind};

/// The bot menus that perform a transaction (2-6 in the bot guide); 0 marks a question.
pub const MENU_NUMBERS: [u8; 6] = [0, 2, 3, 4, 5, 6];

/// One example message and the menu it asks for (0: a question, not a transaction).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuExample {
    /// Bot menu number, or 0 for a question that an article answers.
    pub menu: u8,
    /// The message as a user types it.
    pub text: String,
}

/// Parses one examples file; every bad line is reported with its number.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<MenuExample>, Vec<CorpusError>> {
    let mut examples = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let err = |kind| CorpusError {
            path: path.to_path_buf(),
            line: i + 1,
            kind,
        };
        match serde_json::from_str::<MenuExample>(raw) {
            Err(e) => errors.push(err(CorpusErrorKind::Syntax {
                format: "JSON",
                message: e.to_string(),
            })),
            Ok(e) if !MENU_NUMBERS.contains(&e.menu) => {
                errors.push(err(CorpusErrorKind::InvalidMenu(e.menu)))
            }
            Ok(e) if e.text.trim().is_empty() => {
                errors.push(err(CorpusErrorKind::MissingField("text")))
            }
            Ok(e) => examples.push(e),
        }
    }
    if errors.is_empty() {
        Ok(examples)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_name_their_line() {
        let text = "{\"menu\": 6, \"text\": \"reset sakti\"}\n\n{\"menu\": 7, \"text\": \"x\"}\n\
                    {\"menu\": 2}\n{\"menu\": 0, \"text\": \" \"}\n";
        let errors = parse(Path::new("m.jsonl"), text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert!(errors[0].to_string().contains("menu 7"), "{}", errors[0]);
        let ok = parse(
            Path::new("m.jsonl"),
            "{\"menu\": 0, \"text\": \"apa itu sp2d\"}",
        )
        .unwrap();
        assert_eq!(ok[0].menu, 0);
    }
}
