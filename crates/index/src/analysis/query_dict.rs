//! A small dictionary for cutting query text, so that a search process does
//! not build jieba's full dictionary (~350 k words, ~150–200 ms here).
//!
//! After each commit the writer collects the index's vocabulary: every
//! multi-character Han term of the `title` and `snippet` fields (all of
//! them dictionary words: search mode without HMM emits nothing else) plus
//! every single Han character the dictionary knows, with jieba's frequency
//! for each, and writes them to `query-dict.txt` in the index directory. A
//! filler entry (a private-use character, which never reaches jieba)
//! carries the rest of the full dictionary's total frequency, so every path
//! through a query has *exactly* the log-probability it has with the full
//! dictionary. The best cut is therefore the same as the full dictionary's
//! whenever that cut consists of indexed words; when it does not, its
//! unindexed words could not match the word fields anyway, and the small
//! dictionary cuts them into indexed words instead.
//!
//! Frequencies come from `Jieba::suggest_freq`, which for a dictionary word
//! returns its frequency or one more (rounding); only exact ties between
//! two cuts can be decided differently.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use jieba_rs::Jieba;

use super::{JiebaRef, is_han};

/// File name of the query dictionary inside an index directory.
pub const QUERY_DICT_FILE: &str = "query-dict.txt";

/// The filler word: a private-use character, never passed to jieba.
const FILLER: char = '\u{E000}';

/// How often [`LazyDict::get`] looks at the file again on its own (a
/// commit by another process shows within this delay, like tantivy's
/// `OnCommitWithDelay` reader; [`LazyDict::reload`] looks at once).
const RECHECK: Duration = Duration::from_secs(1);

/// A query dictionary read from its file on first use and again whenever
/// the file changes (each commit rewrites it).
pub struct LazyDict {
    path: PathBuf,
    /// What cuts queries while the file is absent or unreadable: the
    /// documents' dictionary, as when there is no query dictionary at all.
    fallback: JiebaRef,
    state: RwLock<Option<Loaded>>,
}

impl std::fmt::Debug for LazyDict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyDict").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The file as last read.
struct Loaded {
    /// Identity of the file read (`None`: there was none).
    stamp: Option<Stamp>,
    /// `None`: absent or unreadable, use the fallback.
    jieba: Option<Arc<Jieba>>,
    checked: Instant,
}

/// What tells one version of the file from another: it is replaced by a
/// rename at each commit (new inode), and its length and time change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: m.len(),
        modified: m.modified().ok(),
        #[cfg(unix)]
        inode: std::os::unix::fs::MetadataExt::ino(&m),
    })
}

/// A jieba borrowed for one use: a shared one, or a loaded query
/// dictionary kept alive while in use even if a reload replaces it.
pub enum JiebaGuard<'a> {
    /// Borrowed from the analyzer or the process.
    Borrowed(&'a Jieba),
    /// A loaded query dictionary.
    Shared(Arc<Jieba>),
}

impl std::ops::Deref for JiebaGuard<'_> {
    type Target = Jieba;
    fn deref(&self) -> &Jieba {
        match self {
            JiebaGuard::Borrowed(j) => j,
            JiebaGuard::Shared(j) => j,
        }
    }
}

impl LazyDict {
    /// A dictionary to be read from `path` when first needed; `fallback`
    /// cuts queries while there is no such file.
    pub fn new(path: PathBuf, fallback: JiebaRef) -> Self {
        LazyDict { path, fallback, state: RwLock::new(None) }
    }

    /// The dictionary of the file as it is now (read again if it changed,
    /// checked at most every second), or the fallback if there is none.
    pub fn get(&self) -> JiebaGuard<'_> {
        {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            if let Some(l) = state.as_ref().filter(|l| l.checked.elapsed() < RECHECK) {
                return self.guard(l);
            }
        }
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let now = stamp(&self.path);
        match state.as_mut() {
            Some(l) if l.checked.elapsed() < RECHECK => {}
            Some(l) if l.stamp == now => l.checked = Instant::now(),
            _ => *state = Some(self.load(now)),
        }
        self.guard(state.as_ref().expect("loaded above"))
    }

    fn guard(&self, l: &Loaded) -> JiebaGuard<'_> {
        match &l.jieba {
            Some(j) => JiebaGuard::Shared(Arc::clone(j)),
            None => self.fallback.get(),
        }
    }

    fn load(&self, stamp: Option<Stamp>) -> Loaded {
        let jieba = stamp.and_then(|_| {
            let text = match std::fs::read_to_string(&self.path) {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(
                        "cannot read {}: {e}; using the full dictionary",
                        self.path.display()
                    );
                    return None;
                }
            };
            let mut j = Jieba::empty();
            match j.load_dict(&mut text.as_bytes()) {
                Ok(()) => Some(Arc::new(j)),
                Err(e) => {
                    tracing::warn!(
                        "cannot load {}: {e}; using the full dictionary",
                        self.path.display()
                    );
                    None
                }
            }
        });
        tracing::debug!(
            "query dictionary {}: {}",
            self.path.display(),
            if jieba.is_some() { "loaded" } else { "absent" }
        );
        Loaded { stamp, jieba, checked: Instant::now() }
    }

    /// Makes the next [`get`](Self::get) look at the file at once (and
    /// read it again if it changed).
    pub fn reload(&self) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = state.as_mut() {
            l.checked = Instant::now().checked_sub(RECHECK).unwrap_or(l.checked);
            if l.stamp != stamp(&self.path) {
                *state = None;
            }
        }
    }
}

/// Total frequency of `jieba`'s dictionary. jieba-rs exposes it only in
/// its `Debug` output; `None` if that ever changes (then no query
/// dictionary is written and queries use the full one).
pub fn total_freq(jieba: &Jieba) -> Option<u64> {
    let dbg = format!("{jieba:?}");
    let rest = &dbg[dbg.find("total_freq: ")? + "total_freq: ".len()..];
    rest[..rest.find(|c: char| !c.is_ascii_digit())?].parse().ok()
}

/// Writes the query dictionary for `vocabulary` (Han terms of the index)
/// to `dir`, atomically (temporary file, then rename).
///
/// # Errors
/// I/O errors.
pub fn write<'a>(
    dir: &Path,
    jieba: &Jieba,
    vocabulary: impl IntoIterator<Item = &'a str>,
) -> std::io::Result<bool> {
    let Some(total) = total_freq(jieba) else { return Ok(false) };
    let mut words: BTreeSet<String> = vocabulary
        .into_iter()
        .filter(|w| w.chars().nth(1).is_some() && w.chars().all(is_han) && jieba.has_word(w))
        .map(str::to_string)
        .collect();
    let mut buf = String::new();
    for c in (0x3400u32..=0x9FFF).filter_map(char::from_u32) {
        buf.clear();
        buf.push(c);
        if jieba.has_word(&buf) {
            words.insert(buf.clone());
        }
    }
    let mut out = String::with_capacity(words.len() * 12);
    let mut sum = 0u64;
    for w in &words {
        let f = jieba.suggest_freq(w) as u64;
        sum += f;
        out.push_str(w);
        out.push(' ');
        out.push_str(&f.to_string());
        out.push('\n');
    }
    if total > sum {
        out.push_str(&format!("{FILLER} {}\n", total - sum));
    }
    let tmp = dir.join(format!("{QUERY_DICT_FILE}.tmp"));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(out.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(QUERY_DICT_FILE))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analyzer, Mode, default_jieba};

    #[test]
    fn total_frequency_is_read() {
        let t = total_freq(default_jieba()).unwrap();
        assert!(t > 10_000_000, "{t}");
    }

    #[test]
    fn cuts_like_the_full_dictionary_on_indexed_words() {
        let full = Analyzer::default();
        let texts = [
            "机器学习性能优化",
            "多核利用率问题",
            "数组二分查找算法",
            "中国农业发展银行",
            "标准库参考指南",
            "大量请求并行",
            "解析参数并构建值变量",
        ];
        // vocabulary: the search-mode words of these texts
        let vocab: Vec<String> =
            texts.iter().flat_map(|t| full.tokens(Mode::Words, t)).map(|t| t.text).collect();
        let dir = tempfile::tempdir().unwrap();
        assert!(write(dir.path(), default_jieba(), vocab.iter().map(String::as_str)).unwrap());
        let small = Analyzer::default().with_query_dict(dir.path().join(QUERY_DICT_FILE));
        for t in texts.iter().chain(&["学习性能", "利用率", "查找算法 参考"]) {
            let a: Vec<_> =
                full.tokens(Mode::Query, t).into_iter().map(|t| (t.text, t.position)).collect();
            let b: Vec<_> =
                small.tokens(Mode::Query, t).into_iter().map(|t| (t.text, t.position)).collect();
            assert_eq!(a, b, "help: query {t:?}");
        }
        // an unreadable file falls back to the full dictionary
        let missing = Analyzer::default().with_query_dict(dir.path().join("nope.txt"));
        assert_eq!(missing.tokens(Mode::Query, "利用率").len(), 1);
    }
}
