//! A deterministic scale-catalog generator.
//!
//! It writes N listings in the raw page format of the scraped site
//! (`../shared/docs/listing-format.md`): ten listing lines per page, each
//! holding the listing text twice, then the footer `共 T 条`, the page links
//! `- 1` … `- ⌈T/10⌉` and two empty lines. Titles and snippets are
//! recombined from the dev corpus' `truth.jsonl`, so the vocabulary, the
//! mix of Chinese, English and code, and the text lengths are real; the
//! rates of the format's traps follow the corpus (`corpus/dev/README.md`):
//!
//! | what | rate |
//! | --- | --- |
//! | exact duplicate lines (same line again, often right after) | 5 % |
//! | near duplicates: re-upload, title variant, snippet window, noise | 6 % |
//! | PDF-style noise in the snippet (Kangxi radicals, doubled runs) | 22 % |
//! | empty separator between title and snippet | 40 % |
//! | a number put in front of the title (`4 …`) | 6 % |
//! | title spliced from two corpus titles (head of one, tail of another) | 50 % |
//!
//! A snippet that starts with its corpus title (a third of them do) starts
//! with the spliced title instead, so that the title/snippet split sees the
//! same repetition as in real pages.
//!
//! Sizes run from under a KB to several GB, ages from minutes to 12 years.
//! The output depends only on the corpus, the seed, N and the page count per
//! file: the PRNG is [`Rng`], and nothing reads the clock.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wenku_listing::is_han;

use crate::corpus::SeedListing;
use crate::rng::Rng;

/// NFKC images of the Kangxi radicals U+2F00..=U+2FD5, in order: the i-th
/// character here is what U+2F00+i normalises to.
const KANGXI_TARGETS: &str = "一丨丶丿乙亅二亠人儿入八冂冖冫几凵刀力勹匕匚匸十卜卩厂厶又口囗土士夂夊夕大女子宀寸小尢尸屮山巛工己巾干幺广廴廾弋弓彐彡彳心戈戶手支攴文斗斤方无日曰月木欠止歹殳毋比毛氏气水火爪父爻爿片牙牛犬玄玉瓜瓦甘生用田疋疒癶白皮皿目矛矢石示禸禾穴立竹米糸缶网羊羽老而耒耳聿肉臣自至臼舌舛舟艮色艸虍虫血行衣襾見角言谷豆豕豸貝赤走足身車辛辰辵邑酉釆里金長門阜隶隹雨靑非面革韋韭音頁風飛食首香馬骨高髟鬥鬯鬲鬼魚鳥鹵鹿麥麻黃黍黑黹黽鼎鼓鼠鼻齊齒龍龜龠";

const CJK_START: u32 = 0x4E00;
const CJK_END: u32 = 0x9FFF;

/// Ideograph → the Kangxi radical that stands in for it in PDF extraction.
struct Kangxi {
    /// Indexed by `c - U+4E00`; 0 = none, else radical index + 1.
    table: Vec<u8>,
}

impl Kangxi {
    fn new() -> Self {
        let mut table = vec![0u8; (CJK_END - CJK_START + 1) as usize];
        for (i, c) in KANGXI_TARGETS.chars().enumerate() {
            table[(c as u32 - CJK_START) as usize] = (i + 1) as u8;
        }
        Kangxi { table }
    }

    #[inline]
    fn radical(&self, c: char) -> Option<char> {
        let u = c as u32;
        if !(CJK_START..=CJK_END).contains(&u) {
            return None;
        }
        match self.table[(u - CJK_START) as usize] {
            0 => None,
            i => char::from_u32(0x2F00 + u32::from(i) - 1),
        }
    }
}

/// Settings of a generated catalog.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Number of listing lines.
    pub listings: u64,
    /// PRNG seed.
    pub seed: u64,
    /// Pages (of ten listings) per output file.
    pub pages_per_file: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions { listings: 10_000, seed: 0x5EED_1234, pages_per_file: 1000 }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct GenStats {
    /// Listing lines written.
    pub listings: u64,
    /// Lines repeating an earlier line byte for byte.
    pub exact_dups: u64,
    /// Near duplicates (re-upload, title variant, snippet window, noise).
    pub near_dups: u64,
    /// Lines with PDF-style noise in the snippet.
    pub noised: u64,
    /// Lines without a space between title and snippet.
    pub empty_sep: u64,
    /// Titles with a number put in front.
    pub numbered: u64,
    /// Result sets (footers with the same `共 T 条`).
    pub result_sets: u64,
    /// Pages (footers) written.
    pub pages: u64,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Bytes written.
    pub bytes: u64,
    /// Time taken.
    pub elapsed: Duration,
}

impl std::fmt::Display for GenStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = |x: u64| 100.0 * x as f64 / self.listings.max(1) as f64;
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "gen: {} listings in {} files, {} pages, {} result sets, {:.1} MB in {:.2} s \
             ({:.0} MB/s); exact dups {:.1}%, near dups {:.1}%, noised {:.1}%, \
             empty sep {:.1}%, numbered {:.1}%",
            self.listings,
            self.files.len(),
            self.pages,
            self.result_sets,
            self.bytes as f64 / 1e6,
            secs,
            self.bytes as f64 / 1e6 / secs.max(1e-9),
            pct(self.exact_dups),
            pct(self.near_dups),
            pct(self.noised),
            pct(self.empty_sep),
            pct(self.numbered),
        )
    }
}

/// Everything that makes up one listing text.
#[derive(Debug, Clone)]
struct Spec {
    /// Corpus record the snippet comes from.
    src: u32,
    title: String,
    /// The clean snippet.
    snippet: String,
    /// The snippet as written on the line (maybe noised).
    shown: String,
    sep: bool,
    price: u32,
    pages: u32,
    size: u64,
    /// Value and index into [`AGE_UNITS`].
    age: (u32, u8),
    trailing: u32,
}

const AGE_UNITS: [&str; 5] = ["分钟", "小时", "天", "月", "年"];
const TITLE_SUFFIXES: [&str; 4] = ["(1)", "（完整版）", " - 副本", ".pdf"];
/// Weights of 1..=12 years.
const YEAR_WEIGHTS: [f64; 12] = [40.0, 32.0, 10.0, 5.0, 4.0, 3.0, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3];
const RING: usize = 1024;

/// Produces listing lines one by one; see the module docs.
pub struct Generator<'a> {
    seeds: &'a [SeedListing],
    rng: Rng,
    kangxi: Kangxi,
    /// Recently generated listings, for duplicates.
    ring: Vec<Spec>,
    ring_next: usize,
    stats: GenStats,
    chars: Vec<char>,
    doubled: Vec<bool>,
}

impl<'a> Generator<'a> {
    /// A generator over the corpus records `seeds`.
    ///
    /// # Panics
    /// When `seeds` is empty.
    pub fn new(seeds: &'a [SeedListing], seed: u64) -> Self {
        assert!(!seeds.is_empty(), "the generator needs corpus records");
        Generator {
            seeds,
            rng: Rng::new(seed),
            kangxi: Kangxi::new(),
            ring: Vec::with_capacity(RING),
            ring_next: 0,
            stats: GenStats::default(),
            chars: Vec::new(),
            doubled: Vec::new(),
        }
    }

    /// Counters so far (bytes, files and time are filled by the writer).
    pub fn stats(&self) -> &GenStats {
        &self.stats
    }

    /// Appends one listing line (text twice, then `\n`) to `out`.
    pub fn next_line(&mut self, out: &mut String) {
        self.stats.listings += 1;
        let roll = self.rng.unit();
        let spec = if roll < 0.05 && !self.ring.is_empty() {
            // exact duplicate: often the line right before, else a recent one
            self.stats.exact_dups += 1;
            let i = if self.rng.chance(0.4) {
                (self.ring_next + RING - 1) % RING % self.ring.len()
            } else {
                self.rng.below(self.ring.len() as u64) as usize
            };
            let s = self.ring[i].clone();
            self.count(&s);
            write_line(&s, out);
            return;
        } else if roll < 0.11 && !self.ring.is_empty() {
            self.stats.near_dups += 1;
            self.near_duplicate()
        } else {
            self.fresh()
        };
        self.count(&spec);
        write_line(&spec, out);
        if self.ring.len() < RING {
            self.ring.push(spec);
        } else {
            self.ring[self.ring_next] = spec;
        }
        self.ring_next = (self.ring_next + 1) % RING;
    }

    fn count(&mut self, s: &Spec) {
        self.stats.noised += u64::from(s.shown != s.snippet);
        self.stats.empty_sep += u64::from(!s.sep);
    }

    fn seed(&mut self) -> (u32, &'a SeedListing) {
        let seeds = self.seeds;
        let i = self.rng.below(seeds.len() as u64) as usize;
        (i as u32, &seeds[i])
    }

    /// A new listing recombined from the corpus.
    fn fresh(&mut self) -> Spec {
        let (src, a) = self.seed();
        let mut title = if self.rng.chance(0.5) {
            let (_, b) = self.seed();
            let head = cut_chars(&a.title, &mut self.rng, true);
            let tail = cut_chars(&b.title, &mut self.rng, false);
            let t = format!("{}{}", head.trim_end(), tail.trim_start());
            if t.trim().is_empty() { a.title.clone() } else { t.trim().to_string() }
        } else {
            a.title.clone()
        };
        let spliced = title != a.title;
        let from_start = self.rng.chance(0.6);
        let (mut snippet, mut whole) = self.window(src, from_start);
        // Real snippets often start by repeating the title (a third of the
        // corpus' do): keep that true for a spliced title. A number put in
        // front below stays out of the snippet, as on the sample page.
        if spliced && snippet.starts_with(a.title.as_str()) {
            snippet = format!("{title}{}", &snippet[a.title.len()..]);
            whole = false;
        }
        if self.rng.chance(0.06) {
            self.stats.numbered += 1;
            title = format!("{} {title}", self.rng.range(1, 40));
        }
        let shown = if self.rng.chance(0.22) {
            match &a.snippet_raw {
                // the corpus' own noise, when the whole snippet is reused
                Some(raw) if whole => raw.clone(),
                _ => self.noise(&snippet),
            }
        } else {
            snippet.clone()
        };
        let (size, pages) = self.size_and_pages();
        Spec {
            src,
            title,
            snippet,
            shown,
            sep: !self.rng.chance(0.4),
            price: self.price(),
            pages,
            size,
            age: self.age(),
            trailing: self.trailing(),
        }
    }

    /// A snippet of 250–600 characters from record `src`, from its start or
    /// from inside it, continued with another record's snippet when too
    /// short. Also tells whether it is exactly the record's snippet.
    fn window(&mut self, src: u32, from_start: bool) -> (String, bool) {
        let a = &self.seeds[src as usize].snippet;
        let want = self.rng.range(250, 600) as usize;
        let n = a.chars().count();
        let off = if from_start || n < 2 { 0 } else { self.rng.below(n as u64 / 2) as usize };
        let mut s: String = a.chars().skip(off).take(want).collect();
        let got = n - off.min(n);
        let whole = off == 0 && got <= want;
        if got < want {
            let (_, b) = self.seed();
            s.push(' ');
            s.extend(b.snippet.chars().take(want - got));
            let trimmed = s.trim();
            return (trimmed.to_string(), false);
        }
        let trimmed = s.trim();
        (if trimmed.len() == s.len() { s } else { trimmed.to_string() }, whole)
    }

    /// Another listing of a recent document.
    fn near_duplicate(&mut self) -> Spec {
        let i = self.rng.below(self.ring.len() as u64) as usize;
        let mut s = self.ring[i].clone();
        match self.rng.below(4) {
            0 => {
                // re-upload: same text, other numbers
                s.price = self.price();
                s.trailing = self.trailing();
                let f = 0.85 + self.rng.unit() * 0.35;
                s.size = ((s.size as f64 * f) as u64).max(200);
                s.pages = ((f64::from(s.pages) * f) as u32).max(1);
                s.age = self.age();
                if self.rng.chance(0.2) {
                    s.sep = !s.sep;
                }
            }
            1 => {
                if self.rng.chance(0.4) {
                    self.stats.numbered += 1;
                    s.title = format!("{} {}", self.rng.range(1, 40), s.title);
                } else {
                    let suffix = *self.rng.pick(&TITLE_SUFFIXES);
                    s.title.push_str(suffix);
                }
            }
            2 => {
                let (snippet, _) = self.window(s.src, false);
                s.shown = snippet.clone();
                s.snippet = snippet;
            }
            _ => s.shown = self.noise(&s.snippet),
        }
        s
    }

    /// PDF-extraction noise: Kangxi radicals for the ideographs they
    /// normalise to (all of them or about half), and 1–3 runs of 2–10 Han
    /// characters written twice, the first copy as a radical where one
    /// exists (`利用率` → `利利⽤用率`).
    fn noise(&mut self, s: &str) -> String {
        self.chars.clear();
        self.chars.extend(s.chars());
        let n = self.chars.len();
        self.doubled.clear();
        self.doubled.resize(n, false);
        if n > 0 {
            for _ in 0..self.rng.range(1, 3) {
                for _attempt in 0..8 {
                    let start = self.rng.below(n as u64) as usize;
                    let len = self.rng.range(2, 10) as usize;
                    let end = (start + len).min(n);
                    let run = self.chars[start..end].iter().take_while(|c| is_han(**c)).count();
                    if run >= 2 {
                        self.doubled[start..start + run].iter_mut().for_each(|d| *d = true);
                        break;
                    }
                }
            }
        }
        let every = self.rng.chance(0.5);
        let mut out = String::with_capacity(s.len() + s.len() / 4);
        for i in 0..n {
            let c = self.chars[i];
            let r = self.kangxi.radical(c);
            if self.doubled[i] {
                out.push(r.unwrap_or(c));
                out.push(c);
            } else if let Some(r) = r
                && (every || self.rng.chance(0.5))
            {
                out.push(r);
            } else {
                out.push(c);
            }
        }
        out
    }

    fn size_and_pages(&mut self) -> (u64, u32) {
        let r = self.rng.unit();
        let bytes = if r < 0.62 {
            self.rng.log_uniform(300.0, 1024.0 * 1024.0)
        } else if r < 0.97 {
            self.rng.log_uniform(1024.0 * 1024.0, 1024.0 * 1024.0 * 1024.0)
        } else {
            self.rng.log_uniform(1024.0 * 1024.0 * 1024.0, 8.0 * 1024.0 * 1024.0 * 1024.0)
        } as u64;
        let per_page = self.rng.log_uniform(1500.0, 200_000.0) as u64;
        let pages = (bytes / per_page).clamp(1, 20_000) as u32;
        (bytes, pages)
    }

    fn price(&mut self) -> u32 {
        if self.rng.chance(0.52) { 0 } else { self.rng.log_uniform(1.0, 500.0) as u32 }
    }

    fn trailing(&mut self) -> u32 {
        if self.rng.chance(0.25) { 0 } else { self.rng.log_uniform(1.0, 900.0) as u32 }
    }

    fn age(&mut self) -> (u32, u8) {
        let r = self.rng.unit();
        if r < 0.005 {
            (self.rng.range(1, 59) as u32, 0)
        } else if r < 0.02 {
            (self.rng.range(1, 23) as u32, 1)
        } else if r < 0.06 {
            (self.rng.range(1, 29) as u32, 2)
        } else if r < 0.34 {
            (self.rng.range(1, 11) as u32, 3)
        } else {
            let total: f64 = YEAR_WEIGHTS.iter().sum();
            let mut x = self.rng.unit() * total;
            for (i, w) in YEAR_WEIGHTS.iter().enumerate() {
                if x < *w {
                    return (i as u32 + 1, 4);
                }
                x -= w;
            }
            (12, 4)
        }
    }
}

/// A prefix (`head`) or suffix of `s` cut at a character between a third
/// and two thirds of its length.
fn cut_chars<'s>(s: &'s str, rng: &mut Rng, head: bool) -> &'s str {
    let n = s.chars().count();
    if n < 3 {
        return if head { s } else { "" };
    }
    let at = rng.range(n as u64 / 3, 2 * n as u64 / 3) as usize;
    let byte = s.char_indices().nth(at).map_or(s.len(), |(b, _)| b);
    if head { &s[..byte] } else { &s[byte..] }
}

/// `2.25 MB`: two decimals, 1024-based, KB below 1 MiB, MB below 1 GiB.
fn size_text(bytes: u64, out: &mut String) {
    let b = bytes as f64;
    let _ = if bytes < 1 << 20 {
        write!(out, "{:.2} KB", b / 1024.0)
    } else if bytes < 1 << 30 {
        write!(out, "{:.2} MB", b / (1024.0 * 1024.0))
    } else {
        write!(out, "{:.2} GB", b / (1024.0 * 1024.0 * 1024.0))
    };
}

fn write_line(s: &Spec, out: &mut String) {
    let start = out.len();
    out.push(' ');
    out.push_str(&s.title);
    if s.sep {
        out.push(' ');
    }
    out.push_str(&s.shown);
    let _ = write!(out, "{} 码力 | {} 页 | ", s.price, s.pages);
    size_text(s.size, out);
    let _ = write!(out, " | {} {}前{}", s.age.0, AGE_UNITS[s.age.1 as usize], s.trailing);
    out.extend_from_within(start..);
    out.push('\n');
}

/// Writes a catalog of `opts.listings` listings into `dir` (created if
/// needed) as `catalog-00001.txt`, … with `opts.pages_per_file` pages each.
///
/// # Errors
/// I/O errors creating or writing files.
///
/// # Panics
/// When `seeds` is empty (see [`Generator::new`]).
pub fn write_catalog(seeds: &[SeedListing], opts: &GenOptions, dir: &Path) -> io::Result<GenStats> {
    let started = Instant::now();
    std::fs::create_dir_all(dir)?;
    let mut g = Generator::new(seeds, opts.seed);
    let mut files = Vec::new();
    let mut bytes = 0u64;
    let mut pages = 0u64;
    let mut result_sets = 0u64;
    let mut left = opts.listings;
    let mut file: Option<BufWriter<File>> = None;
    let mut pages_in_file = 0u64;
    let mut buf = String::with_capacity(64 << 10);
    while left > 0 {
        // one result set (one search) spans consecutive pages
        let total = (g.rng.log_uniform(20.0, 2000.0) as u64).min(left);
        let page_count = total.div_ceil(10);
        result_sets += 1;
        for p in 0..page_count {
            if file.is_none() || pages_in_file == opts.pages_per_file.max(1) {
                if let Some(mut f) = file.take() {
                    f.flush()?;
                }
                let path = dir.join(format!("catalog-{:05}.txt", files.len() + 1));
                file = Some(BufWriter::with_capacity(1 << 20, File::create(&path)?));
                files.push(path);
                pages_in_file = 0;
            }
            buf.clear();
            let on_page = (total - p * 10).min(10);
            for _ in 0..on_page {
                g.next_line(&mut buf);
            }
            let _ = writeln!(buf, "共 {total} 条");
            for k in 1..=page_count {
                let _ = writeln!(buf, "- {k}");
            }
            buf.push_str("\n\n");
            file.as_mut().expect("opened above").write_all(buf.as_bytes())?;
            bytes += buf.len() as u64;
            pages += 1;
            pages_in_file += 1;
        }
        left -= total;
    }
    if let Some(mut f) = file.take() {
        f.flush()?;
    }
    let mut stats = g.stats.clone();
    stats.files = files;
    stats.bytes = bytes;
    stats.pages = pages;
    stats.result_sets = result_sets;
    stats.elapsed = started.elapsed();
    Ok(stats)
}

/// `n` listing lines (no page structure) as one string: input for parser
/// and analyzer benchmarks that want text in memory.
pub fn lines(seeds: &[SeedListing], n: u64, seed: u64) -> String {
    let mut g = Generator::new(seeds, seed);
    let mut out = String::new();
    for _ in 0..n {
        g.next_line(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds() -> Vec<SeedListing> {
        let s = |t: &str, sn: &str| SeedListing {
            title: t.into(),
            snippet: sn.into(),
            snippet_raw: None,
            traditional: false,
        };
        vec![
            s(
                "Python 标准库参考指南 3.11.10",
                "利用率问题 多进程解决多核利用率问题 目录 大量请求并行".repeat(20).as_str(),
            ),
            s(
                "856. 括号的分数",
                "题目描述 给定一个平衡括号字符串 S，按下述规则计算该字符串的分数"
                    .repeat(10)
                    .as_str(),
            ),
        ]
    }

    #[test]
    fn kangxi_round_trip() {
        let k = Kangxi::new();
        assert_eq!(k.radical('用'), Some('⽤'));
        assert_eq!(k.radical('目'), Some('⽬'));
        assert_eq!(k.radical('利'), None);
        assert_eq!(k.radical('a'), None);
    }

    #[test]
    fn lines_hold_the_text_twice_and_are_deterministic() {
        let seeds = seeds();
        let a = lines(&seeds, 500, 1);
        assert_eq!(a, lines(&seeds, 500, 1));
        assert_ne!(a, lines(&seeds, 500, 2));
        for line in a.lines() {
            let (x, y) = line.split_at(line.len() / 2);
            assert_eq!(x, y);
            assert!(x.starts_with(' '));
            assert!(x.contains(" 码力 | ") && x.contains(" 页 | "));
        }
    }

    #[test]
    fn catalog_pages_have_footers() {
        let dir = std::env::temp_dir().join(format!("wenku-gen-test-{}", std::process::id()));
        let opts = GenOptions { listings: 345, seed: 3, pages_per_file: 7 };
        let stats = write_catalog(&seeds(), &opts, &dir).unwrap();
        assert_eq!(stats.listings, 345);
        let mut listing_lines = 0;
        for f in &stats.files {
            let text = std::fs::read_to_string(f).unwrap();
            listing_lines += text.lines().filter(|l| l.contains(" 码力 | ")).count();
        }
        assert_eq!(listing_lines, 345);
        assert_eq!(stats.files.len() as u64, stats.pages.div_ceil(7));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
