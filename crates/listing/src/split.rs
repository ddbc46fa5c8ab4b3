//! Title/snippet split. There is no delimiter between them; the rules
//! below are tried in order and measured in docs/listing-format.md.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use crate::normalize::normalize;

/// Suffixes re-uploads add to a title that the snippet does not repeat.
const TITLE_SUFFIXES: [&str; 8] =
    ["（完整版）", "(完整版)", " - 副本", ".pdf", " 最新版", "（1）", "【精华】", "（高清）"];

/// How far into the body (bytes) a title may end.
const MAX_TITLE: usize = 360;

/// Split `body` (the listing text without its tail, trimmed) into title
/// and snippet, both trimmed. The snippet may be empty.
///
/// With a `memory`, titles found by a reliable rule (Python suffix,
/// repeated title, marker, PyTorch mapping) are remembered, and a body
/// that no reliable rule splits is split after the longest remembered
/// title it starts with (before the shape guess).
pub(crate) fn split_title<'a>(
    body: &'a str,
    memory: Option<&mut TitleMemory>,
) -> (&'a str, &'a str) {
    let end = reliable_end(body, memory).unwrap_or_else(|| guess(body));
    let (t, s) = body.split_at(end);
    (t.trim(), s.trim())
}

/// The title's end by a reliable rule or, failing those, by a remembered
/// title; `None` when the boundary has to be guessed.
pub(crate) fn reliable_end(body: &str, memory: Option<&mut TitleMemory>) -> Option<usize> {
    let reliable = python_doc_title(body)
        .or_else(|| repeated_title(body))
        .or_else(|| marker(body))
        .or_else(|| torch_title(body));
    match (reliable, memory) {
        (Some(end), Some(m)) => {
            m.learn(body[..end].trim());
            Some(end)
        }
        (Some(end), None) => Some(end),
        (None, Some(m)) => m.lookup(body),
        (None, None) => None,
    }
}

/// A bounded memory of titles: 64-bit hashes of titles (and of the title
/// without a leading re-upload number), in two generations of at most
/// `CAP / 2` entries; when the young one is full it becomes the old one and
/// the previous old one is dropped, so recently learned titles are kept
/// and memory stays under about `CAP × 16` bytes whatever the catalog size.
#[derive(Debug, Default)]
pub(crate) struct TitleMemory {
    young: HashSet<u64, BuildHasherDefault<IdHasher>>,
    old: HashSet<u64, BuildHasherDefault<IdHasher>>,
}

/// The keys are already hashes: use them as they are.
#[derive(Debug, Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // FNV's low bits are well mixed after the final multiply; fold the
        // high half in anyway for the table index.
        self.0 = n ^ (n >> 32);
    }
}

impl TitleMemory {
    const CAP: usize = 400_000;

    fn insert(&mut self, h: u64) {
        if self.young.len() >= Self::CAP / 2 {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(h);
    }

    fn contains(&self, h: u64) -> bool {
        self.young.contains(&h) || self.old.contains(&h)
    }

    fn learn(&mut self, title: &str) {
        if title.chars().nth(1).is_none() {
            return;
        }
        self.insert(fnv(title.as_bytes()));
        if let Some(core) = strip_number(title).filter(|c| c.chars().nth(1).is_some()) {
            self.insert(fnv(core.as_bytes()));
        }
    }

    /// The end of the longest remembered title that `body` starts with,
    /// after an optional leading number (`4 `) and followed by an optional
    /// re-upload suffix (`（完整版）`, `(1)`, …).
    fn lookup(&self, body: &str) -> Option<usize> {
        if self.young.is_empty() {
            return None;
        }
        let skips = [Some(0), strip_number(body).map(|r| body.len() - r.len())];
        for skip in skips.into_iter().flatten() {
            let rest = &body[skip..];
            let limit = rest.len().min(MAX_TITLE);
            let bytes = rest.as_bytes();
            let mut h = FNV_OFFSET;
            let mut best = None;
            for (i, &b) in bytes[..limit].iter().enumerate() {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                let end = i + 1;
                // A title ends at a character boundary, before a snippet.
                if end < 2 || !rest.is_char_boundary(end) || end == rest.len() {
                    continue;
                }
                if self.contains(h) {
                    best = Some(end);
                }
            }
            if let Some(end) = best {
                let mut end = skip + end;
                let after = &body[end..];
                if let Some(sfx) = TITLE_SUFFIXES.iter().find(|s| after.starts_with(*s)) {
                    end += sfx.len();
                }
                return Some(end);
            }
        }
        None
    }
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
pub(crate) const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// `… — Python 3.x 文档`: the title ends after `文档`.
fn python_doc_title(body: &str) -> Option<usize> {
    let i = body.find(" — Python ")?;
    let rest = &body[i + " — Python ".len()..];
    let n = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let rest2 = rest[n..].strip_prefix(" 文档")?;
    let mut end = body.len() - rest2.len();
    if let Some(sfx) = TITLE_SUFFIXES.iter().find(|s| rest2.starts_with(*s)) {
        end += sfx.len();
    }
    Some(end)
}

pub(crate) fn strip_number(t: &str) -> Option<&str> {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    t[n..].strip_prefix(' ')
}

fn strip_suffix(t: &str) -> Option<&str> {
    for s in TITLE_SUFFIXES {
        if let Some(x) = t.strip_suffix(s) {
            return Some(x);
        }
    }
    // `(1)`, `(2)` …
    let x = t.strip_suffix(')')?;
    let open = x.rfind('(')?;
    let num = &x[open + 1..];
    (!num.is_empty() && num.bytes().all(|b| b.is_ascii_digit())).then(|| &x[..open])
}

/// Comparable form: normalised, ASCII-lowercased.
fn key(s: &str) -> String {
    let mut k = normalize(s);
    k.make_ascii_lowercase();
    k
}

/// The snippet often starts by repeating the title (without a leading
/// number or a re-upload suffix; tldr titles `cmd - text` as `cmd text`).
/// Take the shortest title whose repeat starts the rest of the body,
/// compared after normalisation (the snippet's copy may be noised).
///
/// Every candidate core starts with the body's first character or with the
/// first character after a leading number (`12 `), so a boundary whose next
/// character folds to neither is skipped without building candidates.
fn repeated_title(body: &str) -> Option<usize> {
    let first_key = |s: &str| s.chars().next().map(fold_char);
    let lead = first_key(body)?;
    let after_number = strip_number(body).and_then(first_key);
    // First ` - ` of the body: the first one in every prefix that holds it.
    let dash = body.find(" - ");
    for (p, c) in body.char_indices().skip(1) {
        if p > MAX_TITLE {
            break;
        }
        if c == ' ' {
            continue;
        }
        let s0 = fold_char(c);
        if s0 != lead && Some(s0) != after_number {
            continue;
        }
        let t = body[..p].trim_end();
        if t.chars().nth(1).is_none() {
            continue;
        }
        let s = &body[p..];
        let mut cores: [Option<&str>; 4] = [Some(t), strip_number(t), strip_suffix(t), None];
        if let Some(x) = strip_number(t).and_then(strip_suffix) {
            cores[3] = Some(x);
        }
        let tldr =
            dash.filter(|i| i + 3 <= t.len()).map(|i| format!("{} {}", &t[..i], &t[i + 3..]));
        let candidates = cores.iter().flatten().copied().chain(tldr.as_deref());
        for core in candidates {
            if first_key(core) != Some(s0) {
                continue;
            }
            if core.chars().nth(1).is_none()
                || core.bytes().all(|b| b.is_ascii_digit() || b == b' ')
            {
                continue;
            }
            let want = key(core);
            let n = core.chars().count() * 2 + 8;
            let window = &s[..s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)];
            if key(window).starts_with(&want) {
                return Some(p);
            }
        }
    }
    None
}

pub(crate) fn fold_char(c: char) -> char {
    use unicode_normalization::UnicodeNormalization;
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else if matches!(c, '\u{4E00}'..='\u{9FFF}') {
        c
    } else {
        std::iter::once(c).nfkc().next().unwrap_or(c).to_ascii_lowercase()
    }
}

/// Words that start a snippet: `题目描述` (leetcode write-ups).
fn marker(body: &str) -> Option<usize> {
    for m in ["题目描述", "题⽬描述"] {
        if let Some(i) = body.find(m).filter(|i| (1..=MAX_TITLE).contains(i)) {
            return Some(i);
        }
    }
    // Paddle API pages: `name paddle.x.name(...)`.
    let i = body.find("paddle.")?;
    let t = body[..i].trim_end();
    (i > 0 && i <= MAX_TITLE && !t.is_empty() && is_ident(t)).then_some(i)
}

fn is_ident(t: &str) -> bool {
    t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// Paddle's PyTorch-mapping pages: `[ 分类 ]torch.name` + snippet.
fn torch_title(body: &str) -> Option<usize> {
    let skip = strip_number(body).map_or(0, |rest| body.len() - rest.len());
    if !body[skip..].starts_with('[') {
        return None;
    }
    let close = skip + body[skip..].find(']')?;
    let rest = &body[close + 1..];
    let rest_t = rest.trim_start();
    let n = rest_t.bytes().take_while(|b| b.is_ascii_alphanumeric() || b"_.\\".contains(b)).count();
    if n == 0 {
        return None;
    }
    let start = body.len() - rest_t.len();
    let mut end = start + glued_name_end(&rest_t[..n]);
    for s in TITLE_SUFFIXES {
        if body[end..].starts_with(s) {
            end += s.len();
        }
    }
    Some(end)
}

/// The snippet can follow the API name with no space: the name repeated
/// (`torch.Tensor.letorch.Tensor.le(other)`) or a window starting inside
/// the name (`…Module.parametersarameters torch…`). Returns the length of
/// the name within the identifier run `run`.
fn glued_name_end(run: &str) -> usize {
    const MIN: usize = 5;
    let b = run.as_bytes();
    // The name, then its repeat (maybe cut): the shortest such name.
    for k in MIN..b.len().saturating_sub(MIN - 1) {
        if b.starts_with(&b[k..]) {
            return k;
        }
    }
    // The name ends with the window's start: the run ends in `YY`.
    for y in (MIN..=b.len() / 2).rev() {
        if b[b.len() - 2 * y..b.len() - y] == b[b.len() - y..] {
            return b.len() - y;
        }
    }
    b.len()
}

/// No evidence of the boundary: guess from the title's shape.
///
/// - skip a leading re-upload number (`3 `), a problem number
///   (`2138. `, `LCP 54. `) or a tldr command (`nvm - `): the title goes on;
/// - an identifier-like first word followed by a space and ASCII text is
///   the whole title (`TABLE_STORAGE_STATS --+--`);
/// - else the title ends at the first space after a CJK character;
/// - a version right after it belongs to the title when the text after it
///   is not Chinese or it has two dots (`参考手册 3.11 6.19 字典对象`,
///   `参考指南 3.13 bisect`, `参考指南 3.8.20 这种情况下`).
pub(crate) fn fallback(body: &str) -> usize {
    let mut skip = strip_number(body).map_or(0, |rest| body.len() - rest.len());
    let mut prefixed = false;
    let mut leetcode = false;
    if let Some(n) = problem_number(&body[skip..]) {
        skip += n;
        prefixed = true;
        leetcode = true;
    } else if let Some(i) = body[skip..].find(" - ").filter(|i| {
        let cmd = &body[skip..skip + i];
        !cmd.is_empty()
            && cmd.split(' ').count() <= 2
            && cmd.bytes().all(|b| b.is_ascii_alphanumeric() || b"._- ".contains(&b))
    }) {
        skip += i + 3;
        prefixed = true;
    }
    let first_space = body[skip..].find(' ').map_or(body.len(), |i| skip + i);
    let first = &body[skip..first_space];
    if !prefixed
        && is_ident(first)
        && (first.contains(['_', '.']) || first.starts_with(|c: char| c.is_ascii_lowercase()))
        && body[first_space..].trim_start().chars().next().is_some_and(|c| c.is_ascii())
    {
        return first_space;
    }
    let mut prev_cjk = false;
    let mut stop = first_space;
    for (i, c) in body.char_indices().skip_while(|(i, _)| *i < skip) {
        if c == ' ' && prev_cjk {
            stop = i;
            break;
        }
        prev_cjk = !c.is_ascii();
    }
    if let Some(i) = glued_title_word(body, skip) {
        return i;
    }
    if leetcode {
        return leetcode_suffix(body, stop);
    }
    extend_version(body, stop)
}

/// A snippet glued to the title often starts with a word of the title
/// (`常见SQL优化手段总结SQL 慢了`, `Atomic 原子类总结Atomic 原子类介绍`): the
/// first place after `skip` where a Chinese character is directly followed
/// by an ASCII word (≥ 2 letters) that already occurs before it.
pub(crate) fn glued_title_word(body: &str, skip: usize) -> Option<usize> {
    let mut prev_cjk = false;
    for (i, c) in body[skip..].char_indices() {
        let i = skip + i;
        if i > MAX_TITLE / 2 {
            break;
        }
        if prev_cjk && c.is_ascii_alphabetic() {
            let n = body[i..].bytes().take_while(u8::is_ascii_alphanumeric).count();
            let word = &body[i..i + n];
            if n >= 2 && body[..i].contains(word) {
                return Some(i);
            }
        }
        prev_cjk = !c.is_ascii() && c.is_alphabetic();
    }
    None
}

/// TiDB release notes: the title ends after the first `Release Notes`
/// (`TiDB 6.5.0 Release Notes发版日期：…`; 53 of 54 dev titles that hold it
/// end there, the other has a re-upload suffix, kept here).
fn release_notes(body: &str) -> Option<usize> {
    let head = &body.as_bytes()[..body.len().min(MAX_TITLE)];
    let i = head.windows(13).position(|w| w.eq_ignore_ascii_case(b"release notes"))?;
    let mut end = i + 13;
    if let Some(sfx) = TITLE_SUFFIXES.iter().find(|x| body[end..].starts_with(*x)) {
        end += sfx.len();
    }
    Some(end)
}

/// No reliable evidence: the trained boundary scorer (`boundary.rs`),
/// which weighs the shape rules below among its features.
///
/// A version right after the chosen title belongs to it when two dots or
/// non-Chinese text follow (`参考指南 3.11.10 bisect`): the seed page's
/// manual titles, which the dev corpus that trained the scorer lacks.
fn guess(body: &str) -> usize {
    let Some(end) = crate::boundary::best_end(body) else { return fallback(body) };
    let last = body[..end].rsplit(' ').next().unwrap_or("");
    let next = body[end..].strip_prefix(' ').and_then(|r| r.split(' ').next()).unwrap_or("");
    if is_version(last) || !is_version(next) {
        return end;
    }
    extend_version(body, end)
}

/// `3.11`, `3.8.20`: digits separated by single dots.
fn is_version(tok: &str) -> bool {
    tok.contains('.')
        && tok.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Source conventions tried before the generic shape guess.
pub(crate) fn shape_rules(body: &str) -> Option<usize> {
    release_notes(body).or_else(|| toc_title(body))
}

/// Manuals: the snippet is a table of contents (`6.19 TiFlash 查询结果物化
/// . . . 74 6.20 …`), often glued to the title (`参考指南6.19`, or to a
/// version: `Python 常见问题 3.126.1` = `3.12` + `6.1`). The first entry
/// number is the one, before the first dot leader, whose successor
/// (last part + 1) starts a later entry; the title ends before it.
fn toc_title(body: &str) -> Option<usize> {
    let leader = body.find(" . . . ")?;
    let b = body.as_bytes();
    let mut i = 0;
    while i < leader {
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let run_end = i + b[i..].iter().take_while(|c| c.is_ascii_digit() || **c == b'.').count();
        let run_end = if b[run_end - 1] == b'.' { run_end - 1 } else { run_end };
        // Every start inside the run (a version may be glued in front).
        for s in (i..run_end).filter(|&s| s > 0 && b[s].is_ascii_digit()) {
            let num = &body[s..run_end];
            let leading_zero = num.starts_with('0') && !num.starts_with("0.");
            let Some(dot) = num.rfind('.').filter(|_| !leading_zero) else { continue };
            let Ok(last) = num[dot + 1..].parse::<u32>() else { continue };
            let succ = format!(" {}.{} ", &num[..dot], last + 1);
            if body[run_end..].contains(&succ) {
                return Some(s);
            }
        }
        i = run_end.max(i + 1);
    }
    None
}

/// After a leetcode title: ` II` (a problem in a series) and ` 🔒`
/// (premium problem) belong to the title.
fn leetcode_suffix(body: &str, mut stop: usize) -> usize {
    // A series number: ` II` then a space, a non-letter or the end (the
    // snippet may follow with no space: `II]$，…`, `II后，…`).
    let rest = &body[stop..];
    let t = rest.trim_start();
    let n = t.bytes().take_while(|b| matches!(b, b'I' | b'V')).count();
    let next = t[n..].chars().next();
    let roman = ["I", "II", "III", "IV", "V"].contains(&&t[..n]);
    let ends = next.is_none_or(|c| !c.is_ascii_alphabetic() || (n >= 2 && c.is_ascii_lowercase()));
    if roman && ends && !t[n..].starts_with(". ") {
        stop += rest.len() - t.len() + n;
    }
    // ` 🔒`, maybe glued to the snippet.
    let rest = &body[stop..];
    let t = rest.trim_start();
    if t.starts_with('🔒') {
        stop += rest.len() - t.len() + '🔒'.len_utf8();
    }
    stop
}

/// `2138. `, `LCP 54. `, `面试题 17.04. `: the length of the prefix.
pub(crate) fn problem_number(s: &str) -> Option<usize> {
    let mut t = s;
    for p in ["LCP ", "LCR ", "面试题 ", "剑指 Offer "] {
        if let Some(x) = t.strip_prefix(p) {
            t = x;
            break;
        }
    }
    let n = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    if n == 0 || !t[..n].ends_with('.') || !t[n..].starts_with(' ') {
        return None;
    }
    Some(s.len() - t.len() + n + 1)
}

pub(crate) fn extend_version(body: &str, stop: usize) -> usize {
    let rest = &body[stop..];
    let tok_start = rest.len() - rest.trim_start().len();
    let rest = rest.trim_start();
    let n = rest.find(' ').unwrap_or(rest.len());
    let tok = &rest[..n];
    let is_version = tok.contains('.')
        && tok.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && tok.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let next_ascii = rest[n..].trim_start().chars().next().is_some_and(|c| c.is_ascii());
    if is_version && (next_ascii || tok.matches('.').count() >= 2) {
        stop + tok_start + n
    } else {
        stop
    }
}
