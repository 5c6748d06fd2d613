//! Which bot menu a message asks for, read from its embedding: a multinomial logistic model over
//! the query vectors of the corpus's menu examples (`menus/*.jsonl`, menu 0 for questions). The
//! nearest example alone misses a paraphrase that sits between several examples of its menu; the
//! model weighs all of them, so an editor's example teaches the whole neighbourhood.

use super::MenuVector;

/// L2 strength on the weights (standardised inputs). Compared with the step count in a numpy
/// prototype of this fit on the tuning split of the routing set: 0.001 overfits the examples
/// (more questions routed), 0.1 underfits (requests missed).
const L2: f64 = 0.01;
/// Gradient steps (Nesterov momentum); the fit is deterministic.
const STEPS: usize = 300;
/// Step size on the mean cross-entropy.
const RATE: f64 = 0.2;
/// Momentum of the steps.
const MOMENTUM: f64 = 0.9;

/// A fitted menu model: standardisation of the vectors, then one linear score per menu.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuModel {
    /// The menus it tells apart (0: a question an article answers), ascending.
    menus: Vec<u8>,
    /// Mean of each vector component over the examples.
    mean: Vec<f64>,
    /// Spread of each component (never zero).
    scale: Vec<f64>,
    /// One row of weights per menu (`menus.len() x dimensions`).
    weights: Vec<Vec<f64>>,
    /// One bias per menu.
    bias: Vec<f64>,
}

impl MenuModel {
    /// Fits the model on `examples`; `None` when they name fewer than two menus (nothing to tell
    /// apart). Examples whose vector length differs from the first one's are skipped.
    pub fn fit(examples: &[MenuVector]) -> Option<MenuModel> {
        let dimensions = examples.first()?.vector.len();
        let examples: Vec<&MenuVector> = examples
            .iter()
            .filter(|e| e.vector.len() == dimensions)
            .collect();
        let mut menus: Vec<u8> = examples.iter().map(|e| e.menu).collect();
        menus.sort_unstable();
        menus.dedup();
        if menus.len() < 2 || dimensions == 0 {
            return None;
        }
        let n = examples.len() as f64;
        let mut mean = vec![0.0; dimensions];
        for e in &examples {
            for (m, x) in mean.iter_mut().zip(&e.vector) {
                *m += f64::from(*x) / n;
            }
        }
        let mut scale = vec![0.0; dimensions];
        for e in &examples {
            for ((s, x), m) in scale.iter_mut().zip(&e.vector).zip(&mean) {
                *s += (f64::from(*x) - m).powi(2) / n;
            }
        }
        for s in &mut scale {
            *s = s.sqrt().max(1e-6);
        }
        let mut model = MenuModel {
            weights: vec![vec![0.0; dimensions]; menus.len()],
            bias: vec![0.0; menus.len()],
            menus,
            mean,
            scale,
        };
        let inputs: Vec<Vec<f64>> = examples
            .iter()
            .map(|e| model.standardise(&e.vector))
            .collect();
        let labels: Vec<usize> = examples
            .iter()
            .map(|e| model.menus.iter().position(|m| *m == e.menu).unwrap_or(0))
            .collect();
        model.descend(&inputs, &labels);
        Some(model)
    }

    /// Nesterov gradient descent on the mean cross-entropy plus the L2 term.
    fn descend(&mut self, inputs: &[Vec<f64>], labels: &[usize]) {
        let (k, d, n) = (self.menus.len(), self.mean.len(), inputs.len() as f64);
        let mut velocity_w = vec![vec![0.0; d]; k];
        let mut velocity_b = vec![0.0; k];
        for _ in 0..STEPS {
            // Nesterov: the gradient is taken where the momentum is about to carry the weights
            let ahead_w: Vec<Vec<f64>> = self
                .weights
                .iter()
                .zip(&velocity_w)
                .map(|(w, v)| ahead(w, v))
                .collect();
            let ahead_b = ahead(&self.bias, &velocity_b);
            let mut grad_w: Vec<Vec<f64>> = ahead_w
                .iter()
                .map(|row| row.iter().map(|w| 2.0 * L2 * w).collect())
                .collect();
            let mut grad_b = vec![0.0; k];
            for (z, &label) in inputs.iter().zip(labels) {
                let p = softmax(&ahead_w, &ahead_b, z);
                for c in 0..k {
                    let g = (p[c] - f64::from(u8::from(c == label))) / n;
                    grad_b[c] += g;
                    for (gw, x) in grad_w[c].iter_mut().zip(z) {
                        *gw += g * x;
                    }
                }
            }
            for c in 0..k {
                velocity_b[c] = MOMENTUM * velocity_b[c] - RATE * grad_b[c];
                self.bias[c] += velocity_b[c];
                for j in 0..d {
                    velocity_w[c][j] = MOMENTUM * velocity_w[c][j] - RATE * grad_w[c][j];
                    self.weights[c][j] += velocity_w[c][j];
                }
            }
        }
    }

    fn standardise(&self, vector: &[f32]) -> Vec<f64> {
        vector
            .iter()
            .zip(self.mean.iter().zip(&self.scale))
            .map(|(x, (m, s))| (f64::from(*x) - m) / s)
            .collect()
    }

    /// The probability of each menu for a message with this query vector (empty when its length
    /// is not the model's).
    pub fn probabilities(&self, vector: &[f32]) -> Vec<(u8, f32)> {
        if vector.len() != self.mean.len() {
            return Vec::new();
        }
        let p = softmax(&self.weights, &self.bias, &self.standardise(vector));
        self.menus
            .iter()
            .copied()
            .zip(p.into_iter().map(|p| p as f32))
            .collect()
    }
}

/// Each menu's probability under `weights` and `bias` for the standardised input `z`.
fn softmax(weights: &[Vec<f64>], bias: &[f64], z: &[f64]) -> Vec<f64> {
    let logits: Vec<f64> = weights
        .iter()
        .zip(bias)
        .map(|(row, b)| b + row.iter().zip(z).map(|(w, x)| w * x).sum::<f64>())
        .collect();
    let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = logits.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = exp.iter().sum();
    exp.iter().map(|e| e / total).collect()
}

/// Where momentum `velocity` carries `values`.
fn ahead(values: &[f64], velocity: &[f64]) -> Vec<f64> {
    values
        .iter()
        .zip(velocity)
        .map(|(x, v)| x + MOMENTUM * v)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(menu: u8, vector: [f32; 3]) -> MenuVector {
        MenuVector {
            menu,
            text: format!("{menu} {vector:?}"),
            vector: vector.to_vec(),
        }
    }

    #[test]
    fn tells_menus_apart_and_reads_between_examples() {
        let examples = [
            example(6, [1.0, 0.1, 0.0]),
            example(6, [0.9, 0.0, 0.1]),
            example(0, [0.0, 1.0, 0.1]),
            example(0, [0.1, 0.9, 0.0]),
            example(4, [0.0, 0.1, 1.0]),
            example(4, [0.1, 0.0, 0.9]),
        ];
        let model = MenuModel::fit(&examples).expect("three menus");
        let p = |v: [f32; 3], menu: u8| {
            model
                .probabilities(&v)
                .into_iter()
                .find(|(m, _)| *m == menu)
                .map_or(0.0, |(_, p)| p)
        };
        assert!(p([1.0, 0.05, 0.05], 6) > 0.8);
        assert!(p([0.05, 1.0, 0.05], 0) > 0.8);
        // between the two SAKTI examples, nearer neither: still SAKTI
        assert!(p([0.95, 0.05, 0.05], 6) > 0.8);
        // halfway to the questions: no longer sure
        assert!(p([0.5, 0.5, 0.05], 6) < 0.8);
        let total: f32 = model
            .probabilities(&[0.3, 0.3, 0.3])
            .iter()
            .map(|(_, p)| p)
            .sum();
        assert!((total - 1.0).abs() < 1e-4);
        // a vector of another model's length reads nothing
        assert!(model.probabilities(&[1.0, 0.0]).is_empty());
    }

    #[test]
    fn one_menu_is_nothing_to_fit() {
        assert_eq!(MenuModel::fit(&[example(6, [1.0, 0.0, 0.0])]), None);
        assert_eq!(MenuModel::fit(&[]), None);
    }
}
