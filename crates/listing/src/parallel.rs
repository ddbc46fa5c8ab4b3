//! Parsing listing lines on worker threads, results in input order.
//!
//! Once the reader's title memory is frozen (the second pass of
//! [`CatalogReader::open`](crate::CatalogReader::open)), the parse of a
//! line depends only on the line and that memory, so lines can be parsed
//! anywhere. The reader keeps everything that depends on order (reading,
//! decoding, footers, errors, line numbers) on its own thread and hands
//! the listing lines to a [`Pool`] in batches; it takes each line's
//! records back in the order it read the lines, so what it yields (ids,
//! duplicates, error positions) is the same as a parse on one thread.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::memory::{Counts, TitleMemory};
use crate::parse::{Mem, RuleHint, parse_line};
use crate::profile::Profile;
use crate::{Listing, Result, Source};

/// Lines per batch: big enough that the channels and the job lock cost
/// little per line (a batch is about 100 KB of text), small enough that
/// the first records come soon.
const BATCH: usize = 64;

/// Batches queued per worker, at most, before the reader stops reading
/// ahead. The reader alternates between reading lines and taking results
/// in order; a queue of a few batches per worker keeps the workers busy
/// through its stretches of taking (with two per worker, the reader and
/// both workers of the first pass all waited at times: about 30 % of two
/// cores idle at 1M listings; docs/benchmarks.md). About 100 KB a batch.
const AHEAD: u64 = 8;

/// One listing line to parse.
pub(crate) struct Job {
    pub(crate) line: String,
    pub(crate) at: Source,
    pub(crate) as_of: Option<jiff::Timestamp>,
    /// What the first pass found in this line (second pass only).
    pub(crate) hint: RuleHint,
}

/// What a worker does with one line.
type Work<T> = Arc<dyn Fn(&Job) -> T + Send + Sync>;

/// What a worker sends back: a batch's results in line order, or the
/// panic that stopped it (raised again on the reader's thread).
type Outcome<T> = std::result::Result<Vec<T>, Box<dyn Any + Send>>;

/// The records and errors of a listing line, parsed with a frozen memory
/// (the second pass).
pub(crate) fn parser(
    memory: Arc<TitleMemory>,
    profile: &'static Profile,
) -> Work<Vec<Result<Listing>>> {
    Arc::new(move |j: &Job| {
        let mut out = Vec::with_capacity(1);
        parse_line(&j.line, &j.at, j.as_of, Mem::Frozen(&memory, j.hint), profile, &mut out);
        out
    })
}

/// What a first-pass line teaches: its body and the reliable rules' end.
pub(crate) type Lesson = Option<(String, Option<usize>)>;

/// What a listing line teaches the memory (the first pass): its body and
/// the reliable rules' end of it, which need no memory; the reading
/// thread learns them in order (`split::learn_split_but_counts`). Each
/// worker counts the character pairs and words of its lines in its own
/// [`Counts`], sent on `counts` when the worker ends, for the reader to
/// add to the memory (counts add up in any order).
pub(crate) fn learner(
    profile: &'static Profile,
    counts: Sender<Counts>,
) -> impl Fn() -> Box<dyn FnMut(&Job) -> Lesson + Send> {
    move || {
        let mut tally = Tally { counts: Counts::default(), out: counts.clone() };
        Box::new(move |j: &Job| {
            let body = crate::parse::learned_body(&j.line)?;
            tally.counts.learn(body);
            Some((body.to_string(), crate::split::rule_end(body, profile)))
        })
    }
}

/// A worker's counts, sent when the worker ends.
struct Tally {
    counts: Counts,
    out: Sender<Counts>,
}

impl Drop for Tally {
    fn drop(&mut self) {
        let _ = self.out.send(std::mem::take(&mut self.counts));
    }
}

/// Worker threads applying one function to batches of lines.
pub(crate) struct Pool<T> {
    jobs: Option<Sender<(u64, Vec<Job>)>>,
    results: Receiver<(u64, Outcome<T>)>,
    workers: Vec<JoinHandle<()>>,
    /// The batch being filled; its number is `next_seq`.
    filling: Vec<Job>,
    next_seq: u64,
    /// Batches handed out and not consumed yet, by number (received ones
    /// hold their results).
    done: VecDeque<(u64, Option<Vec<T>>)>,
    /// The lowest batch number not consumed yet.
    consumed: u64,
    threads: usize,
}

impl<T: Default + Send + 'static> Pool<T> {
    pub(crate) fn new(threads: usize, work: Work<T>) -> Self {
        Pool::with_workers(threads, move || {
            let work = Arc::clone(&work);
            Box::new(move |j: &Job| work(j))
        })
    }

    /// Each worker runs its own function, made by `make` (a worker may
    /// keep state across its lines).
    pub(crate) fn with_workers(
        threads: usize,
        make: impl Fn() -> Box<dyn FnMut(&Job) -> T + Send>,
    ) -> Self {
        let (jobs, job_rx) = channel::<(u64, Vec<Job>)>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (result_tx, results) = channel();
        let workers = (0..threads)
            .map(|i| {
                let job_rx = Arc::clone(&job_rx);
                let result_tx = result_tx.clone();
                let mut work = make();
                std::thread::Builder::new()
                    .name(format!("wenku-parse-{i}"))
                    .spawn(move || run(&job_rx, &result_tx, &mut *work))
                    .expect("spawn a parse thread")
            })
            .collect();
        Pool {
            jobs: Some(jobs),
            results,
            workers,
            filling: Vec::with_capacity(BATCH),
            next_seq: 0,
            done: VecDeque::new(),
            consumed: 0,
            threads,
        }
    }

    /// Queues a line; returns its slot (batch number, index in the batch).
    pub(crate) fn push(&mut self, job: Job) -> (u64, u32) {
        let slot = (self.next_seq, self.filling.len() as u32);
        self.filling.push(job);
        if self.filling.len() >= BATCH {
            self.submit();
        }
        slot
    }

    /// Whether enough batches are queued to keep every worker busy (the
    /// reader then stops reading ahead and hands out results).
    pub(crate) fn is_full(&self) -> bool {
        self.next_seq - self.consumed >= AHEAD * self.threads as u64
    }

    fn submit(&mut self) {
        if self.filling.is_empty() {
            return;
        }
        let batch = std::mem::replace(&mut self.filling, Vec::with_capacity(BATCH));
        let sent = self.jobs.as_ref().is_some_and(|j| j.send((self.next_seq, batch)).is_ok());
        // Workers only stop when `jobs` is dropped, or by a panic, which
        // `take` raises again when it waits for the batch.
        debug_assert!(sent || !self.workers.is_empty());
        self.done.push_back((self.next_seq, None));
        self.next_seq += 1;
    }

    /// The records of the line at `slot`, waiting for its batch. Slots
    /// must be taken in the order `push` gave them.
    pub(crate) fn take(&mut self, (seq, idx): (u64, u32)) -> T {
        if seq == self.next_seq {
            self.submit();
        }
        while self.done.front().is_some_and(|d| d.0 < seq) {
            self.done.pop_front();
        }
        self.consumed = seq;
        while self.done.front().is_some_and(|d| d.1.is_none()) {
            let (s, outcome) = match self.results.recv() {
                Ok(r) => r,
                Err(_) => panic!("the parse threads stopped"),
            };
            match outcome {
                Ok(parsed) => {
                    if let Some(d) = self.done.iter_mut().find(|d| d.0 == s) {
                        d.1 = Some(parsed);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        let parsed = self.done.front_mut().and_then(|d| d.1.as_mut()).expect("the batch of a slot");
        std::mem::take(&mut parsed[idx as usize])
    }
}

impl<T> Drop for Pool<T> {
    fn drop(&mut self) {
        // workers end when the job channel closes
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn run<T>(
    jobs: &Mutex<Receiver<(u64, Vec<Job>)>>,
    results: &Sender<(u64, Outcome<T>)>,
    work: &mut (dyn FnMut(&Job) -> T + Send),
) {
    loop {
        // the lock is released before the work (end of the statement)
        let next = jobs.lock().map(|rx| rx.recv());
        let Ok(Ok((seq, batch))) = next else { return };
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| batch.iter().map(&mut *work).collect()));
        if results.send((seq, outcome)).is_err() {
            return;
        }
    }
}
