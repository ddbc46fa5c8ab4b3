//! One module per subcommand: its flags (`Args`, with parse tests next to
//! them) and a `run` function that configures and calls the facade.

pub(crate) mod demo;
pub(crate) mod index;
pub(crate) mod parse;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod stats;
