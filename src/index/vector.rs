//! The vector side: passage embeddings in an HNSW graph (hnsw_rs), with the raw vectors kept beside
//! it for exact re-scoring and reuse by the next build.

use std::fs;
use std::path::Path;

use hnsw_rs::api::AnnT;
use hnsw_rs::hnswio::HnswIo;
use hnsw_rs::prelude::{DistCosine, Distance, Hnsw};

use super::IndexError;
use crate::embed::cosine;

const VECTORS_FILE: &str = "vectors.f32";
const HNSW_BASENAME: &str = "hnsw";
const MAX_CONNECTIONS: usize = 16;
const MAX_LAYERS: usize = 16;
const EF_CONSTRUCTION: usize = 200;

/// Unit vectors of all passages of a generation, searchable by approximate nearest neighbours.
pub struct VectorIndex {
    dims: usize,
    vectors: Vec<f32>,
    graph: Option<Graph>,
}

/// Cosine distance of unit vectors (what the model gives): `1 - dot`, never below 0, with the
/// vectorised [`cosine`]. hnsw_rs's `DistCosine` computes both norms again on every call and
/// sums one float at a time: a 100,000-passage graph took minutes longer to build.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnitCosine;

impl Distance<f32> for UnitCosine {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - cosine(a, b)).max(0.0)
    }
}

/// The HNSW graph: built with [`UnitCosine`]; generations built before it have `DistCosine`.
enum Graph {
    Unit(Hnsw<'static, f32, UnitCosine>),
    Cosine(Hnsw<'static, f32, DistCosine>),
}

impl Graph {
    /// Ids of the approximate `k` nearest of `query`.
    fn search(&self, query: &[f32], k: usize, ef: usize) -> Vec<usize> {
        let found = match self {
            Graph::Unit(g) => g.search(query, k, ef),
            Graph::Cosine(g) => g.search(query, k, ef),
        };
        found.into_iter().map(|n| n.d_id).collect()
    }
}

impl VectorIndex {
    /// Builds the graph over `vectors` (one per passage, in passage order).
    pub fn build(dims: usize, vectors: &[Vec<f32>]) -> VectorIndex {
        let graph = (!vectors.is_empty()).then(|| {
            let hnsw = Hnsw::new(
                MAX_CONNECTIONS,
                vectors.len(),
                MAX_LAYERS,
                EF_CONSTRUCTION,
                UnitCosine,
            );
            // sequential insertion: the same input gives the same graph
            for (i, v) in vectors.iter().enumerate() {
                hnsw.insert_slice((v.as_slice(), i));
            }
            Graph::Unit(hnsw)
        });
        VectorIndex {
            dims,
            vectors: vectors.iter().flatten().copied().collect(),
            graph,
        }
    }

    /// Writes the vectors and the graph into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), IndexError> {
        let path = dir.join(VECTORS_FILE);
        let bytes: Vec<u8> = self.vectors.iter().flat_map(|x| x.to_le_bytes()).collect();
        fs::write(&path, bytes).map_err(|source| IndexError::Io { path, source })?;
        let dumped = match &self.graph {
            Some(Graph::Unit(g)) => g.file_dump(dir, HNSW_BASENAME).map(drop),
            Some(Graph::Cosine(g)) => g.file_dump(dir, HNSW_BASENAME).map(drop),
            None => Ok(()),
        };
        dumped.map_err(|e| IndexError::Vector {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(())
    }

    /// Loads vectors and graph from `dir`; `count` passages of `dims` dimensions are expected.
    pub fn open(dir: &Path, dims: usize, count: usize) -> Result<VectorIndex, IndexError> {
        let vectors = read_vectors(dir, dims, count)?;
        let graph = if count == 0 {
            None
        } else {
            // hnsw_rs ties the graph's lifetime to its loader; one small loader per generation
            // load is leaked so the graph can live as long as the generation.
            let io: &'static HnswIo = Box::leak(Box::new(HnswIo::new(dir, HNSW_BASENAME)));
            // the dump names its distance; an older generation's is DistCosine
            let graph = io
                .load_hnsw_with_dist(UnitCosine)
                .map(Graph::Unit)
                .or_else(|_| io.load_hnsw_with_dist(DistCosine).map(Graph::Cosine))
                .map_err(|e| IndexError::Vector {
                    path: dir.to_path_buf(),
                    message: e.to_string(),
                })?;
            Some(graph)
        };
        Ok(VectorIndex {
            dims,
            vectors,
            graph,
        })
    }

    /// Number of passages.
    pub fn len(&self) -> usize {
        self.vectors.len() / self.dims.max(1)
    }

    /// Whether there is no vector.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// Vector of passage `i`.
    pub fn vector(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dims..(i + 1) * self.dims]
    }

    /// Approximate top `k` passages for a unit `query`, re-scored exactly: (passage, cosine), best first.
    pub fn search(&self, query: &[f32], k: usize, ef: usize) -> Vec<(usize, f32)> {
        let Some(graph) = &self.graph else {
            return Vec::new();
        };
        if query.len() != self.dims {
            return Vec::new();
        }
        let k = k.min(self.len());
        let mut hits: Vec<(usize, f32)> = graph
            .search(query, k, ef.max(k))
            .into_iter()
            .filter(|&id| id < self.len())
            .map(|id| (id, cosine(query, self.vector(id))))
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits
    }

    /// Exact top `k` by brute force: the recall oracle for [`VectorIndex::search`].
    pub fn search_exact(&self, query: &[f32], k: usize) -> Vec<(usize, f32)> {
        if query.len() != self.dims {
            return Vec::new();
        }
        let mut all: Vec<(usize, f32)> = (0..self.len())
            .map(|i| (i, cosine(query, self.vector(i))))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(k);
        all
    }
}

pub(crate) fn read_vectors(dir: &Path, dims: usize, count: usize) -> Result<Vec<f32>, IndexError> {
    let path = dir.join(VECTORS_FILE);
    let bytes = fs::read(&path).map_err(|source| IndexError::Io {
        path: path.clone(),
        source,
    })?;
    if bytes.len() != dims * count * 4 {
        return Err(IndexError::Corrupt {
            path,
            message: format!(
                "{} bytes, expected {} ({count} vectors of {dims} floats)",
                bytes.len(),
                dims * count * 4
            ),
        });
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::normalize;

    fn unit(seed: usize, dims: usize) -> Vec<f32> {
        let mut v: Vec<f32> = (0..dims)
            .map(|i| (((i + 1) * (seed + 3) * 2654435761) % 1000) as f32 / 1000.0 - 0.5)
            .collect();
        normalize(&mut v);
        v
    }

    #[test]
    fn hnsw_finds_what_exact_search_finds_and_survives_a_reload() {
        let dims = 16;
        let vectors: Vec<Vec<f32>> = (0..300).map(|s| unit(s, dims)).collect();
        let index = VectorIndex::build(dims, &vectors);
        let tmp = tempfile::tempdir().unwrap();
        index.save(tmp.path()).unwrap();
        let loaded = VectorIndex::open(tmp.path(), dims, 300).unwrap();
        let q = unit(7, dims);
        let exact = loaded.search_exact(&q, 5);
        assert_eq!(exact[0].0, 7);
        assert_eq!(loaded.search(&q, 5, 64), exact);
        assert!(VectorIndex::open(tmp.path(), dims, 299).is_err());
    }

    #[test]
    fn a_generation_built_with_the_old_distance_still_opens() {
        let dims = 16;
        let vectors: Vec<Vec<f32>> = (0..100).map(|s| unit(s, dims)).collect();
        let old = Hnsw::new(
            MAX_CONNECTIONS,
            100,
            MAX_LAYERS,
            EF_CONSTRUCTION,
            DistCosine,
        );
        for (i, v) in vectors.iter().enumerate() {
            old.insert_slice((v.as_slice(), i));
        }
        let index = VectorIndex {
            dims,
            vectors: vectors.iter().flatten().copied().collect(),
            graph: Some(Graph::Cosine(old)),
        };
        let tmp = tempfile::tempdir().unwrap();
        index.save(tmp.path()).unwrap();
        let loaded = VectorIndex::open(tmp.path(), dims, 100).unwrap();
        assert!(matches!(loaded.graph, Some(Graph::Cosine(_))));
        let q = unit(42, dims);
        assert_eq!(loaded.search(&q, 3, 64), loaded.search_exact(&q, 3));
    }

    #[test]
    fn the_vectorised_cosine_is_the_dot_product() {
        let (a, b) = (unit(1, 19), unit(2, 19));
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((cosine(&a, &b) - plain).abs() < 1e-6);
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-6);
        assert_eq!(UnitCosine.eval(&a, &a), 0.0_f32.max(1.0 - cosine(&a, &a)));
    }
}
