//! The search page of `wenku serve` in a real browser: headless Chromium
//! (Debian's `chromium`, which `.ci/run` installs), driven over the Chrome
//! DevTools Protocol with a minimal WebSocket client, so that the test types
//! through an input method as a person would. One browser launch.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{enc, sample_server};

/// Headless Chromium, if installed (under CI its absence is a failure,
/// elsewhere the test is skipped).
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed (.ci/run installs it)"
        );
        eprintln!("skipping the browser test: no chromium on PATH (apt-get install chromium)");
    }
    found
}

/// A headless Chromium, killed when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    port: u16,
}

impl Browser {
    fn launch(binary: &str, url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1000,800",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        // Chromium writes the port it chose into the profile
        let port_file = profile.path().join("DevToolsActivePort");
        let port = wait_for("the DevTools port", || {
            std::fs::read_to_string(&port_file).ok()?.lines().next()?.trim().parse().ok()
        });
        Browser { child, _profile: profile, port }
    }

    /// The DevTools session of the (first) page.
    fn page(&self) -> Cdp {
        let ws = wait_for("the page target", || {
            let list = http_get(self.port, "/json/list").ok()?;
            let targets: Value = serde_json::from_str(&list).ok()?;
            targets.as_array()?.iter().find(|t| t["type"] == "page")?["webSocketDebuggerUrl"]
                .as_str()
                .map(str::to_string)
        });
        Cdp::connect(self.port, &ws)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` (every 50 ms, for 30 s at most).
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The body of a GET to the DevTools HTTP endpoint (which may keep the
/// connection open: the body is read by its length).
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut r = BufReader::new(s);
    let mut length = 0;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body)?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// A Chrome DevTools Protocol session over a WebSocket (RFC 6455, text
/// frames only: what CDP uses).
struct Cdp {
    stream: BufReader<TcpStream>,
    next_id: u64,
}

impl Cdp {
    fn connect(port: u16, ws_url: &str) -> Cdp {
        let rest = ws_url.strip_prefix("ws://").expect("a ws:// URL");
        let (host, path) = rest.split_once('/').expect("host/path");
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to DevTools");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut stream = BufReader::new(s);
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        assert!(line.contains(" 101 "), "WebSocket upgrade refused: {line}");
        while line != "\r\n" {
            line.clear();
            stream.read_line(&mut line).unwrap();
        }
        Cdp { stream, next_id: 1 }
    }

    fn send_frame(&mut self, payload: &[u8]) {
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xFFFF => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x5a, 0x17, 0xc3, 0x2e];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.get_mut().write_all(&frame).expect("send to DevTools");
    }

    fn read_message(&mut self) -> Value {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.stream.read_exact(&mut head).expect("a frame from DevTools");
            let mut len = u64::from(head[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                self.stream.read_exact(&mut b).unwrap();
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                self.stream.read_exact(&mut b).unwrap();
                len = u64::from_be_bytes(b);
            }
            let mut payload = vec![0u8; len as usize];
            self.stream.read_exact(&mut payload).unwrap();
            match head[0] & 0x0f {
                0 | 1 => message.extend_from_slice(&payload),
                _ => continue, // ping, pong: not sent by DevTools to us here
            }
            if head[0] & 0x80 != 0 {
                return serde_json::from_slice(&message).expect("DevTools sends JSON");
            }
        }
    }

    /// Runs a command and returns its result (events in between are skipped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"id": id, "method": method, "params": params});
        self.send_frame(msg.to_string().as_bytes());
        loop {
            let m = self.read_message();
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let r =
            self.call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true}));
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the page.
    fn wait_true(&mut self, what: &str, expression: &str) {
        wait_for(what, || (self.eval(expression) == true).then_some(()));
    }

    fn html(&mut self, id: &str) -> String {
        self.eval(&format!("document.getElementById('{id}').innerHTML"))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// How many searches the page has sent so far.
const SEARCHES: &str =
    "performance.getEntriesByType('resource').filter(e => e.name.includes('/search?')).length";

#[test]
fn the_page_in_a_real_browser() {
    let Some(binary) = chromium() else { return };
    let server = sample_server(&[]);
    let base = format!("http://{}/", server.addr);
    let browser = Browser::launch(binary, &base);
    let mut page = browser.page();
    page.wait_true(
        "the page",
        "document.readyState === 'complete' && !!document.getElementById('q')",
    );
    assert_eq!(page.eval(SEARCHES), 0);

    // typing through an input method: no search while composing …
    page.eval("document.getElementById('q').focus()");
    for text in ["li", "liyong", "利用"] {
        let n = text.chars().count();
        page.call(
            "Input.imeSetComposition",
            json!({"text": text, "selectionStart": n, "selectionEnd": n}),
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    std::thread::sleep(Duration::from_millis(700)); // past the 300 ms typing pause
    assert_eq!(page.eval(SEARCHES), 0, "a search was sent in the middle of a composition");
    assert_eq!(page.eval("document.getElementById('q').value"), "利用");
    // … and one when the composition is committed
    page.call("Input.insertText", json!({"text": "利用率"}));
    page.wait_true("results", "document.querySelectorAll('#results article.hit').length > 0");
    assert_eq!(page.eval("document.getElementById('q').value"), "利用率");
    assert_eq!(page.eval(SEARCHES), 1, "one search for the committed text");
    let results = page.html("results");
    assert!(results.contains("<mark>利用率</mark>"), "{results}");
    let status = page.html("status");
    assert!(status.starts_with("共 1 条"), "{status}");
    // the query is in the URL, to share
    assert_eq!(page.eval("new URLSearchParams(location.search).get('q')"), "利用率");

    // a shared link: the query in the URL, in traditional characters, with a
    // condition in plain words (最新: newest first)
    let url = format!("{base}?q={}", enc("標準庫 bisect 最新"));
    page.call("Page.navigate", json!({"url": url}));
    page.wait_true(
        "the shared search",
        "document.querySelectorAll('#results article.hit').length === 4",
    );
    let results = page.html("results");
    assert!(
        results.contains(r#"<h2 class="title">Python <mark>标准库</mark>参考指南 3.13</h2>"#),
        "{results}"
    );
    assert!(
        results.contains(r#"<p class="snippet"><mark>bisect</mark> --- 数组二分算法"#),
        "{results}"
    );
    assert!(results.contains("2246 页 · 11.74 MB · 2025-11-29 · 免费"), "{results}");
    assert!(results.contains(r#"<div class="understood"><div>理解为：最新 → "#), "{results}");
    assert!(page.html("status").starts_with("共 4 条"));
    assert_eq!(page.eval("document.getElementById('q').value"), "標準庫 bisect 最新");
    assert_eq!(page.eval("document.title"), "標準庫 bisect 最新 · 文库");
    let facets = page.html("facets");
    assert!(
        facets.contains("<span>10–100 MB</span>") && facets.contains("<span>2025 年</span>"),
        "{facets}"
    );
    // a facet adds its filter to the query
    page.eval("document.querySelector('#facets button.facet').click()");
    page.wait_true("the filtered search", "location.search.includes('size')");
    assert_eq!(
        page.eval("document.getElementById('q').value"),
        "標準庫 bisect 最新 size:>=10MB size:<100MB"
    );

    // an invalid query: the message and the character it points at
    let url = format!("{base}?q={}", enc("利用率 size:5"));
    page.call("Page.navigate", json!({"url": url}));
    page.wait_true("the error", "!!document.querySelector('#results .notice.error')");
    let results = page.html("results");
    assert!(
        results.contains("查询有误") && results.contains("expected a size with a unit"),
        "{results}"
    );
    assert!(results.contains(r#"<span class="at" title="第 10 个字符">5</span>"#), "{results}");
}
