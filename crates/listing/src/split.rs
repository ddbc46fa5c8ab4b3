//! Title/snippet split. There is no delimiter between them; the rules
//! below are tried in order and measured in docs/listing-format.md.

use crate::memory::TitleMemory;
use crate::normalize::{is_plain, may_start_with, starts_plain};
use crate::parse::RuleHint;
use crate::profile::Profile;
use crate::shape::fallback;
use crate::text::{
    DASH, MAX_TITLE, comparable, extend_version, find, first_separators, fold_char, is_ident,
    is_version, leading_label, problem_number, site_suffix_with, strip_number, strip_suffix,
    suffix_len,
};

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
    profile: &Profile,
) -> (&'a str, &'a str) {
    let mut memory = memory;
    let end = reliable_end(body, memory.as_deref_mut(), profile)
        .unwrap_or_else(|| guess(body, memory.as_deref(), profile));
    let (t, s) = body.split_at(end);
    (t.trim(), s.trim())
}

/// The title's end by a reliable rule or, failing those, by a remembered
/// title; `None` when the boundary has to be guessed.
pub(crate) fn reliable_end(
    body: &str,
    memory: Option<&mut TitleMemory>,
    profile: &Profile,
) -> Option<usize> {
    match memory {
        Some(m) => learn(body, m, profile).or_else(|| m.lookup(body, profile)),
        None => rule_end(body, profile),
    }
}

/// What `body` teaches the memory (its text, and the title a reliable
/// rule finds in it; nothing once the memory is frozen); returns that
/// rule's end.
pub(crate) fn learn(body: &str, m: &mut TitleMemory, profile: &Profile) -> Option<usize> {
    let end = rule_end(body, profile);
    learn_split(body, end, m);
    end
}

/// [`learn`] with the reliable rules' end of `body` ([`rule_end`])
/// already found (they read no memory, so another thread can find it).
pub(crate) fn learn_split(body: &str, end: Option<usize>, m: &mut TitleMemory) {
    m.learn_text(body);
    learn_split_title(body, end, m);
}

/// [`learn_split`] with the character pairs and words counted elsewhere
/// (`memory::Counts`, on the worker that found `end`).
pub(crate) fn learn_split_but_counts(body: &str, end: Option<usize>, m: &mut TitleMemory) {
    m.learn_text_but_counts(body);
    learn_split_title(body, end, m);
}

fn learn_split_title(body: &str, end: Option<usize>, m: &mut TitleMemory) {
    if let Some(end) = end {
        m.learn(body[..end].trim());
        m.learn_opener(body[..end].trim(), body[end..].trim_start());
    }
}

/// [`split_title`] with a frozen memory, read only (a frozen memory
/// learns nothing, so this is the same split): a pure function of the
/// body and the memory, which threads can share.
pub(crate) fn split_title_frozen<'a>(
    body: &'a str,
    memory: &TitleMemory,
    profile: &Profile,
    hint: RuleHint,
) -> (&'a str, &'a str) {
    let end = hint
        .get(body)
        .unwrap_or_else(|| rule_end(body, profile))
        .or_else(|| memory.lookup(body, profile))
        .unwrap_or_else(|| guess(body, Some(memory), profile));
    let (t, s) = body.split_at(end);
    (t.trim(), s.trim())
}

/// The title's end by a reliable rule (no memory).
pub(crate) fn rule_end(body: &str, profile: &Profile) -> Option<usize> {
    ends_after(body, profile)
        .or_else(|| repeated_title(body, profile))
        .or_else(|| qualified_repeat(body))
        .or_else(|| marker(body, profile))
        .or_else(|| bracketed_identifier_title(body, profile))
}

/// The profile's `title-ends-after` patterns: the title ends after the
/// first match (and a re-upload suffix right after it).
fn ends_after(body: &str, profile: &Profile) -> Option<usize> {
    profile.title_ends_after.iter().find_map(|p| {
        let end = p.end_of_first(body, MAX_TITLE)?;
        let end = end + suffix_len(&body[end..], profile);
        (end < body.len()).then_some(end)
    })
}

/// The snippet often starts by repeating the title (without a leading
/// number or a re-upload suffix; tldr titles `cmd - text` as `cmd text`).
/// Take the shortest title whose repeat starts the rest of the body,
/// compared after normalisation (the snippet's copy may be noised).
///
/// Every candidate core starts with the body's first character or with the
/// first character after a leading number (`12 `), so a boundary whose next
/// character folds to neither is skipped without building candidates.
fn repeated_title(body: &str, profile: &Profile) -> Option<usize> {
    let first_key = |s: &str| s.chars().next().map(fold_char);
    let lead = first_key(body)?;
    let after_number = strip_number(body).and_then(first_key);
    let label_len = leading_label(body);
    let after_label = label_len.and_then(|n| first_key(body[n..].trim_start()));
    // First ` - ` of the body: the first one in every prefix that holds it
    // (the same for the site separators).
    let dash = find(body, &DASH);
    let seps = first_separators(body);
    for (p, c) in body.char_indices().skip(1) {
        if p > MAX_TITLE {
            break;
        }
        if c == ' ' {
            continue;
        }
        let s0 = fold_char(c);
        if s0 != lead && Some(s0) != after_number && Some(s0) != after_label {
            continue;
        }
        let t = body[..p].trim_end();
        if t.chars().nth(1).is_none() {
            continue;
        }
        let s = &body[p..];
        let mut cores: [Option<&str>; 4] =
            [Some(t), strip_number(t), strip_suffix(t, profile), None];
        if let Some(x) = strip_number(t).and_then(|t| strip_suffix(t, profile)) {
            cores[3] = Some(x);
        }
        let tldr =
            dash.filter(|i| i + 3 <= t.len()).map(|i| format!("{} {}", &t[..i], &t[i + 3..]));
        let site = site_suffix_with(t, seps).map(|i| &t[..i]);
        let unlabelled = label_len.filter(|n| *n < t.len()).map(|n| t[n..].trim_start());
        let candidates =
            cores.iter().flatten().copied().chain(tldr.as_deref()).chain(site).chain(unlabelled);
        for core in candidates {
            if first_key(core) != Some(s0) {
                continue;
            }
            if core.chars().nth(1).is_none()
                || core.bytes().all(|b| b.is_ascii_digit() || b == b' ')
            {
                continue;
            }
            // The common case first: the repeat is byte for byte (ASCII
            // case aside); only a noised copy needs normalising. (This can
            // accept where the normalised forms differ, for a doubled pair
            // or a dot leader across the title's end: no dev or sample line.)
            if s.as_bytes()
                .get(..core.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(core.as_bytes()))
            {
                return Some(p);
            }
            let n = core.chars().count() * 2 + 8;
            let window = &s[..s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)];
            // Most candidates differ within their first characters: a
            // test on both skeletons rejects them without normalising.
            if !may_start_with(window, core) {
                continue;
            }
            // Both normalise to themselves where they are compared: then
            // the byte comparison above decided (no normalising needed).
            if is_plain(core) && starts_plain(window, core.len()) {
                continue;
            }
            let want = comparable(core);
            if comparable(window).starts_with(&want) {
                return Some(p);
            }
        }
    }
    None
}

/// API pages: a short name, then the text starts with its qualified name
/// (`cov paddle.linalg.cov(x…`, glued: `tanpaddle.tan(x…`, in any
/// language: `List java.util.List`). The title is the short name.
fn qualified_repeat(body: &str) -> Option<usize> {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let dotted = |s: &str| s.bytes().take_while(|&b| ident(b) || b == b'.').count();
    // Separated by a space: the first word is the name.
    let n = body.bytes().take_while(|&b| ident(b)).count();
    if let Some(rest) = body[n..].strip_prefix(' ') {
        let q = &rest[..dotted(rest)];
        if n >= 2 && q.strip_suffix(&body[..n]).is_some_and(|p| p.len() > 1 && p.ends_with('.')) {
            return Some(n);
        }
    }
    // Glued: the dotted run starts with its own last part.
    let run = &body[..dotted(body)];
    let last = run.rsplit('.').next()?;
    let q = run.strip_prefix(last)?;
    let glued = last.len() >= 2 && q.len() > last.len() + 1 && q.contains('.');
    (glued && q.strip_suffix(last).is_some_and(|p| p.ends_with('.'))).then_some(last.len())
}

/// The profile's words that start a snippet (`snippet-starts-with`,
/// `snippet-starts-with-after-identifier`).
fn marker(body: &str, profile: &Profile) -> Option<usize> {
    for m in &profile.snippet_starts_with {
        if let Some(i) = body.find(m.as_str()).filter(|i| (1..=MAX_TITLE).contains(i)) {
            return Some(i);
        }
    }
    profile.snippet_after_identifier.iter().find_map(|m| {
        let i = body.find(m.as_str())?;
        let t = body[..i].trim_end();
        (i > 0 && i <= MAX_TITLE && !t.is_empty() && is_ident(t)).then_some(i)
    })
}

/// `bracketed-identifier-title` (Paddle's PyTorch-mapping pages):
/// `[ 分类 ]torch.name` + snippet.
fn bracketed_identifier_title(body: &str, profile: &Profile) -> Option<usize> {
    if !profile.bracketed_identifier_title {
        return None;
    }
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
    let end = start + glued_name_end(&rest_t[..n]);
    Some(end + suffix_len(&body[end..], profile))
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

/// No reliable evidence: the trained boundary scorer (`boundary.rs`),
/// which weighs the shape rules below among its features; then the
/// profile's post-rules (`numbered-title-tail`, `version-after-title`).
fn guess(body: &str, memory: Option<&TitleMemory>, profile: &Profile) -> usize {
    let end = crate::boundary::best_end(body, memory).unwrap_or_else(|| fallback(body));
    let end = numbered_tail(body, end, profile);
    if !profile.version_after_title {
        return end;
    }
    let last = body[..end].rsplit(' ').next().unwrap_or("");
    let next = body[end..].strip_prefix(' ').and_then(|r| r.split(' ').next()).unwrap_or("");
    if is_version(last) || !is_version(next) {
        return end;
    }
    extend_version(body, end)
}

/// `numbered-title-tail` of the profile: after the guessed end of a
/// numbered title (`2138. `, `LCP 54. `), each listed token that follows
/// (after optional spaces) belongs to the title; an alphabetic token only
/// when no letter follows it (the snippet may be glued: `II]$，…`, `II后，…`;
/// a lower-case letter after two or more letters starts a glued word).
fn numbered_tail(body: &str, mut stop: usize, profile: &Profile) -> usize {
    if profile.numbered_title_tails.is_empty() {
        return stop;
    }
    let skip = strip_number(body).map_or(0, |r| body.len() - r.len());
    if problem_number(&body[skip..], &profile.number_prefixes).is_none() {
        return stop;
    }
    loop {
        let rest = &body[stop..];
        let t = rest.trim_start();
        // The longest listed token that ends where a token may end.
        let found = profile
            .numbered_title_tails
            .iter()
            .filter(|tok| {
                let Some(after) = t.strip_prefix(tok.as_str()) else { return false };
                if !tok.chars().all(|c| c.is_ascii_alphabetic()) {
                    return true;
                }
                let next = after.chars().next();
                next.is_none_or(|c| {
                    !c.is_ascii_alphabetic() || (tok.len() >= 2 && c.is_ascii_lowercase())
                }) && !after.starts_with(". ")
            })
            .map(String::len)
            .max();
        match found {
            // Tokens are not empty: `stop` grows.
            Some(n) => stop += rest.len() - t.len() + n,
            None => return stop,
        }
    }
}
