//! Helpers: the binary, temporary directories, fixtures, JSON output.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde_json::Value;

/// The bundled sample catalog.
pub const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");
/// The reference page: 10 listings (one repeated), footer 共 163 条.
pub const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/seed-page.txt");
/// The development corpus (outside the repository; tests using it skip
/// when it is absent).
pub const DEV_PAGES: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/dev/pages");

/// The binary, with a clean environment for the variables it reads.
pub fn wenku() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_wenku"));
    cmd.env_remove("WENKU_INDEX").env_remove("RUST_LOG").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A temporary directory with an index path inside it.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir { tmp: tempfile::Builder::new().prefix("wenku-cli-test-").tempdir().unwrap() }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The index directory (not created).
    pub fn index(&self) -> PathBuf {
        self.path("index")
    }

    pub fn index_arg(&self) -> String {
        self.index().display().to_string()
    }

    /// Writes a file and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// `wenku --index <this index> <args>`.
    pub fn wenku(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = wenku();
        cmd.arg("--index").arg(self.index()).args(args);
        cmd
    }

    /// Indexes `paths` (capture time fixed) and checks success.
    pub fn indexed(self, paths: &[&Path]) -> Dir {
        self.indexed_more(paths);
        self
    }

    /// Indexes `paths` (capture time fixed) into this index and checks success.
    pub fn indexed_more(&self, paths: &[&Path]) {
        self.wenku(&["index", "--as-of", "2026-08-26T08:00:00Z"]).args(paths).assert().success();
    }
}

/// An index of the seed page shared by the read-only tests. A static is
/// never dropped, so it lives under cargo's `target/tmp` rather than the
/// system temporary directory.
pub fn seed_index() -> &'static Dir {
    static DIR: LazyLock<Dir> = LazyLock::new(|| kept_index("wenku-cli-seed-", SEED));
    &DIR
}

/// An index of `path` (capture time fixed) for the tests to share, under
/// cargo's `target/tmp` (a static is never dropped).
pub fn kept_index(prefix: &str, path: &str) -> Dir {
    let tmp =
        tempfile::Builder::new().prefix(prefix).tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    Dir { tmp }.indexed(&[Path::new(path)])
}

/// [`kept_index`] with the split profile of the seed page's manuals
/// (`--profile manual-versions`: their version is part of the title), as
/// docs/http-api.md indexes `data/sample`.
pub fn kept_index_of_manuals(prefix: &str, path: &str) -> Dir {
    let tmp =
        tempfile::Builder::new().prefix(prefix).tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = Dir { tmp };
    dir.wenku(&["index", "--as-of", "2026-08-26T08:00:00Z", "--profile", "manual-versions", path])
        .assert()
        .success();
    dir
}

/// One raw listing line (the listing text written twice, as on the site).
pub fn listing_line(
    title: &str,
    snippet: &str,
    price: u32,
    pages: u32,
    size: &str,
    age: &str,
) -> String {
    let text = format!(" {title} {snippet}{price} 码力 | {pages} 页 | {size} | {age}前7");
    format!("{text}{text}\n")
}

/// A page of `n` distinct synthetic listings with a footer.
pub fn synthetic_page(n: usize) -> String {
    synthetic_page_from(0, n)
}

/// A page of synthetic listings `first..first + n` (distinct for distinct
/// numbers) with a footer.
pub fn synthetic_page_from(first: usize, n: usize) -> String {
    let mut page = String::new();
    for i in first..first + n {
        page.push_str(&listing_line(
            &format!("测试文档{i} 性能优化手册"),
            &format!("第{i}章 利用率与吞吐量的说明文字 共享内存 线程池 调度器 "),
            (i % 3) as u32,
            (i % 400 + 1) as u32,
            &format!("{}.50 KB", i % 900 + 1),
            &format!("{} 年", i % 5 + 1),
        ));
    }
    let _ = write!(page, "共 {n} 条\n- 1\n\n\n");
    page
}

/// stdout as UTF-8.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// stderr as UTF-8.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Every stdout line parsed as JSON.
pub fn json_lines(out: &std::process::Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Substring of `s` by character range.
pub fn chars(s: &str, start: u64, end: u64) -> String {
    s.chars().skip(start as usize).take((end - start) as usize).collect()
}
