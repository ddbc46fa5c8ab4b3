//! Shared helpers for wenku's benchmarks.
//!
//! * [`corpus`]: the dev corpus (`../shared/corpus/dev`) whose titles and
//!   snippets feed the generator and the criterion suites;
//! * [`generate`]: a deterministic scale-catalog generator writing raw
//!   listing pages (the `gen` binary is its command line);
//! * [`baseline`]: the "obvious" engine wenku is measured against: tantivy
//!   with the `tantivy-jieba` tokenizer and tantivy's `QueryParser`, fed the
//!   same parsed listings;
//! * [`fixtures`]: inputs shared by the criterion suites and the runner;
//! * [`queries`]: the fixed 200-query mix of the latency measurements;
//! * [`t2s`]: wenku-index's committed traditional → simplified table,
//!   generated from `OpenCC`'s data (binary `gen_t2s`, checked by a test);
//! * [`rng`]: a tiny deterministic PRNG (no `rand` dependency, so the
//!   generated catalogs stay byte-identical across dependency updates).

pub mod baseline;
pub mod corpus;
pub mod fixtures;
pub mod generate;
pub mod queries;
pub mod rng;
pub mod t2s;
