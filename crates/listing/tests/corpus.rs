//! The dev corpus (`../shared/corpus/dev`): every parsed field against
//! `truth.jsonl`, with per-field accuracy printed (`--nocapture`).

use std::path::Path;

use wenku_listing::{CatalogReader, Item, Listing, ParseOptions, normalize};

const DEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/dev");

#[derive(Default)]
struct Tally {
    names: Vec<&'static str>,
    ok: Vec<usize>,
    n: Vec<usize>,
}

impl Tally {
    fn add(&mut self, name: &'static str, ok: bool) {
        let i = match self.names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                self.names.push(name);
                self.ok.push(0);
                self.n.push(0);
                self.names.len() - 1
            }
        };
        self.n[i] += 1;
        self.ok[i] += ok as usize;
    }
    fn rate(&self, name: &str) -> f64 {
        let i = self.names.iter().position(|n| *n == name).unwrap();
        self.ok[i] as f64 / self.n[i] as f64
    }
}

/// Normalisation without the doubled-character repair: what a clean line
/// must keep.
fn plain(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let n: String = s.nfkc().collect();
    normalize_ws(&n)
}

fn normalize_ws(s: &str) -> String {
    // dot leaders and whitespace the same way `normalize` does
    let mut out: Vec<&str> = Vec::new();
    let mut dots = 0;
    for t in s.split_whitespace() {
        if t == "." {
            dots += 1;
            continue;
        }
        if dots > 0 && dots < 3 {
            out.extend(std::iter::repeat_n(".", dots));
        }
        dots = 0;
        out.push(t);
    }
    if dots > 0 && dots < 3 {
        out.extend(std::iter::repeat_n(".", dots));
    }
    out.join(" ")
}

#[test]
fn dev_corpus_matches_truth() {
    check_dev_corpus(None, SPLIT_FLOOR);
}

/// With the `dev-sources` profile (the conventions of the corpus's own
/// sources) the split is at least as good as without.
#[test]
fn dev_corpus_with_its_profile() {
    let profile = wenku_listing::Profile::bundled("dev-sources").unwrap();
    check_dev_corpus(Some(profile), SPLIT_FLOOR);
}

fn check_dev_corpus(profile: Option<&'static wenku_listing::Profile>, split_floor: f64) {
    let dev = Path::new(DEV);
    if !dev.join("truth.jsonl").exists() {
        println!("skipped: no dev corpus at {}", dev.display());
        return;
    }
    let truth: Vec<serde_json::Value> = std::fs::read_to_string(dev.join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let as_of: jiff::Timestamp = "2026-08-26T08:00:00Z".parse().unwrap();
    let opts = ParseOptions { as_of: Some(as_of), profile, ..Default::default() };
    println!("profile: {:?}", profile.map(|p| p.name()));
    let mut listings: Vec<Listing> = Vec::new();
    let mut footers = 0;
    let mut errors = 0;
    let start = std::time::Instant::now();
    let mut bytes = 0u64;
    for item in CatalogReader::open(&[dev.join("pages")], opts).unwrap() {
        match item {
            Ok(Item::Listing(l)) => {
                bytes += l.raw.len() as u64 * 2;
                listings.push(l)
            }
            Ok(Item::Footer(f)) => {
                footers += 1;
                assert!(f.total > 0 && f.pages as u64 == f.total.div_ceil(10), "{f:?}");
            }
            Err(e) => {
                println!("error: {e}");
                errors += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "parsed {} listings, {footers} footers, {errors} errors in {secs:.3}s ({:.1} MB/s, debug or release as built)",
        listings.len(),
        bytes as f64 / secs / 1e6
    );
    assert_eq!(errors, 0);
    assert_eq!(footers, 154);
    assert_eq!(listings.len(), truth.len());

    let mut t = Tally::default();
    let mut shown = 0;
    let show = std::env::var("WENKU_SHOW_MISSES").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    for (l, tr) in listings.iter().zip(&truth) {
        let file = tr["page_file"].as_str().unwrap();
        let line = tr["line"].as_u64().unwrap();
        assert!(
            l.source.file.ends_with(file) && l.source.line == line,
            "{:?} vs {file}:{line}",
            l.source
        );
        let title = tr["title"].as_str().unwrap();
        let snippet = tr["snippet"].as_str().unwrap();
        let raw_snip = tr.get("snippet_raw").and_then(|v| v.as_str()).unwrap_or(snippet);
        let split_ok = l.title == title && l.snippet == raw_snip;
        if !split_ok && shown < show {
            shown += 1;
            println!(
                "split miss {file}:{line}\n  want {title:?}\n  got  {:?} | {:?}",
                l.title,
                l.snippet.chars().take(30).collect::<String>()
            );
        }
        t.add("split (title+snippet)", split_ok);
        t.add("title", l.title == title);
        t.add("price", l.price as u64 == tr["price"].as_u64().unwrap());
        t.add("pages", l.pages as u64 == tr["pages"].as_u64().unwrap());
        t.add("size_text", l.size_text == tr["size_text"].as_str().unwrap());
        t.add("size_bytes", l.size_bytes == tr["size_bytes"].as_u64().unwrap());
        let unit = serde_json::to_value(l.age.unit).unwrap();
        t.add(
            "age",
            l.age.value as u64 == tr["age_value"].as_u64().unwrap() && unit == tr["age_unit"],
        );
        t.add("trailing", l.trailing == tr["trailing"].as_u64().unwrap());
        // published is as_of − age: the truth date must lie within one unit before it.
        let date: jiff::Timestamp = tr["date"].as_str().unwrap().parse().unwrap();
        let p = l.published.unwrap();
        let unit_secs =
            wenku_listing::age_duration(wenku_listing::Age { value: 1, unit: l.age.unit })
                .as_secs();
        let diff = (p.as_second() - date.as_second()).abs();
        t.add(
            "published (within 1 unit + 5 days/yr)",
            diff <= unit_secs + 86_400 * 6 * l.age.value as i64,
        );
        // Normalisation: noised snippet → same as the clean one.
        if tr.get("snippet_raw").is_some() {
            let ok = normalize(raw_snip) == normalize(snippet);
            if !ok && shown < show {
                shown += 1;
                println!(
                    "norm miss {file}:{line}\n  {:?}\n  {:?}",
                    normalize(raw_snip),
                    normalize(snippet)
                );
            }
            t.add("snippet_norm (noised lines)", ok);
        } else {
            t.add("snippet_norm keeps clean lines", normalize(snippet) == plain(snippet));
        }
        t.add("title_norm keeps titles", normalize(title) == plain(title));
    }
    for i in 0..t.names.len() {
        println!(
            "{:>40}: {:>4}/{:>4} = {:.2}%",
            t.names[i],
            t.ok[i],
            t.n[i],
            100.0 * t.ok[i] as f64 / t.n[i] as f64
        );
    }
    // Every tally is asserted. Fields read from the fixed-format tail, and
    // the dates derived from the age, meet issue 3's 99 % acceptance level;
    // so do the normalisation checks. The split and the price are
    // heuristics with documented misses (docs/listing-format.md); the
    // split's boundary scorer was trained on this corpus, so its level here
    // is in-sample: the honest figures (held out by pages, leave one source
    // out) come from examples/train_split.rs.
    for f in [
        "pages",
        "size_text",
        "size_bytes",
        "age",
        "trailing",
        "published (within 1 unit + 5 days/yr)",
        "snippet_norm keeps clean lines",
        "title_norm keeps titles",
    ] {
        assert!(t.rate(f) >= 0.99, "{f}: {}", t.rate(f));
    }
    assert!(t.rate("snippet_norm (noised lines)") >= 0.98);
    assert!(t.rate("price") >= PRICE_FLOOR, "price {}", t.rate("price"));
    assert!(
        t.rate("split (title+snippet)") >= split_floor,
        "split {}",
        t.rate("split (title+snippet)")
    );
    // a right split has a right title: the title is never worse
    assert!(t.rate("title") >= t.rate("split (title+snippet)"), "title {}", t.rate("title"));
}

/// Floor asserted for the split, in-sample: a round level under what the
/// generic split reaches (0.92 when written), to catch a broken rule, not
/// a one-line change. The target is 0.99, see docs/listing-format.md.
const SPLIT_FLOOR: f64 = 0.90;

/// Floor asserted for the price digits: the rules leave 13 lines (0.9 %)
/// that nothing on the line decides (docs/listing-format.md); the floor
/// allows about twice that before it fails, so it guards the rules, not
/// today's count.
const PRICE_FLOOR: f64 = 0.98;
