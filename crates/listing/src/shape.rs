//! Shape rules: where the title of a body probably ends when nothing
//! repeats it (a leading number, a tldr command, an identifier, the first
//! space after Chinese, a glued title word, a manual's table of contents).
//! The boundary scorer (`boundary.rs`) weighs their votes; the split
//! (`split.rs`) falls back on them without weights.

use crate::text::{DASH, DOT_LEADER, extend_version, find, is_ident, problem_number, strip_number};

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
    if let Some(n) = problem_number(&body[skip..], &[]) {
        skip += n;
        prefixed = true;
    } else if let Some(i) = find(&body[skip..], &DASH).filter(|i| {
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
        if i > crate::text::MAX_TITLE / 2 {
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

/// The shape rules the scorer weighs besides the fallback.
pub(crate) fn shape_rules(body: &str) -> Option<usize> {
    toc_title(body)
}

/// Manuals: the snippet is a table of contents (`6.19 TiFlash 查询结果物化
/// . . . 74 6.20 …`), often glued to the title (`参考指南6.19`, or to a
/// version: `Python 常见问题 3.126.1` = `3.12` + `6.1`). The first entry
/// number is the one, before the first dot leader, whose successor
/// (last part + 1) starts a later entry; the title ends before it.
fn toc_title(body: &str) -> Option<usize> {
    let leader = find(body, &DOT_LEADER)?;
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
