//! Blended ranking: BM25 × age factor × size factor.
//!
//! ```text
//! score      = bm25 × age_factor × size_factor
//! age_factor = 1 − age_weight + age_weight × 0.5^(age_days / age_half_life_days)
//! size_factor= 1 − size_weight + size_weight × min(1, ln(1 + pages) / ln(1 + size_saturation_pages))
//! ```
//!
//! Both factors lie in `[1 − weight, 1]`: they reorder documents of similar
//! relevance and can never lift a weak match above a much stronger one (an
//! exact title match keeps its lead over a fresh hit that matches only in
//! its snippet). Because every factor is ≤ 1, a match whose BM25 score is
//! below the k-th best blended score found so far cannot enter the top k:
//! the blended collector (`blend.rs`) visits every match (it counts them
//! too) but computes the factors only for those that can still enter. See
//! `docs/ranking.md`.

use serde::Serialize;

const DAY: f64 = 86_400.0;

/// Named ranking parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// Weight of a title match against a snippet match.
    pub title_boost: f32,
    /// Weight of the title's character n-gram match.
    pub grams_boost: f32,
    /// Weight of a snippet match.
    pub snippet_boost: f32,
    /// Weight of a match by pinyin reading (title only).
    pub reading_boost: f32,
    /// How much age can take away (0 = ignore age).
    pub age_weight: f64,
    /// Age at which the age bonus halves, in days.
    pub age_half_life_days: f64,
    /// How much a thin document can lose (0 = ignore size).
    pub size_weight: f64,
    /// Page count from which a document counts as substantial.
    pub size_saturation_pages: f64,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            title_boost: 3.0,
            grams_boost: 1.0,
            snippet_boost: 1.0,
            reading_boost: 1.0,
            age_weight: 0.3,
            age_half_life_days: 730.0,
            size_weight: 0.3,
            size_saturation_pages: 30.0,
        }
    }
}

impl Ranking {
    /// Plain BM25: no age or size factor.
    pub fn bm25_only() -> Self {
        Ranking { age_weight: 0.0, size_weight: 0.0, ..Ranking::default() }
    }

    /// Whether the blend changes anything.
    pub fn blends(&self) -> bool {
        self.age_weight > 0.0 || self.size_weight > 0.0
    }

    /// Factor for a document published at `published` (Unix seconds) seen at `now`.
    pub fn age_factor(&self, published: Option<i64>, now: i64) -> f64 {
        let Some(p) = published else { return 1.0 - self.age_weight };
        let days = ((now - p) as f64 / DAY).max(0.0);
        1.0 - self.age_weight + self.age_weight * 0.5f64.powf(days / self.age_half_life_days)
    }

    /// Factor for a document of `pages` pages.
    pub fn size_factor(&self, pages: u64) -> f64 {
        let sat = self.size_saturation_pages;
        // at or past the saturation the ratio of logarithms is ≥ 1, so the
        // minimum is 1: the same value without the two `ln` (the blended
        // collector computes this for every match that may enter the top)
        let s = if sat >= 0.0 && pages as f64 >= sat {
            1.0
        } else {
            ((1.0 + pages as f64).ln() / (1.0 + sat).ln()).min(1.0)
        };
        1.0 - self.size_weight + self.size_weight * s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The saturated shortcut returns, to the bit, what the formula of the
    /// module docs gives, for any saturation (integer or not, zero,
    /// negative, huge, NaN) and page count.
    #[test]
    fn size_factor_equals_the_formula() {
        let formula = |r: &Ranking, pages: u64| {
            let s = ((1.0 + pages as f64).ln() / (1.0 + r.size_saturation_pages).ln()).min(1.0);
            1.0 - r.size_weight + r.size_weight * s
        };
        for sat in [0.0, 0.5, 1.0, 2.5, 30.0, 29.999, 1e6, -0.5, -3.0, f64::NAN, f64::INFINITY] {
            let r = Ranking { size_saturation_pages: sat, ..Ranking::default() };
            let pages = (0..5000).chain([999_999, 1_000_000, u64::from(u32::MAX), u64::MAX]);
            for p in pages {
                let (got, want) = (r.size_factor(p), formula(&r, p));
                assert!(got.to_bits() == want.to_bits(), "sat {sat}, {p} pages: {got} != {want}");
            }
        }
    }

    #[test]
    fn factors_stay_in_their_bounds_and_are_monotonic() {
        let r = Ranking::default();
        let now = 2_000_000_000;
        let fresh = r.age_factor(Some(now), now);
        let year = r.age_factor(Some(now - 365 * 86_400), now);
        let old = r.age_factor(Some(now - 12 * 365 * 86_400), now);
        assert!((fresh - 1.0).abs() < 1e-9);
        assert!(fresh > year && year > old && old >= 1.0 - r.age_weight);
        assert!((r.age_factor(Some(now - 730 * 86_400), now) - (1.0 - 0.3 + 0.15)).abs() < 1e-9);
        assert!(r.size_factor(0) >= 1.0 - r.size_weight);
        assert!(r.size_factor(1) < r.size_factor(10));
        assert!((r.size_factor(30) - 1.0).abs() < 1e-9 && (r.size_factor(3000) - 1.0).abs() < 1e-9);
        let plain = Ranking::bm25_only();
        assert_eq!((plain.age_factor(Some(0), now), plain.size_factor(0)), (1.0, 1.0));
    }
}
