//! The dev corpus: real titles and snippets the generator recombines.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// One line of the corpus' `truth.jsonl`, reduced to what the generator
/// and the suites use.
#[derive(Debug, Clone)]
pub struct SeedListing {
    /// The title.
    pub title: String,
    /// The clean snippet.
    pub snippet: String,
    /// The snippet as it is on the line when it carries PDF-style noise.
    pub snippet_raw: Option<String>,
    /// Whether the text is in traditional characters.
    pub traditional: bool,
}

/// The workspace root (the parent of this package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("benches/ has a parent").to_path_buf()
}

/// `../shared/corpus/dev` relative to the workspace root.
pub fn default_corpus_dir() -> PathBuf {
    workspace_root().join("../shared/corpus/dev")
}

/// `data/sample` of the workspace: the sample catalog shared with tests.
pub fn sample_dir() -> PathBuf {
    workspace_root().join("data/sample")
}

/// Reads `truth.jsonl` of the corpus in `dir`.
///
/// # Errors
/// A missing or unreadable file, or a line without `title`/`snippet`.
pub fn load_truth(dir: &Path) -> anyhow::Result<Vec<SeedListing>> {
    let path = dir.join("truth.jsonl");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (pass --corpus DIR)", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let (Some(title), Some(snippet)) = (s("title"), s("snippet")) else {
            bail!("{}:{}: no title or snippet", path.display(), i + 1);
        };
        out.push(SeedListing {
            title,
            snippet,
            snippet_raw: s("snippet_raw"),
            traditional: s("script").as_deref() == Some("zh-Hant"),
        });
    }
    if out.is_empty() {
        bail!("{}: no listings", path.display());
    }
    Ok(out)
}
