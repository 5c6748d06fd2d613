//! HTML pages (KPPN and Kanwil pages): parsed with `scraper` (html5ever), walked without
//! recursion. Headings become Markdown headings, list items `- ` items, tables Markdown tables;
//! the page's furniture (`nav`, `header`, `footer`, `aside`, forms, scripts, styles) is
//! dropped. The title is `<title>`, else the first `<h1>`.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::{Extracted, ImportError};
use crate::import::clean;

/// Elements whose content is never text of the page.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer", "aside",
    "form", "button", "select", "iframe", "object", "canvas",
];

/// Elements that start and end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "address",
    "hr",
    "body",
    "caption",
    "details",
    "summary",
];

/// Decodes an HTML file: UTF-8, else Latin-1 (old pages); binary data is refused.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, ImportError> {
    if bytes.contains(&0) {
        return Err(ImportError::NotText {
            file: file.to_string(),
            reason: "it holds NUL bytes (binary data)".to_string(),
        });
    }
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

/// Reads an HTML page as Markdown.
pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ImportError> {
    let text = decode(file, bytes)?;
    let html = Html::parse_document(&text);
    let mut walk = Walk::default();
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(e) if e.name() == "title" => walk.in_title = true,
                    Node::Element(e) if SKIPPED.contains(&e.name()) => skipping = Some(node.id()),
                    Node::Element(e) => walk.open(e.name()),
                    Node::Text(t) => walk.text(t),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                } else if skipping.is_none() {
                    if let Node::Element(e) = node.value() {
                        walk.close(e.name());
                    }
                }
            }
        }
    }
    walk.flush();
    let title = walk.title.trim().to_string();
    let title = if title.is_empty() {
        walk.first_h1
    } else {
        Some(title)
    };
    Ok(Extracted {
        title: title.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")),
        pages: vec![walk.blocks.join("\n\n")],
    })
}

/// The Markdown being built while the tree is walked.
#[derive(Default)]
struct Walk {
    blocks: Vec<String>,
    line: String,
    prefix: String,
    title: String,
    in_title: bool,
    first_h1: Option<String>,
    heading: Option<usize>,
    pre: usize,
    /// The outermost open table: rows of cells; `table_depth` counts nested tables.
    rows: Vec<Vec<String>>,
    table_depth: usize,
}

impl Walk {
    fn open(&mut self, name: &str) {
        if self.table_depth > 0 {
            match name {
                "table" => self.table_depth += 1,
                "tr" if self.table_depth == 1 => self.rows.push(Vec::new()),
                "td" | "th" if self.table_depth == 1 => {
                    if self.rows.is_empty() {
                        self.rows.push(Vec::new());
                    }
                    if let Some(row) = self.rows.last_mut() {
                        row.push(String::new());
                    }
                }
                "br" | "p" | "div" | "li" => self.text(" "),
                _ => {}
            }
            return;
        }
        match name {
            "table" => {
                self.flush();
                self.table_depth = 1;
                self.rows.clear();
            }
            "br" => self.line.push('\n'),
            "li" => {
                self.flush();
                self.prefix = "- ".to_string();
            }
            "pre" => {
                self.flush();
                self.pre += 1;
            }
            _ => {
                if let Some(level) = heading_level(name) {
                    self.flush();
                    self.heading = Some(level);
                } else if BLOCKS.contains(&name) {
                    self.flush();
                }
            }
        }
    }

    fn close(&mut self, name: &str) {
        if name == "title" {
            self.in_title = false;
            return;
        }
        if self.table_depth > 0 {
            if name == "table" {
                self.table_depth -= 1;
                if self.table_depth == 0 {
                    let rows: Vec<Vec<String>> = std::mem::take(&mut self.rows)
                        .into_iter()
                        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
                        .collect();
                    let table = clean::table(&rows);
                    if !table.is_empty() {
                        self.blocks.push(table);
                    }
                }
            }
            return;
        }
        if name == "pre" {
            self.flush();
            self.pre = self.pre.saturating_sub(1);
        } else if name == "li" || heading_level(name).is_some() || BLOCKS.contains(&name) {
            self.flush();
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_title {
            self.title.push_str(text);
            return;
        }
        if self.table_depth > 0 {
            if let Some(cell) = self.rows.last_mut().and_then(|r| r.last_mut()) {
                cell.push_str(text);
            }
            return;
        }
        if self.pre > 0 {
            self.line.push_str(text);
            return;
        }
        // runs of white space are one space, as a browser shows them
        let starts_space = text.starts_with(char::is_whitespace);
        let ends_space = text.ends_with(char::is_whitespace);
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if starts_space && !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
            self.line.push(' ');
        }
        self.line.push_str(&words);
        if ends_space && !words.is_empty() {
            self.line.push(' ');
        }
    }

    fn flush(&mut self) {
        let text: String = self
            .line
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        self.line.clear();
        let prefix = std::mem::take(&mut self.prefix);
        let heading = self.heading.take();
        if text.is_empty() {
            return;
        }
        let block = match heading {
            Some(level) => {
                if level == 1 && self.first_h1.is_none() {
                    self.first_h1 = Some(text.replace('\n', " "));
                }
                format!(
                    "{} {}",
                    "#".repeat((level + 1).min(6)),
                    text.replace('\n', " ")
                )
            }
            None => format!("{prefix}{text}"),
        };
        self.blocks.push(block);
    }
}

/// 1-6 for `h1`-`h6`.
fn heading_level(name: &str) -> Option<usize> {
    let level = name.strip_prefix('h')?.parse::<usize>().ok()?;
    (1..=6).contains(&level).then_some(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_become_markdown_without_furniture() {
        let page = r#"<!doctype html><html><head><title>KPPN Jakarta | Layanan</title>
            <style>p { color: red }</style><script>var x = "<p>no</p>";</script></head>
            <body><header>Beranda | Profil</header><nav><a href="/">Menu</a></nav>
            <h1>Pengajuan   SP2D</h1><p>Satker  mengajukan <b>SPM</b> ke KPPN.<br>Baris dua.</p>
            <ul><li>Login</li><li>Pilih menu</li></ul>
            <table><tr><th>No</th><th>Uraian</th></tr><tr><td>1</td><td>Modul <i>PEM</i></td></tr></table>
            <footer>Hak cipta 2026</footer></body></html>"#;
        let e = extract("a.html", page.as_bytes()).unwrap();
        assert_eq!(e.title.as_deref(), Some("KPPN Jakarta | Layanan"));
        assert_eq!(
            e.pages[0],
            "## Pengajuan SP2D\n\nSatker mengajukan SPM ke KPPN.\nBaris dua.\n\n- Login\n\n- Pilih menu\n\n| No | Uraian |\n|---|---|\n| 1 | Modul PEM |"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let page = format!("{}teks{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let e = extract("deep.html", page.as_bytes()).unwrap();
        assert_eq!(e.pages[0], "teks");
        assert!(extract("b.html", b"\0\x01").is_err());
    }
}
