//! `wenku serve`: the real binary on an ephemeral loopback port, spoken to
//! over raw TCP (so that malformed requests can be sent as they are).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{
    Dir, SAMPLE, SEED, json_lines, kept_index_of_manuals, synthetic_page_from, wenku,
};

const KEY: &str = "test-write-key-0123456789";
const NOW: &str = "2026-08-26T08:00:00Z";

/// A running `wenku serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts `wenku --index <index> serve --addr 127.0.0.1:0 <args>` and
    /// waits for its `listening on` line.
    pub fn start(index: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wenku"))
            .env_remove("WENKU_INDEX")
            .env_remove("WENKU_WRITE_KEY")
            .env_remove("RUST_LOG")
            .arg("--index")
            .arg(index)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("wenku serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .expect("an address");
        Server { child, addr, _stdout: stdout }
    }

    pub fn get(&self, target: &str) -> Response {
        self.request("GET", target, &[], b"")
    }

    pub fn request(&self, method: &str, target: &str, headers: &[&str], body: &[u8]) -> Response {
        let mut head =
            format!("{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        for h in headers {
            head.push_str(h);
            head.push_str("\r\n");
        }
        if !headers.iter().any(|h| h.to_ascii_lowercase().starts_with("transfer-encoding")) {
            let _ = write!(head, "Content-Length: {}\r\n", body.len());
        }
        head.push_str("\r\n");
        let mut raw = head.into_bytes();
        raw.extend_from_slice(body);
        self.raw(&raw)
    }

    /// Sends `bytes` as they are and reads the whole answer.
    pub fn raw(&self, bytes: &[u8]) -> Response {
        let mut s = self.connect();
        s.write_all(bytes).expect("send");
        read_response(&mut s)
    }

    /// Starts `POST /listings` (with the write key) announcing `length`
    /// bytes of body and sends `part` of them; the caller sends the rest,
    /// reads the answer or goes away.
    pub fn upload(&self, length: usize, part: &[u8]) -> TcpStream {
        let mut s = self.connect();
        let head = format!(
            "POST /listings HTTP/1.1\r\nHost: x\r\n{}\r\nContent-Length: {length}\r\n\r\n",
            auth()
        );
        s.write_all(head.as_bytes()).expect("send the head");
        s.write_all(part).expect("send the body");
        s
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_mins(1))).unwrap();
        s
    }

    /// Sends SIGTERM.
    pub fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(ok.success());
    }

    /// Sends SIGTERM and waits (at most `limit`) for the exit status.
    pub fn terminate(self, limit: Duration) -> std::process::ExitStatus {
        self.sigterm();
        self.wait(limit)
    }

    /// Waits (at most `limit`) for the exit status.
    pub fn wait(mut self, limit: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed() < limit, "server still running {limit:?} after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} answer is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        self.json()
    }

    /// Asserts a JSON error answer with `status` whose message contains `text`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, text: &str) -> Value {
        let v = self.expect(status);
        let msg = v["error"].as_str().unwrap_or_else(|| panic!("no error message: {v}"));
        assert!(msg.contains(text), "{msg:?} does not contain {text:?}");
        v
    }
}

pub fn read_response(s: &mut TcpStream) -> Response {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the answer");
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8(raw[..end].to_vec()).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked =
        headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
    if chunked {
        body = dechunk(&body);
    }
    Response { status, headers, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

/// Percent-encodes a query parameter value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sample catalog indexed once (capture time fixed), shared by the
/// read-only tests.
fn sample_index() -> &'static Dir {
    static DIR: LazyLock<Dir> =
        LazyLock::new(|| kept_index_of_manuals("wenku-serve-sample-", SAMPLE));
    &DIR
}

/// A read-only server on the sample index.
pub fn sample_server(args: &[&str]) -> Server {
    Server::start(&sample_index().index(), args)
}

/// A writable server on a fresh index holding the seed page.
fn writable(args: &[&str]) -> (Dir, Server) {
    let dir = Dir::new().indexed(&[Path::new(SEED)]);
    let mut all = vec!["--write-key", KEY];
    all.extend_from_slice(args);
    let server = Server::start(&dir.index(), &all);
    (dir, server)
}

fn auth() -> String {
    format!("Authorization: Bearer {KEY}")
}

fn total(server: &Server, query: &str) -> u64 {
    server.get(&format!("/search?q={}&limit=0", enc(query))).expect(200)["total"].as_u64().unwrap()
}

#[test]
fn search_hits_are_the_cli_json_hits() {
    let server = sample_server(&[]);
    for q in ["利用率", "標準庫 bisect", "python -java", "pages:>1000"] {
        let v = server.get(&format!("/search?q={}&limit=5&offset=1&now={NOW}", enc(q))).expect(200);
        let cli = sample_index()
            .wenku(&["search", "--json", "-n", "5", "--offset", "1", "--now", NOW, q])
            .output()
            .unwrap();
        let cli_hits = json_lines(&cli);
        assert_eq!(v["hits"].as_array().unwrap(), &cli_hits, "{q}");
        assert_eq!(v["query"], q);
        assert_eq!((v["offset"].as_u64(), v["limit"].as_u64()), (Some(1), Some(5)));
        assert!(v["took_ms"].as_f64().unwrap() >= 0.0);
        assert!(v.get("facets").is_none());
    }
    let v = server.get(&format!("/search?q={}", enc("標準庫 bisect"))).expect(200);
    assert_eq!(v["total"], 4);
    let hit = &v["hits"][0];
    assert_eq!(hit["rank"], 1);
    let span = &hit["title_spans"][0];
    let title = hit["title"].as_str().unwrap();
    assert_eq!(
        &title[span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize],
        "标准库"
    );
}

#[test]
fn search_options_and_facets() {
    let server = sample_server(&[]);
    let v = server
        .get(&format!("/search?q={}&facets=true&explain=1&sort=largest&limit=3", enc("python")))
        .expect(200);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    let sizes: Vec<u64> = hits.iter().map(|h| h["size_bytes"].as_u64().unwrap()).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert!(hits[0]["explanation"]["bm25"].is_number());
    // each facet's filter selects exactly the listings it counts
    let facets = &v["facets"];
    let mut counted = 0;
    for b in facets["size"].as_array().unwrap().iter().chain(facets["year"].as_array().unwrap()) {
        let filter = b["filter"].as_str().unwrap();
        assert_eq!(
            total(&server, &format!("python {filter}")),
            b["count"].as_u64().unwrap(),
            "{b}"
        );
        counted += b["count"].as_u64().unwrap();
    }
    assert!(counted > 0);
    // limit 0: a count only
    let v = server.get("/search?q=python&limit=0").expect(200);
    assert!(v["total"].as_u64().unwrap() > 3);
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    // no match is not an error
    let v = server.get(&format!("/search?q={}", enc("xyzzyplugh"))).expect(200);
    assert_eq!((v["total"].as_u64(), v["hits"].as_array().map(Vec::len)), (Some(0), Some(0)));
}

#[test]
fn malformed_searches_are_400_with_a_json_error() {
    let server =
        sample_server(&["--max-query-chars", "50", "--max-limit", "20", "--max-window", "100"]);
    let v =
        server.get(&format!("/search?q={}", enc("利用率 size:5"))).expect_error(400, "with a unit");
    assert_eq!(v["position"], 10);
    let v =
        server.get(&format!("/search?q={}", enc("pages:>abc"))).expect_error(400, "whole number");
    assert_eq!(v["position"], 8);
    for (target, message) in [
        ("/search", "missing parameter 'q'"),
        ("/search?q=", "empty"),
        ("/search?q=x&colour=red", "unknown parameter 'colour'"),
        ("/search?q=x&q=y", "given twice"),
        ("/search?q=%FF%FE", "not valid UTF-8"),
        ("/search?q=%E5%88", "not valid UTF-8"),
        ("/search?q=x&limit=21", "at most 20"),
        ("/search?q=x&limit=abc", "whole number"),
        ("/search?q=x&offset=90&limit=20", "result window"),
        ("/search?q=x&offset=99999999999999999999999", "whole number"),
        ("/search?q=x&sort=random", "unknown order"),
        ("/search?q=x&facets=perhaps", "true or false"),
        ("/search?q=x&now=tomorrow", "parameter 'now'"),
    ] {
        server.get(target).expect_error(400, message);
    }
    server
        .get(&format!("/search?q={}", enc(&"字".repeat(51))))
        .expect_error(400, "query too long: 51 characters");
    // 400 nested parentheses, on a server whose length limit lets them in
    let deep = sample_server(&["--max-query-chars", "30000"]);
    let q = format!("{}x{}", "(".repeat(400), ")".repeat(400));
    let v = deep.get(&format!("/search?q={}", enc(&q))).expect_error(400, "nested too deeply");
    assert!(v["position"].as_u64().is_some_and(|p| p > 1 && p <= 400), "{v}");
    // 5,000 characters: within this server's limit, past the engine's own
    let q = "(".repeat(5_000);
    deep.get(&format!("/search?q={}", enc(&q))).expect_error(400, "too long");
    // a million: the request head alone is too large for the HTTP layer
    let r = deep.get(&format!("/search?q={}", enc(&"(".repeat(1_000_000))));
    assert_eq!(r.status, 431, "{}", r.text());
    let q = format!("{}利用率{}", "(".repeat(8), ")".repeat(8));
    assert_eq!(total(&deep, &q), 1);
    // raw bytes that are not a valid request target: refused by the HTTP layer
    let r = server.raw(b"GET /search?q=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status, 400, "{}", r.text());
    // garbage instead of HTTP
    let r = server.raw(b"\x16\x03\x01 hello\r\n\r\n");
    assert_eq!(r.status, 400, "{}", r.text());
    // the server is still fine
    assert_eq!(total(&server, "利用率"), 1);
}

#[test]
fn listings_stats_health_page_and_unknown_routes() {
    let server = sample_server(&[]);
    let hit =
        server.get(&format!("/search?q={}&limit=1", enc("利用率"))).expect(200)["hits"][0].clone();
    let id = hit["id"].as_str().unwrap();
    let l = server.get(&format!("/listings/{id}")).expect(200);
    assert_eq!(l["id"], id);
    assert_eq!(l["pages"], hit["pages"]);
    assert_eq!(l["source"], hit["source"]);
    assert_eq!(l["dup_count"], 1);
    server
        .get("/listings/0123456789abcdef0123456789abcdef")
        .expect_error(404, "no listing with id");
    server.get(&format!("/listings/{id}?x=1")).expect_error(400, "unknown parameter");

    let stats = server.get("/stats").expect(200);
    let cli = sample_index().wenku(&["stats", "--json"]).output().unwrap();
    let cli = &json_lines(&cli)[0];
    assert_eq!(stats["documents"], 68);
    for key in [
        "documents",
        "listings_with_copies",
        "years",
        "size_buckets",
        "page_buckets",
        "free",
        "published",
    ] {
        assert_eq!(stats[key], cli[key], "{key}");
    }

    let h = server.get("/health").expect(200);
    assert_eq!(
        (h["status"].as_str(), h["documents"].as_u64(), h["writes"].as_bool()),
        (Some("ok"), Some(68), Some(false))
    );

    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    let html = page.text();
    for needle in ["compositionstart", "compositionend", "共 ", "/search?", "viewport"] {
        assert!(html.contains(needle), "page lacks {needle}");
    }

    server.get("/nope").expect_error(404, "no such endpoint");
    server.request("PUT", "/search", &[], b"").expect_error(405, "method not allowed");
    server.request("POST", "/search", &[], b"x").expect_error(405, "method not allowed");
}

#[test]
fn writes_are_off_without_a_key() {
    let server = sample_server(&[]);
    let body = synthetic_page_from(0, 2);
    for key in [None, Some(auth())] {
        let headers: Vec<&str> = key.iter().map(String::as_str).collect();
        server
            .request("POST", "/listings", &headers, body.as_bytes())
            .expect_error(403, "--write-key");
        server.request("DELETE", "/listings/abc", &headers, b"").expect_error(403, "--write-key");
    }
    assert_eq!(server.get("/health").expect(200)["documents"], 68);
}

#[test]
fn writes_need_the_key_and_are_searchable_at_once() {
    let (_dir, server) = writable(&[]);
    let page = synthetic_page_from(0, 30);
    for bad in [
        vec![],
        vec!["Authorization: Bearer wrong"],
        vec!["Authorization: Basic dGVzdA=="],
        vec!["Authorization: Bearer test-write-key-012345678"],
    ] {
        let r = server.request("POST", "/listings", &bad, page.as_bytes());
        r.expect_error(401, "write key");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        server.request("DELETE", "/listings/abc", &bad, b"").expect_error(401, "write key");
    }
    assert_eq!(total(&server, "测试文档"), 0);

    let r = server
        .request("POST", "/listings?name=batch-1.txt&as_of=2026-08-26", &[&auth()], page.as_bytes())
        .expect(200);
    assert_eq!(
        (r["listings_read"].as_u64(), r["indexed"].as_u64(), r["malformed"].as_u64()),
        (Some(30), Some(30), Some(0))
    );
    assert_eq!(r["documents"], 39);
    assert_eq!(r["bytes_read"], page.len());
    // visible to the very next search
    assert_eq!(total(&server, "测试文档"), 30);
    let hit = server.get(&format!("/search?q={}", enc("测试文档 pages:8"))).expect(200)["hits"][0]
        .clone();
    assert_eq!(hit["source"]["file"], "batch-1.txt");
    // as_of applies: 3 年前 of 2026-08-26
    assert!(hit["published"].as_str().unwrap().starts_with("2023-08-2"), "{hit}");

    // JSON Lines as `wenku parse` writes them are accepted too
    let jsonl = wenku()
        .args(["parse", "--as-of", "2026-08-26", "-"])
        .write_stdin(synthetic_page_from(100, 5))
        .output()
        .unwrap();
    assert!(jsonl.status.success());
    let r = server.request("POST", "/listings", &[&auth()], &jsonl.stdout).expect(200);
    assert_eq!(r["indexed"], 5);
    assert_eq!(total(&server, "测试文档"), 35);

    // a malformed line is reported, the rest indexed
    let mixed = format!("{}this is not a listing line\n", synthetic_page_from(200, 2));
    let r = server
        .request("POST", "/listings?name=mixed.txt", &[&auth()], mixed.as_bytes())
        .expect(200);
    assert_eq!((r["indexed"].as_u64(), r["malformed"].as_u64()), (Some(2), Some(1)));
    assert!(r["malformed_examples"][0].as_str().unwrap().contains("mixed.txt:7"), "{r}");

    server
        .request("POST", "/listings?names=x", &[&auth()], b"")
        .expect_error(400, "unknown parameter 'names'");
    server.request("POST", "/listings?as_of=yesterday", &[&auth()], b"").expect_error(400, "as_of");
    server
        .request("POST", "/listings?encoding=klingon", &[&auth()], b"")
        .expect_error(400, "unknown encoding");

    // delete
    let id = hit["id"].as_str().unwrap();
    let r = server.request("DELETE", &format!("/listings/{id}"), &[&auth()], b"").expect(200);
    assert_eq!(r["deleted"], id);
    assert_eq!(r["documents"], 9 + 30 + 5 + 2 - 1);
    server.get(&format!("/listings/{id}")).expect_error(404, "no listing");
    assert_eq!(total(&server, "测试文档"), 36);
    server
        .request("DELETE", &format!("/listings/{id}"), &[&auth()], b"")
        .expect_error(404, "no listing");
}

#[test]
fn oversize_and_incomplete_bodies_index_nothing() {
    let (dir, server) = writable(&["--max-body", "64KB", "--write-timeout", "2s"]);
    let big = synthetic_page_from(0, 400);
    assert!(big.len() > 64 << 10);
    // announced too large: refused before reading
    server
        .request("POST", "/listings", &[&auth()], big.as_bytes())
        .expect_error(413, "payload too large");
    // chunked, no length announced: cut off at the limit, rolled back
    let mut chunked = Vec::new();
    for part in big.as_bytes().chunks(8192) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    server
        .request("POST", "/listings", &[&auth(), "Transfer-Encoding: chunked"], &chunked)
        .expect_error(413, "--max-body");
    assert_eq!(total(&server, "测试文档"), 0);

    // the client goes away in the middle of the body
    let small = synthetic_page_from(0, 20);
    drop(server.upload(small.len() + 1000, small.as_bytes()));
    // the body stalls past --write-timeout
    let mut s = server.upload(small.len() + 1000, small.as_bytes());
    read_response(&mut s).expect_error(503, "nothing was indexed");
    // nothing of either is in the index, for the server and for a new process
    assert_eq!(total(&server, "测试文档"), 0);
    assert_eq!(server.get("/health").expect(200)["documents"], 9);
    dir.wenku(&["search", "测试文档"]).assert().code(1);
    // and the writer is free again
    server.request("POST", "/listings", &[&auth()], small.as_bytes()).expect(200);
    assert_eq!(total(&server, "测试文档"), 20);
}

#[test]
fn searches_keep_working_during_indexing_and_see_each_commit() {
    let (_dir, server) = writable(&[]);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let batches = 3;
    let per_batch = 1500;
    let bisect = total(&server, "bisect");
    assert!(bisect > 0);
    std::thread::scope(|scope| {
        let searchers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut seen = Vec::new();
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        seen.push(total(&server, "测试文档"));
                        assert_eq!(total(&server, "bisect"), bisect);
                    }
                    seen
                })
            })
            .collect();
        for b in 0..batches {
            let page = synthetic_page_from(b * per_batch, per_batch);
            let r = server.request("POST", "/listings", &[&auth()], page.as_bytes()).expect(200);
            assert_eq!(r["indexed"].as_u64(), Some(per_batch as u64));
            // the commit is visible as soon as the POST has answered
            assert_eq!(total(&server, "测试文档"), ((b + 1) * per_batch) as u64);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for s in searchers {
            let seen = s.join().unwrap();
            assert!(seen.len() >= 3, "{seen:?}");
            // totals only ever step up, by whole commits
            assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
            assert!(seen.iter().all(|t| t % per_batch as u64 == 0), "{seen:?}");
        }
    });
}

#[test]
fn concurrency_limit_and_health_while_busy() {
    let (_dir, server) =
        writable(&["--max-concurrent", "1", "--timeout", "1s", "--write-timeout", "20s"]);
    // a stalled upload holds the only slot
    let s = server.upload(100, b" 3");
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    server.get("/search?q=x").expect_error(503, "server busy");
    assert!(started.elapsed() >= Duration::from_millis(900));
    // health answers outside the limit
    assert_eq!(server.get("/health").expect(200)["status"], "ok");
    drop(s);
    // the slot is free again once the upload is gone
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = server.get("/search?q=x");
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "{}", r.text());
    }
}

#[test]
fn sigterm_lets_an_upload_finish_and_commit() {
    let (dir, server) = writable(&[]);
    let page = synthetic_page_from(0, 50);
    let (first, rest) = page.as_bytes().split_at(page.len() / 2);
    let mut s = server.upload(page.len(), first);
    std::thread::sleep(Duration::from_millis(300));
    server.sigterm();
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(rest).unwrap();
    let r = read_response(&mut s).expect(200);
    assert_eq!(r["indexed"], 50);
    let status = server.wait(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    dir.wenku(&["search", "测试文档", "-n", "0"]).assert().success();
}

#[test]
fn sigterm_rolls_back_an_upload_that_never_finishes() {
    let (dir, server) = writable(&["--shutdown-grace", "1s"]);
    let page = synthetic_page_from(0, 50);
    let s = server.upload(page.len() + 10, page.as_bytes());
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let status = server.terminate(Duration::from_secs(10));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    drop(s);
    dir.wenku(&["search", "测试文档"]).assert().code(1);
    dir.wenku(&["search", "利用率"]).assert().success();
}

/// Words first indexed after the server started are found exactly as a new
/// process finds them (the per-index query dictionary is loaded once).
#[test]
fn new_words_are_found_after_a_commit() {
    let (dir, server) = writable(&[]);
    let page = synthetic_page_from(0, 40);
    server.request("POST", "/listings", &[&auth()], page.as_bytes()).expect(200);
    for q in ["测试文档 性能优化手册", "性能优化手册", "吞吐量 调度器"] {
        let cli = dir.wenku(&["search", "--json", "-n", "0", "--facets", q]).output().unwrap();
        let fresh = json_lines(&cli).last().map_or(0, |l| l["total"].as_u64().unwrap());
        assert_eq!(fresh, 40, "{q}: a new process");
        assert_eq!(total(&server, q), fresh, "{q}: the running server");
    }
}

/// Whether `actual` matches the documented `expected`: `"…"` matches any
/// value, an object's documented keys must match (others may exist), an
/// array ending in `"…"` matches on its first items.
fn matches_doc(expected: &Value, actual: &Value) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(s), _) if s == "…" => Ok(()),
        (Value::Object(e), Value::Object(a)) => e.iter().try_for_each(|(k, ev)| {
            let av = a.get(k).ok_or_else(|| format!("missing key {k:?}"))?;
            matches_doc(ev, av).map_err(|m| format!("{k}: {m}"))
        }),
        (Value::Array(e), Value::Array(a)) => {
            let open = e.last().is_some_and(|l| l == "…");
            let items = if open { &e[..e.len() - 1] } else { &e[..] };
            if (open && a.len() < items.len()) || (!open && a.len() != items.len()) {
                return Err(format!("{} items, documented {}", a.len(), items.len()));
            }
            items.iter().zip(a).enumerate().try_for_each(|(i, (ev, av))| {
                matches_doc(ev, av).map_err(|m| format!("[{i}]: {m}"))
            })
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("documented {e}, got {a}")),
    }
}

/// The examples of docs/http-api.md: each ```sh block of `curl` commands,
/// with the ```json block that follows it (if any).
fn doc_examples(markdown: &str) -> Vec<(String, Option<String>)> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```").filter(|l| !l.is_empty()) {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((lang.to_string(), body.join("\n")));
        }
    }
    let mut out = Vec::new();
    for (i, (lang, body)) in blocks.iter().enumerate() {
        if lang == "sh" && body.lines().all(|l| l.starts_with("curl ")) {
            let json = blocks.get(i + 1).filter(|(l, _)| l == "json").map(|(_, b)| b.clone());
            out.push((body.clone(), json));
        }
    }
    out
}

#[test]
fn http_api_doc_examples_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/http-api.md")).unwrap();
    let examples = doc_examples(&doc);
    assert!(examples.len() >= 8, "{examples:?}");
    // indexed from the repository root, as the page says
    let dir = Dir::new();
    wenku()
        .current_dir(&root)
        .arg("--index")
        .arg(dir.index())
        .args(["index", "--as-of", "2026-08-26", "--profile", "manual-versions", "data/sample"])
        .assert()
        .success();
    let server = Server::start(&dir.index(), &["--write-key", KEY]);
    for (command, expected) in examples {
        let command = command.replace("http://127.0.0.1:7700", &format!("http://{}", server.addr));
        let out = Command::new("sh")
            .arg("-c")
            .arg(&command)
            .current_dir(&root)
            .env("WENKU_WRITE_KEY", KEY)
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
        let Some(expected) = expected else { continue };
        let expected: Value = serde_json::from_str(&expected)
            .unwrap_or_else(|e| panic!("documented answer of {command} is not JSON: {e}"));
        let actual: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{command}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout))
        });
        if let Err(m) = matches_doc(&expected, &actual) {
            panic!("{command}\nthe answer differs from docs/http-api.md: {m}\nanswer: {actual}");
        }
    }
}

/// A commit made by another process (`wenku index` into the served
/// directory) is found by the running server within seconds, exactly as a
/// new process finds it: same hits, same scores (the new words change how
/// the query dictionary cuts some of these queries). tantivy's reader and
/// the query dictionary both follow the files on disk.
#[test]
fn commits_of_another_process_are_followed() {
    let dir = Dir::new().indexed(&[Path::new(SEED)]);
    let server = Server::start(&dir.index(), &[]);
    let hits = |q: &str| -> Vec<(String, String)> {
        let v = server.get(&format!("/search?q={}&now={NOW}", enc(q))).expect(200);
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["id"].to_string(), format!("{:.6}", h["score"].as_f64().unwrap())))
            .collect()
    };
    let queries = ["农业发展银行", "农业发展银行贷款", "风险管理 标准库", "利用率"];
    // the server has cut these queries once before the commit
    assert!(hits(queries[0]).is_empty());
    for q in queries {
        hits(q);
    }
    let text = "中国农业发展银行信贷手册 农业发展银行贷款流程与风险管理说明0 码力 | 20 页 | 1.00 MB | 1 月前2";
    let page = dir.write("new.txt", format!(" {text} {text}\n"));
    dir.indexed_more(&[&page]);
    for q in queries {
        let cli = dir.wenku(&["search", "--json", "--now", NOW, q]).output().unwrap();
        let fresh: Vec<(String, String)> = json_lines(&cli)
            .iter()
            .filter(|l| l.get("rank").is_some())
            .map(|h| (h["id"].to_string(), format!("{:.6}", h["score"].as_f64().unwrap())))
            .collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        while hits(q) != fresh {
            assert!(
                Instant::now() < deadline,
                "{q}: the server finds {:?}, a new process {fresh:?}",
                hits(q)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    assert_eq!(hits(queries[0]).len(), 1);
}

/// Hostile and random query strings: always a 200 or a 400 with a JSON
/// body, never a 500 or a dropped connection.
#[test]
fn random_queries_never_fail_the_server() {
    let server = sample_server(&[]);
    let pieces: [&str; 24] = [
        "利用率",
        "標準庫",
        "python",
        " ",
        "\"",
        "(",
        ")",
        "-",
        "OR",
        "AND",
        "title:",
        "size:",
        "pages:>",
        "published:",
        "..",
        "5MB",
        "%",
        "\u{0}",
        "\u{7}",
        "\u{202e}",
        "😀",
        "\u{fffd}",
        "（",
        "最新",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..200 {
        let len = 1 + next() % 8;
        let q: String = (0..len).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect();
        let sort = ["relevance", "newest", "pages"][i % 3];
        let r = server.get(&format!("/search?q={}&sort={sort}&facets=true&explain=true", enc(&q)));
        assert!(r.status == 200 || r.status == 400, "{q:?}: {} {}", r.status, r.text());
        let v = r.json();
        if r.status == 400 {
            assert!(v["error"].is_string(), "{q:?}: {v}");
        } else {
            assert!(v["total"].is_u64() && v["hits"].is_array(), "{q:?}: {v}");
        }
    }
    // invalid UTF-8 of every kind, percent-encoded
    for bytes in ["%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%80", "%FE", "a%E4%B8"] {
        server.get(&format!("/search?q={bytes}")).expect_error(400, "not valid UTF-8");
    }
}
