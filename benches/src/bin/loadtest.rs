//! A bounded load test of `wenku serve` on loopback: the runner's 200-query
//! mix sent as `GET /search` by 1, 8 and 64 concurrent clients, each on one
//! keep-alive connection. Every level is bounded in requests and in time;
//! any answer other than 200 counts as an error and fails the run.
//!
//! ```sh
//! target/release/wenku --index /tmp/idx-100k serve &
//! target/release/loadtest --addr 127.0.0.1:7700 --clients 1,8,64 --requests 4000
//! ```

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use wenku_benches::corpus::{default_corpus_dir, load_truth};
use wenku_benches::queries::query_mix;

#[derive(Debug, Parser)]
#[command(about = "Bounded load test of `wenku serve` on loopback")]
struct Args {
    /// The server (a loopback address).
    #[arg(long, default_value = "127.0.0.1:7700")]
    addr: SocketAddr,
    /// Concurrent clients per level.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
    clients: Vec<usize>,
    /// Requests per level (cycling through the query mix).
    #[arg(long, default_value_t = 4000)]
    requests: usize,
    /// Longest a level may run; it stops early when reached.
    #[arg(long, default_value_t = 120)]
    max_secs: u64,
    /// Requests before each level, not measured.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Extra query-string parameters of every request (`facets=true`).
    #[arg(long, default_value = "limit=10")]
    params: String,
    /// The dev corpus the query mix is built from.
    #[arg(long)]
    corpus: Option<PathBuf>,
}

/// One level's outcome.
struct Level {
    clients: usize,
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    wall: Duration,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !args.addr.ip().is_loopback() {
        bail!("{} is not a loopback address: this load test only targets this machine", args.addr);
    }
    let corpus = args.corpus.clone().unwrap_or_else(default_corpus_dir);
    let seeds = load_truth(&corpus).with_context(|| format!("loading {}", corpus.display()))?;
    let queries = query_mix(&seeds, &jieba_rs::Jieba::new(), 200, 0x0051_EE75);
    let targets: Vec<String> = queries
        .iter()
        .map(|q| format!("/search?q={}&{}", percent_encode(&q.wenku), args.params))
        .collect();
    println!(
        "# {} queries, {} requests per level, server {}",
        targets.len(),
        args.requests,
        args.addr
    );
    println!("| clients | requests | errors | seconds | requests/s | p50 ms | p99 ms | max ms |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut failed = false;
    for &clients in &args.clients {
        run_level(
            &args,
            &targets,
            clients.max(1),
            args.warmup,
            Duration::from_secs(args.max_secs),
        )?;
        let level = run_level(
            &args,
            &targets,
            clients.max(1),
            args.requests,
            Duration::from_secs(args.max_secs),
        )?;
        report(&level);
        if level.errors > 0 {
            failed = true;
            eprintln!("first error: {}", level.first_error.as_deref().unwrap_or("?"));
        }
    }
    if failed {
        bail!("errors under load");
    }
    Ok(())
}

fn run_level(
    args: &Args,
    targets: &[String],
    clients: usize,
    requests: usize,
    limit: Duration,
) -> anyhow::Result<Level> {
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(requests));
    let errors = AtomicUsize::new(0);
    let first_error = Mutex::new(None);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let mut conn: Option<Conn> = None;
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests || started.elapsed() > limit {
                        break;
                    }
                    let target = &targets[i % targets.len()];
                    let t = Instant::now();
                    let outcome = match conn.as_mut() {
                        Some(c) => c.get(target),
                        None => Conn::open(args.addr).and_then(|c| {
                            let c = conn.insert(c);
                            c.get(target)
                        }),
                    };
                    let failure = match outcome {
                        Ok(200) => {
                            mine.push(t.elapsed());
                            continue;
                        }
                        Ok(status) => format!("status {status} for {target}"),
                        Err(e) => {
                            conn = None;
                            format!("{e:#} for {target}")
                        }
                    };
                    errors.fetch_add(1, Ordering::Relaxed);
                    first_error.lock().unwrap().get_or_insert(failure);
                }
                latencies.lock().unwrap().extend(mine);
            });
        }
    });
    Ok(Level {
        clients,
        latencies: latencies.into_inner().unwrap(),
        errors: errors.into_inner(),
        first_error: first_error.into_inner().unwrap(),
        wall: started.elapsed(),
    })
}

fn report(level: &Level) {
    let mut l = level.latencies.clone();
    l.sort_unstable();
    let pct = |p: f64| -> f64 {
        if l.is_empty() {
            return f64::NAN;
        }
        let i = ((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1;
        l[i].as_secs_f64() * 1e3
    };
    let done = l.len() + level.errors;
    println!(
        "| {} | {} | {} | {:.1} | {:.0} | {:.2} | {:.2} | {:.1} |",
        level.clients,
        done,
        level.errors,
        level.wall.as_secs_f64(),
        l.len() as f64 / level.wall.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
}

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
    body: Vec<u8>,
}

impl Conn {
    fn open(addr: SocketAddr) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_mins(1)))?;
        Ok(Conn { reader: BufReader::new(s), body: Vec::new() })
    }

    /// Sends `GET target` and reads the whole answer; returns the status.
    fn get(&mut self, target: &str) -> anyhow::Result<u16> {
        let req = format!("GET {target} HTTP/1.1\r\nHost: loadtest\r\n\r\n");
        self.reader.get_mut().write_all(req.as_bytes()).context("sending")?;
        let mut line = String::new();
        self.reader.read_line(&mut line).context("reading the status line")?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut length = None;
        loop {
            line.clear();
            self.reader.read_line(&mut line).context("reading headers")?;
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.context("no Content-Length")?;
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).context("reading the body")?;
        Ok(status)
    }
}

/// Percent-encodes a query-string value (everything but unreserved ASCII).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
