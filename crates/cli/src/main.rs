//! `wenku`: index and search Chinese document catalogs from the terminal.
//!
//! This file only parses the command line and dispatches. Each subcommand
//! lives in `cmd/<name>.rs` with a `run` function that turns its flags into
//! facade configuration (`wenku::IndexOptions`, `wenku::SearchRequest`) and
//! calls the facade. Exit codes follow grep and ripgrep: 0 when something
//! matched (or a non-search command succeeded), 1 when a search matched
//! nothing, 2 on error; like ripgrep, `index` and `parse` go to the end when
//! some path cannot be read (reporting it) and then exit 2. A closed stdout
//! (`wenku search … | head -1`) ends the run quietly with 0.

mod app;
mod cmd;
mod flags;
mod json;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Full-text search for Chinese document catalogs (文库).
#[derive(Debug, Parser)]
#[command(name = "wenku", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "\
Exit status: 0 hits found (or success), 1 no hits, 2 error (`index` and
`parse`: 2 also when some path could not be read; the rest is done).
Quick start: `wenku demo` indexes the bundled sample catalog and searches it.")]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: flags::Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse raw catalog pages (or JSON Lines) and add them to the index.
    Index(cmd::index::Args),
    /// Search the index with the query language.
    Search(cmd::search::Args),
    /// Parse raw catalog pages into JSON Lines records (no index).
    Parse(cmd::parse::Args),
    /// Show what the index holds.
    Stats(cmd::stats::Args),
    /// Index the bundled sample catalog in a temporary directory and search it.
    Demo(cmd::demo::Args),
    /// Serve the index over HTTP: a JSON API and a search page.
    Serve(cmd::serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    app::init_logging(cli.global.verbose);
    app::init_color(cli.global.color);
    let result = match &cli.command {
        Command::Index(args) => cmd::index::run(&cli.global, args),
        Command::Search(args) => cmd::search::run(&cli.global, args),
        Command::Parse(args) => cmd::parse::run(&cli.global, args),
        Command::Stats(args) => cmd::stats::run(&cli.global, args),
        Command::Demo(args) => cmd::demo::run(&cli.global, args),
        Command::Serve(args) => cmd::serve::run(&cli.global, args),
    };
    match result {
        Ok(code) => code,
        Err(err) => app::report_error(&err),
    }
}
