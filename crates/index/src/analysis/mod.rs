//! Chinese/English/code analysis for tantivy, built on jieba-rs.
//!
//! One pipeline, one stage per file:
//!
//! 1. [`normalize`]: NFKC, lower case, traditional → simplified
//!    ([`script`]), with an exact byte map back to the input;
//! 2. [`segment`]: jieba search mode on Han runs (or character uni/bigrams
//!    for the `grams` field), ASCII letter/digit splitting on word runs,
//!    nothing for punctuation and whitespace; positions count significant
//!    characters;
//! 3. tantivy's `RemoveLongFilter` drops tokens over [`MAX_TOKEN_BYTES`].
//!
//! [`Analyzer`] registers the pipeline under [`WORDS_TOKENIZER`] and
//! [`GRAMS_TOKENIZER`]; indexing and query parsing both go through it, so
//! documents and queries are analysed the same way. The registered
//! tokenizers also take values the writer analysed itself
//! ([`preanalyzed`]), to keep the analysis off tantivy's indexing thread.
//! See `docs/analysis.md` for the choices and their measurements.

pub mod normalize;
pub mod preanalyzed;
pub mod query_dict;
pub mod reading;
pub mod script;
pub mod segment;
pub mod tokenizer;

use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, Token, Tokenizer, TokenizerManager};

pub use normalize::{Normalized, normalize_str};
pub use segment::{Mode, Segmenter, TokenBuf, TokenSink};
pub use tokenizer::WenkuTokenizer;
pub use wenku_listing::is_han;

use crate::{Error, Result};

/// Name of the word tokenizer (title and snippet fields).
pub const WORDS_TOKENIZER: &str = "wenku_words";
/// Name of the character n-gram tokenizer (the title grams field).
pub const GRAMS_TOKENIZER: &str = "wenku_grams";
/// Name of the pinyin reading tokenizer (the title pinyin field), see [`reading`].
pub const READINGS_TOKENIZER: &str = "wenku_readings";
/// Version of the analysis; stored in every index and checked on open.
/// Bump it on any change that alters the tokens of some text.
pub const ANALYSIS_VERSION: u32 = 2;
/// Tokens of this many bytes or more are dropped (hashes, base64 blobs;
/// tantivy's `RemoveLongFilter` keeps tokens shorter than its limit).
pub const MAX_TOKEN_BYTES: usize = 100;

/// The jieba dictionary embedded in jieba-rs, loaded once per process, on
/// first use.
pub fn default_jieba() -> &'static Jieba {
    DEFAULT_JIEBA.get_or_init(Jieba::new)
}

static DEFAULT_JIEBA: OnceLock<Jieba> = OnceLock::new();

/// Which jieba a segmenter uses. The default one is loaded lazily: building
/// its dictionary takes ~150 ms, which a process that never segments a run
/// of two or more Han characters (an ASCII query, a single-character query)
/// does not pay.
#[derive(Clone)]
pub enum JiebaRef {
    /// The embedded dictionary, shared by the whole process.
    Default,
    /// The embedded dictionary plus a user dictionary.
    Custom(Arc<Jieba>),
    /// A query dictionary file (see [`query_dict`]), loaded on first use;
    /// the default dictionary if the file cannot be read.
    File(Arc<query_dict::LazyDict>),
}

impl JiebaRef {
    /// The jieba instance (loading the default one if needed).
    pub fn get(&self) -> query_dict::JiebaGuard<'_> {
        match self {
            JiebaRef::Default => query_dict::JiebaGuard::Borrowed(default_jieba()),
            JiebaRef::Custom(j) => query_dict::JiebaGuard::Borrowed(j),
            JiebaRef::File(d) => d.get(),
        }
    }
}

/// The analysis pipeline: a shared jieba plus the tokenizers built on it.
#[derive(Clone)]
pub struct Analyzer {
    jieba: JiebaRef,
    /// What cuts query text ([`Mode::Query`]); `None`: `jieba`.
    query_jieba: Option<JiebaRef>,
    user_dict: Option<String>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("user_dict_bytes", &self.user_dict.as_ref().map(String::len))
            .finish()
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer { jieba: JiebaRef::Default, query_jieba: None, user_dict: None }
    }
}

impl Analyzer {
    /// The default analyzer, extended with a user dictionary in jieba's
    /// format (`word [freq] [tag]` per line).
    ///
    /// # Errors
    /// A malformed dictionary line, with its line number.
    pub fn with_user_dict(dict: &str) -> Result<Self> {
        let mut jieba = Jieba::new();
        let mut reader: &mut dyn BufRead = &mut dict.as_bytes();
        jieba.load_dict(&mut reader).map_err(|e| Error::Dictionary(e.to_string()))?;
        Ok(Analyzer {
            jieba: JiebaRef::Custom(Arc::new(jieba)),
            query_jieba: None,
            user_dict: Some(dict.to_string()),
        })
    }

    /// This analyzer, cutting query text with the query dictionary at
    /// `path` (written by [`query_dict::write`]) instead of the full one;
    /// while there is no such file, with the documents' dictionary. The
    /// file is read on first use and again when it changes (see
    /// [`reload_query_dict`](Self::reload_query_dict)).
    pub fn with_query_dict(mut self, path: std::path::PathBuf) -> Self {
        let dict = query_dict::LazyDict::new(path, self.jieba.clone());
        self.query_jieba = Some(JiebaRef::File(Arc::new(dict)));
        self
    }

    /// Reads the query dictionary again (at its next use) if its file
    /// changed. The analyzer's clones, and the tokenizers registered from
    /// it, share the dictionary and see the new one too.
    pub fn reload_query_dict(&self) {
        if let Some(JiebaRef::File(d)) = &self.query_jieba {
            d.reload();
        }
    }

    /// The jieba instance that cuts documents (loading it if needed).
    pub fn jieba(&self) -> query_dict::JiebaGuard<'_> {
        self.jieba.get()
    }

    /// Starts loading the documents' jieba on a thread of its own when it
    /// is the lazily loaded default one: a writer about to index does not
    /// wait for it at its first document (it used to be loaded by
    /// tantivy's indexing thread while the writer's thread, about to
    /// analyse too, waited on it: ~110 ms; docs/benchmarks.md, session
    /// 21). Without a thread (the system refuses one) it loads on first
    /// use, as before.
    pub fn preload(&self) {
        if matches!(self.jieba, JiebaRef::Default) && DEFAULT_JIEBA.get().is_none() {
            let spawned = std::thread::Builder::new().name("wenku-jieba".into()).spawn(|| {
                default_jieba();
            });
            if let Err(e) = spawned {
                tracing::debug!("jieba loads on first use: {e}");
            }
        }
    }

    /// The user dictionary text, if any.
    pub fn user_dict(&self) -> Option<&str> {
        self.user_dict.as_deref()
    }

    /// The tantivy analyzer for `mode`.
    pub fn text_analyzer(&self, mode: Mode) -> TextAnalyzer {
        let jieba = match (mode, &self.query_jieba) {
            (Mode::Query, Some(q)) => q.clone(),
            _ => self.jieba.clone(),
        };
        TextAnalyzer::builder(WenkuTokenizer::new(Segmenter::new(jieba, mode)))
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .build()
    }

    /// Registers the tokenizers in `manager`.
    pub fn register(&self, manager: &TokenizerManager) {
        self.register_counting(manager, &Arc::default());
    }

    /// Registers the tokenizers in `manager`; [`READINGS_TOKENIZER`]
    /// counts the values it analyses in `readings` (see [`Counting`]).
    pub(crate) fn register_counting(&self, manager: &TokenizerManager, readings: &Arc<AtomicU64>) {
        manager.register(WORDS_TOKENIZER, self.text_analyzer(Mode::Words));
        manager.register(GRAMS_TOKENIZER, self.text_analyzer(Mode::Grams));
        let counting =
            Counting { inner: reading::ReadingTokenizer::default(), count: readings.clone() };
        manager.register(READINGS_TOKENIZER, counting);
    }

    /// All tokens of `text` (convenience for queries, highlighting, tests).
    pub fn tokens(&self, mode: Mode, text: &str) -> Vec<Token> {
        let mut analyzer = self.text_analyzer(mode);
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.clone());
        }
        out
    }
}

/// A tokenizer that counts the values it is given. Registered for the
/// `title_pinyin` field, which the writer gives every document once, it
/// counts the documents tantivy's indexing threads have begun: with the
/// documents handed over, how far behind they are (see
/// [`crate::PreAnalyze::Balanced`]). Query parsing does not go through
/// the registered readings tokenizer.
#[derive(Clone)]
pub(crate) struct Counting<T> {
    inner: T,
    count: Arc<AtomicU64>,
}

impl<T: Tokenizer> Tokenizer for Counting<T> {
    type TokenStream<'a> = T::TokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.token_stream(text)
    }
}

#[cfg(test)]
mod tests;
