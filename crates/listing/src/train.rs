//! Hooks for `examples/train_split.rs`, which trains the weights of the
//! title/snippet boundary scorer. Not a stable API.

use crate::boundary::{self, Line, Sink, Weights};
use crate::memory::TitleMemory;
use crate::profile::Profile;
use crate::split;

/// The titles remembered while reading a catalog, as the reader keeps them.
#[derive(Default)]
pub struct Memory(TitleMemory);

impl Memory {
    /// The whole input has been learned (the reader's first pass is over).
    pub fn freeze(&mut self) {
        self.0.freeze();
    }
}

/// The title-and-snippet part of a listing text (everything before the
/// price), trimmed.
pub fn body(listing_text: &str) -> Option<&str> {
    crate::parse::body_of(listing_text)
}

/// The title's end when a reliable rule or the memory finds it (the
/// memory learns as the reader's does); `None` when the scorer decides.
pub fn reliable_end(body: &str, memory: &mut Memory, profile: Option<&Profile>) -> Option<usize> {
    split::reliable_end(body, Some(&mut memory.0), profile.unwrap_or(Profile::generic()))
}

/// Every candidate title end of `body` with its features, each feature
/// as its parts joined by tabs (the weight file's format).
/// `memory` gives the catalog's evidence (`None`: a line read alone).
pub fn candidates(body: &str, memory: Option<&Memory>) -> Vec<(usize, Vec<String>)> {
    struct Collect(Vec<String>, Vec<String>);
    impl Sink for Collect {
        fn emit(&mut self, parts: &[&str]) {
            if !self.1.iter().any(|t| t == parts[0]) {
                self.0.push(parts.join("\t"));
            }
        }
    }
    // Feature templates to leave out (experiments): WENKU_ABLATE=a,b
    let ablate: Vec<String> = std::env::var("WENKU_ABLATE")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let line = Line::new(body, memory.map(|m| &m.0));
    line.candidates()
        .map(|end| {
            let mut c = Collect(Vec::new(), ablate.clone());
            boundary::features(&line, end, &mut c);
            (end, c.0)
        })
        .collect()
}

/// The scorer's choice with the weights in `weights_text` (the weight
/// file's format).
pub fn best_end(body: &str, memory: Option<&Memory>, weights_text: &str) -> Option<usize> {
    boundary::best_end_with(body, memory.map(|m| &m.0), &Weights::parse(weights_text).ok()?)
}

/// The feature schema the weights file must state (`#schema<TAB>…`).
pub const SCHEMA: &str = boundary::SCHEMA;

/// The weight of one feature (parts joined by tabs) in the bundled
/// weights, the ones parsing uses.
pub fn bundled_weight(feature: &str) -> f32 {
    let parts: Vec<&str> = feature.split('\t').collect();
    boundary::weights().map_or(0.0, |w| w.get(boundary::feature_key(&parts)))
}
