//! Toneless pinyin readings, for pinyin queries and same-reading typos.
//!
//! * Index side: the `title_pinyin` field gets, for every Han character of
//!   the normalised title, each of its toneless readings (`重` → `zhong`,
//!   `chong`, `tong`: all readings of a polyphone, so the common one is never
//!   lost) and its initial letters with a [`INITIAL_MARK`] (`^z`, `^c`,
//!   `^t`), all at the character's position (positions count significant
//!   characters, as in the word fields).
//! * Query side: [`han_readings`] turns Han text into syllable sequences
//!   (`监空` → `jian kong`, which finds `监控`), [`syllable_splits`] turns a
//!   Latin word into syllables (`jiankong` → `jian kong`), and
//!   [`initials`] a string of initials into initial tokens (`jkgj`).
//!
//! Readings come from the `pinyin` crate (MIT, data of pinyin-data and
//! phrase-pinyin-data); `ü` is written `v`, as typed on a keyboard.

use pinyin::ToPinyinMulti;
use tantivy::tokenizer::Tokenizer;

use super::normalize::Normalized;
use super::segment::{TokenBuf, TokenSink};
use super::tokenizer::WenkuTokenStream;
use wenku_listing::is_han;

/// Marks an initial-letter token (`^j`), so that initials never collide
/// with one-letter syllables (`a`, `e`, `o`).
pub const INITIAL_MARK: char = '^';

/// At most this many readings are kept per character.
const MAX_READINGS: usize = 4;

/// Every toneless syllable that some character of CJK extension A or the
/// unified ideographs has in the `pinyin` crate, vowelless interjections
/// (嗯 `n`, 呣 `m`, 哼 `hng`) left out: they would let almost any consonant
/// string parse as pinyin. Sorted; a test checks it against the crate.
const SYLLABLES: &[&str] = &[
    "a", "ai", "an", "ang", "ao", "ba", "bai", "ban", "bang", "bao", "bei", "ben", "beng", "bi",
    "bian", "biao", "bie", "bin", "bing", "bo", "bu", "ca", "cai", "can", "cang", "cao", "ce",
    "cen", "ceng", "cha", "chai", "chan", "chang", "chao", "che", "chen", "cheng", "chi", "chong",
    "chou", "chu", "chua", "chuai", "chuan", "chuang", "chui", "chun", "chuo", "ci", "cong", "cou",
    "cu", "cuan", "cui", "cun", "cuo", "da", "dai", "dan", "dang", "dao", "de", "dei", "den",
    "deng", "di", "dia", "dian", "diao", "die", "ding", "diu", "dong", "dou", "du", "duan", "dui",
    "dun", "duo", "e", "ei", "en", "eng", "er", "fa", "fan", "fang", "fei", "fen", "feng", "fiao",
    "fo", "fou", "fu", "ga", "gai", "gan", "gang", "gao", "ge", "gei", "gen", "geng", "gong",
    "gou", "gu", "gua", "guai", "guan", "guang", "gui", "gun", "guo", "ha", "hai", "han", "hang",
    "hao", "he", "hei", "hen", "heng", "hong", "hou", "hu", "hua", "huai", "huan", "huang", "hui",
    "hun", "huo", "ji", "jia", "jian", "jiang", "jiao", "jie", "jin", "jing", "jiong", "jiu", "ju",
    "juan", "jue", "jun", "ka", "kai", "kan", "kang", "kao", "ke", "kei", "ken", "keng", "kong",
    "kou", "ku", "kua", "kuai", "kuan", "kuang", "kui", "kun", "kuo", "la", "lai", "lan", "lang",
    "lao", "le", "lei", "len", "leng", "li", "lia", "lian", "liang", "liao", "lie", "lin", "ling",
    "liu", "lo", "long", "lou", "lu", "luan", "lun", "luo", "lv", "lve", "ma", "mai", "man",
    "mang", "mao", "me", "mei", "men", "meng", "mi", "mian", "miao", "mie", "min", "ming", "miu",
    "mo", "mou", "mu", "na", "nai", "nan", "nang", "nao", "ne", "nei", "nen", "neng", "ni", "nia",
    "nian", "niang", "niao", "nie", "nin", "ning", "niu", "nong", "nou", "nu", "nuan", "nun",
    "nuo", "nv", "nve", "o", "ou", "pa", "pai", "pan", "pang", "pao", "pei", "pen", "peng", "pi",
    "pian", "piao", "pie", "pin", "ping", "po", "pou", "pu", "qi", "qia", "qian", "qiang", "qiao",
    "qie", "qin", "qing", "qiong", "qiu", "qu", "quan", "que", "qun", "ran", "rang", "rao", "re",
    "ren", "reng", "ri", "rong", "rou", "ru", "rua", "ruan", "rui", "run", "ruo", "sa", "sai",
    "san", "sang", "sao", "se", "sen", "seng", "sha", "shai", "shan", "shang", "shao", "she",
    "shei", "shen", "sheng", "shi", "shou", "shu", "shua", "shuai", "shuan", "shuang", "shui",
    "shun", "shuo", "si", "song", "sou", "su", "suan", "sui", "sun", "suo", "ta", "tai", "tan",
    "tang", "tao", "te", "tei", "teng", "ti", "tian", "tiao", "tie", "ting", "tong", "tou", "tu",
    "tuan", "tui", "tun", "tuo", "wa", "wai", "wan", "wang", "wei", "wen", "weng", "wo", "wu",
    "xi", "xia", "xian", "xiang", "xiao", "xie", "xin", "xing", "xiong", "xiu", "xu", "xuan",
    "xue", "xun", "ya", "yan", "yang", "yao", "ye", "yi", "yin", "ying", "yo", "yong", "you", "yu",
    "yuan", "yue", "yun", "za", "zai", "zan", "zang", "zao", "ze", "zei", "zen", "zeng", "zha",
    "zhai", "zhan", "zhang", "zhao", "zhe", "zhei", "zhen", "zheng", "zhi", "zhong", "zhou", "zhu",
    "zhua", "zhuai", "zhuan", "zhuang", "zhui", "zhun", "zhuo", "zi", "zong", "zou", "zu", "zuan",
    "zui", "zun", "zuo",
];

/// Toneless readings of `c`, most common first (at most four), `ü` written
/// `v`; empty for a character without one.
pub fn readings(c: char) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let s: String = p.plain().chars().map(|c| if c == 'ü' { 'v' } else { c }).collect();
            if list.len() < MAX_READINGS && !list.contains(&s) {
                list.push(s);
            }
        }
    }
    list
}

fn is_syllable(s: &str) -> bool {
    SYLLABLES.binary_search(&s).is_ok()
}

/// The initial token of a reading: [`INITIAL_MARK`] and its first letter.
fn initial_token(reading: &str) -> String {
    let mut t = String::with_capacity(2);
    t.push(INITIAL_MARK);
    t.extend(reading.chars().next());
    t
}

/// Syllable sequences of Han text (normalised, Han characters only; other
/// characters are skipped): the product of the characters' readings, the
/// common readings first, at most `max` sequences.
pub fn han_readings(text: &str, max: usize) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for c in text.chars().filter(|&c| is_han(c)) {
        let rs = readings(c);
        if rs.is_empty() {
            return Vec::new();
        }
        let mut next = Vec::with_capacity(out.len() * rs.len());
        // rank order: vary the later characters' readings last
        for r in &rs {
            for seq in &out {
                if next.len() == max {
                    break;
                }
                let mut s = seq.clone();
                s.push(r.to_string());
                next.push(s);
            }
        }
        out = next;
    }
    if out.first().is_some_and(Vec::is_empty) { Vec::new() } else { out }
}

/// The ways to write the lower-case ASCII word `word` as two or more pinyin
/// syllables (`xian` → `xi an`; `xian` alone is one syllable and not
/// returned), fewest syllables first, at most `max`.
pub fn syllable_splits(word: &str, max: usize) -> Vec<Vec<String>> {
    const MAX_LEN: usize = 48;
    if word.len() > MAX_LEN || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return Vec::new();
    }
    // ends[i]: syllable lengths that end a valid split of word[i..]
    let n = word.len();
    let mut ok = vec![false; n + 1];
    ok[n] = true;
    for i in (0..n).rev() {
        ok[i] = (1..=6).any(|l| i + l <= n && ok[i + l] && is_syllable(&word[i..i + l]));
    }
    if !ok[0] {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut path = Vec::new();
    collect(word, 0, &ok, &mut path, &mut out, 64);
    out.retain(|s: &Vec<String>| s.len() >= 2);
    out.sort_by_key(Vec::len);
    out.truncate(max);
    out
}

fn collect(
    word: &str,
    i: usize,
    ok: &[bool],
    path: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
    cap: usize,
) {
    if out.len() >= cap {
        return;
    }
    if i == word.len() {
        out.push(path.clone());
        return;
    }
    for l in (1..=6).rev() {
        if i + l <= word.len() && ok[i + l] && is_syllable(&word[i..i + l]) {
            path.push(word[i..i + l].to_string());
            collect(word, i + l, ok, path, out, cap);
            path.pop();
        }
    }
}

/// Initial tokens for a lower-case ASCII word typed as the initials of Han
/// characters (`jkgj` → `^j ^k ^g ^j`): every letter must begin some
/// syllable, and the word must have 2 to 10 letters.
pub fn initials(word: &str) -> Option<Vec<String>> {
    if !(2..=10).contains(&word.len()) || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // letters no pinyin syllable starts with
    if word.contains(['i', 'u', 'v']) {
        return None;
    }
    Some(word.chars().map(|c| format!("{INITIAL_MARK}{c}")).collect())
}

/// Tokenizer of the `title_pinyin` field; see the module docs.
#[derive(Clone, Default)]
pub struct ReadingTokenizer {
    norm: Normalized,
    tokens: TokenBuf,
    cache: ReadingCache,
}

/// The token texts of each character, looked up once per tokenizer (a
/// title's characters repeat across listings; looking them up in the
/// `pinyin` crate and building their strings for every title was a third
/// of this tokenizer's time).
#[derive(Clone, Default)]
struct ReadingCache {
    /// For each code point of the Basic Multilingual Plane: 0 when not
    /// looked up yet, else 1 + its index in `spans`.
    slot: Vec<u32>,
    /// Range of `texts` holding a character's tokens.
    spans: Vec<(u32, u32)>,
    texts: Vec<String>,
    /// The tokens of a character outside the plane (not cached).
    other: Vec<String>,
}

impl ReadingCache {
    /// The token texts of `c`, in token order: the initial of each
    /// reading whose first letter no earlier reading has, then the
    /// readings.
    fn tokens(&mut self, c: char) -> &[String] {
        let n = c as usize;
        if n >= 0x1_0000 {
            self.other.clear();
            push_reading_tokens(c, &mut self.other);
            return &self.other;
        }
        if self.slot.is_empty() {
            self.slot = vec![0; 0x1_0000];
        }
        if self.slot[n] == 0 {
            let start = self.texts.len() as u32;
            push_reading_tokens(c, &mut self.texts);
            self.spans.push((start, self.texts.len() as u32));
            self.slot[n] = self.spans.len() as u32;
        }
        let (start, end) = self.spans[self.slot[n] as usize - 1];
        &self.texts[start as usize..end as usize]
    }
}

/// Appends the token texts of `c` (see [`ReadingCache::tokens`]).
fn push_reading_tokens(c: char, out: &mut Vec<String>) {
    let rs = readings(c);
    for (k, r) in rs.iter().enumerate() {
        let first = r.as_bytes()[0];
        if !rs[..k].iter().any(|p| p.as_bytes()[0] == first) {
            out.push(initial_token(r));
        }
    }
    out.extend(rs);
}

impl Tokenizer for ReadingTokenizer {
    type TokenStream<'a> = WenkuTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WenkuTokenStream<'a> {
        self.tokens.clear();
        if super::preanalyzed::decode(text, &mut self.tokens) {
            return WenkuTokenStream::new(self.tokens.tokens_mut());
        }
        self.tokens.clear();
        self.norm.normalize(text);
        let mut sig = 0usize;
        let norm = self.norm.as_str();
        for (i, c) in norm.char_indices() {
            if is_han(c) {
                let (from, to) = self.norm.original_range(i, i + c.len_utf8());
                for t in self.cache.tokens(c) {
                    self.tokens.push_token(from, to, sig, t);
                }
            }
            if is_han(c) || c.is_alphanumeric() {
                sig += 1;
            }
        }
        WenkuTokenStream::new(self.tokens.tokens_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenStream;

    fn seqs(v: Vec<Vec<String>>) -> Vec<String> {
        v.into_iter().map(|s| s.join(" ")).collect()
    }

    #[test]
    fn polyphones_keep_their_common_reading() {
        assert_eq!(readings('重')[0], "zhong");
        assert!(readings('重').contains(&"chong".to_string()));
        assert!(readings('长').contains(&"chang".to_string()));
        assert!(readings('行').contains(&"hang".to_string()));
        assert_eq!(readings('绿')[0], "lv");
        assert!(readings('a').is_empty());
    }

    #[test]
    fn syllable_list_is_the_crates() {
        let mut set = std::collections::BTreeSet::new();
        for c in (0x3400u32..=0x9FFF).filter_map(char::from_u32) {
            set.extend(
                readings(c).into_iter().filter(|s| s.contains(['a', 'e', 'i', 'o', 'u', 'v'])),
            );
        }
        let want: Vec<&str> = set.iter().map(String::as_str).collect();
        assert_eq!(SYLLABLES, want.as_slice());
    }

    #[test]
    fn han_text_reads_as_syllables() {
        assert_eq!(seqs(han_readings("监空", 8)), ["jian kong"]);
        let chong = seqs(han_readings("重符", 8));
        assert!(chong.contains(&"chong fu".to_string()), "{chong:?}");
        assert!(han_readings("", 8).is_empty());
        assert!(han_readings("重重重重重重", 5).len() == 5);
    }

    #[test]
    fn latin_words_split_into_syllables() {
        assert_eq!(seqs(syllable_splits("jiankong", 4))[0], "jian kong");
        assert_eq!(seqs(syllable_splits("wanquanyizhi", 4))[0], "wan quan yi zhi");
        assert!(seqs(syllable_splits("xian", 4)).contains(&"xi an".to_string()));
        // English and code words are not pinyin
        for w in ["java", "table", "python", "tidb", "an", "uniform"] {
            assert!(syllable_splits(w, 4).is_empty(), "{w}");
        }
        assert_eq!(initials("jkgj").unwrap(), ["^j", "^k", "^g", "^j"]);
        assert!(initials("java").is_none() && initials("x").is_none());
    }

    /// (text, from, to, position) of every token, as the previous version
    /// built them: the `pinyin` crate asked for every character.
    fn reference(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut norm = Normalized::default();
        norm.normalize(text);
        let mut out = Vec::new();
        let mut sig = 0;
        for (i, c) in norm.as_str().char_indices() {
            if is_han(c) {
                let (from, to) = norm.original_range(i, i + c.len_utf8());
                let rs = readings(c);
                for (k, r) in rs.iter().enumerate() {
                    if !rs[..k].iter().any(|p| p.as_bytes()[0] == r.as_bytes()[0]) {
                        out.push((initial_token(r), from, to, sig));
                    }
                }
                out.extend(rs.into_iter().map(|r| (r, from, to, sig)));
            }
            if is_han(c) || c.is_alphanumeric() {
                sig += 1;
            }
        }
        out
    }

    /// One tokenizer over many titles (its cache warm, characters seen
    /// before, in other titles and in the same one) gives the tokens
    /// the `pinyin` crate gives for each character.
    #[test]
    fn cached_tokens_are_the_crates() {
        let truth = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/dev/truth.jsonl");
        let mut titles: Vec<String> =
            vec!["重重重 長行 v8 监测".into(), "𠀀𠀁 㑮 ⽬录".into(), String::new()];
        match std::fs::read_to_string(&truth) {
            Ok(t) => titles.extend(t.lines().take(600).map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
                v["title"].as_str().unwrap_or_default().to_string()
            })),
            Err(_) => eprintln!("dev corpus absent: only the fixed titles"),
        }
        let mut t = ReadingTokenizer::default();
        for _ in 0..2 {
            for title in &titles {
                let mut s = t.token_stream(title);
                let mut got = Vec::new();
                while s.advance() {
                    let k = s.token();
                    got.push((k.text.clone(), k.offset_from, k.offset_to, k.position));
                }
                assert_eq!(got, reference(title), "help: title {title:?}");
            }
        }
    }

    #[test]
    fn tokens_carry_readings_and_initials_at_character_positions() {
        let mut t = ReadingTokenizer::default();
        let mut s = t.token_stream("v8 监测");
        let mut got = Vec::new();
        while s.advance() {
            got.push((s.token().text.clone(), s.token().position));
        }
        let want: Vec<(String, usize)> =
            [("^j", 2), ("jian", 2), ("^c", 3), ("ce", 3)].map(|(a, b)| (a.into(), b)).into();
        assert_eq!(got, want);
    }
}
