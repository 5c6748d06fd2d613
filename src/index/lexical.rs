//! The BM25 side: a tantivy index of passages analysed with the Indonesian analyzer.

use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::IndexError;
use crate::analysis::{Analyzer, IndonesianTokenizer, TOKENIZER_NAME};

/// Field boosts. `body` holds the title, the heading and the passage's text (an FAQ's phrasings
/// and answer) in one field, so a passage's words are weighed against one length; the title field
/// adds a little for a match in the title. Fields scored apart, the title at 2 and the phrasings at
/// 1.5 (until 2026-11-30), let a short title's match outweigh a passage that holds every asked
/// word: on the matrix's tuning split the lexical side alone went from 0.798 to 0.936 hit@1 on
/// the SAKTI guides (see the README's Retrieval section).
const BOOSTS: [(&str, f32); 3] = [("title", 0.5), ("body", 1.0), ("tags", 1.0)];

/// Version of what the lexical index holds per passage (its fields and their text): a new layout
/// rebuilds every generation, as new analysis does.
const LAYOUT_VERSION: u32 = 2;

/// Identifies the analysis and layout a lexical index was built with (see
/// [`crate::analysis::fingerprint`]).
pub fn fingerprint() -> String {
    format!("{}-layout{LAYOUT_VERSION}", crate::analysis::fingerprint())
}

/// What goes into the lexical index for one passage.
pub struct LexicalDoc<'a> {
    /// Passage number (position in the generation's passage list).
    pub passage: u64,
    /// Entry title.
    pub title: &'a str,
    /// Title, heading and passage text (for FAQs: the phrasings, then the answer).
    pub body: String,
    /// Entry tags.
    pub tags: String,
}

/// A tantivy index of one generation's passages.
pub struct LexicalIndex {
    reader: IndexReader,
    passage: Field,
    fields: Vec<(Field, f32)>,
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_u64_field("passage", NumericOptions::default().set_stored().set_fast());
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    for (name, _) in BOOSTS {
        b.add_text_field(name, text.clone());
    }
    b.build()
}

fn register(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, IndonesianTokenizer::new(Analyzer::new()));
}

fn tantivy_err(dir: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |e| IndexError::Lexical {
        path: dir.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes the lexical index of `docs` into `dir` (which must exist and be empty).
pub fn write(dir: &Path, docs: &[LexicalDoc<'_>]) -> Result<(), IndexError> {
    let err = tantivy_err(dir);
    let schema = schema();
    let index = Index::create_in_dir(dir, schema.clone()).map_err(&err)?;
    register(&index);
    let f = |name| schema.get_field(name).map_err(&err);
    let (passage, title, body, tags) = (f("passage")?, f("title")?, f("body")?, f("tags")?);
    // one thread and a single segment: deterministic doc order and scores across rebuilds
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(1, 64_000_000)
        .map_err(&err)?;
    for d in docs {
        writer
            .add_document(doc!(
                passage => d.passage,
                title => d.title,
                body => d.body.as_str(),
                tags => d.tags.as_str(),
            ))
            .map_err(&err)?;
    }
    writer.commit().map_err(&err)?;
    writer.wait_merging_threads().map_err(&err)?;
    Ok(())
}

impl LexicalIndex {
    /// Opens the lexical index of a generation.
    pub fn open(dir: &Path) -> Result<LexicalIndex, IndexError> {
        let err = tantivy_err(dir);
        let index = Index::open_in_dir(dir).map_err(&err)?;
        register(&index);
        let schema = index.schema();
        let passage = schema.get_field("passage").map_err(&err)?;
        let fields = BOOSTS
            .iter()
            .map(|(name, boost)| schema.get_field(name).map(|f| (f, *boost)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(&err)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(&err)?;
        Ok(LexicalIndex {
            reader,
            passage,
            fields,
        })
    }

    /// BM25 search for analysed `terms`: up to `limit` (passage number, score), best first.
    pub fn search(&self, terms: &[String], limit: usize) -> Result<Vec<(u64, f32)>, IndexError> {
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in terms {
            for (field, boost) in &self.fields {
                let q = TermQuery::new(
                    Term::from_field_text(*field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), *boost)),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let err = |e: tantivy::TantivyError| IndexError::Lexical {
            path: Default::default(),
            message: e.to_string(),
        };
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(err)?;
        let mut out = Vec::with_capacity(top.len());
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address).map_err(err)?;
            if let Some(p) = stored.get_first(self.passage).and_then(|v| v.as_u64()) {
                out.push((p, score));
            }
        }
        // equal scores: lower passage number first, so rebuilds rank identically
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// Number of passages in the lexical index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}
