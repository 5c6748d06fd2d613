//! HAIPEDIA: hybrid (BM25 + vector) search and answering over the HAI-DJPb knowledge base.
//!
//! Data flows one way: [`corpus`] -> [`analysis`] -> [`embed`] -> [`index`] -> [`retrieve`] ->
//! [`answer`] -> CLI/server; [`tune`] fits each new generation (fusion) before it is published.

pub mod analysis;
pub mod answer;
pub mod catalogue;
pub mod changes;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod corpus;
pub mod drafts;
pub mod draws;
pub mod editing;
pub mod embed;
pub mod eval;
pub mod import;
pub mod index;
pub mod privacy;
pub mod reindex;
pub mod retrieve;
pub mod server;
pub mod stats;
pub mod store;
pub mod tune;
pub mod watch;
