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
//!
//! A batch's jobs come back with its results, and their line buffers are
//! reused for the lines read next: memory goes back to the thread that
//! allocated it. With glibc's allocator, a line freed on a worker locked
//! the reading thread's arena while that thread allocated the next lines,
//! and a body freed on the reading thread locked the worker's: in the
//! first pass of a 100k catalog on two cores the threads went to sleep on
//! those locks about 310 times, and none since (docs/benchmarks.md,
//! session 22).

use std::any::Any;
use std::collections::VecDeque;
use std::ops::Range;
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
/// in order; a queue of batches per worker keeps the workers busy
/// through its stretches of taking (with two per worker, the reader and
/// both workers of the first pass all waited at times: about 30 % of two
/// cores idle at 1M listings; docs/benchmarks.md). When the worker with
/// the oldest batch waits for a core, the others go on with the queue
/// while the reader waits for that batch: 32 a worker took the first
/// pass of a 100k catalog on two cores 13 % less time than 8, 128 none
/// (session 22). About 100 KB a batch.
const AHEAD: u64 = 32;

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

/// What a worker sends back: a batch's jobs and their results in line
/// order, or the panic that stopped it (raised again on the reader's
/// thread).
type Outcome<T> = std::result::Result<Done<T>, Box<dyn Any + Send>>;

/// A batch parsed: its jobs and their results, in line order.
type Done<T> = (Vec<Job>, Vec<T>);

/// The longest line buffer kept for reuse: a line of a megabyte is not
/// held for the ordinary lines after it. (At most as many buffers are
/// kept as lines can be in flight, [`AHEAD`] batches a worker: the spare
/// ones are those of lines already consumed.)
const SPARE_BYTES: usize = 16 << 10;

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

/// What a first-pass line teaches: where its body is in the line, and
/// the reliable rules' end of the body.
pub(crate) type Lesson = Option<(Range<usize>, Option<usize>)>;

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
            // `body` lies in the line: its bytes' offsets
            let start = body.as_ptr() as usize - j.line.as_ptr() as usize;
            Some((start..start + body.len(), crate::split::rule_end(body, profile)))
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
    /// hold their jobs and results).
    done: VecDeque<(u64, Option<Done<T>>)>,
    /// Line buffers of consumed batches, for the next jobs.
    spare: Vec<String>,
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
            spare: Vec::new(),
            consumed: 0,
            threads,
        }
    }

    /// Queues a line (copied into a spare buffer); returns its slot
    /// (batch number, index in the batch).
    pub(crate) fn push(
        &mut self,
        line: &str,
        at: Source,
        as_of: Option<jiff::Timestamp>,
        hint: RuleHint,
    ) -> (u64, u32) {
        let slot = (self.next_seq, self.filling.len() as u32);
        let mut buffer = self.spare.pop().unwrap_or_default();
        buffer.clear();
        buffer.push_str(line);
        self.filling.push(Job { line: buffer, at, as_of, hint });
        if self.filling.len() >= BATCH {
            self.submit();
        }
        slot
    }

    /// Whether enough batches are queued to keep every worker busy (the
    /// reader then stops reading ahead and hands out results).
    pub(crate) fn is_full(&self) -> bool {
        self.next_seq - self.consumed >= self.most_in_flight() as u64
    }

    /// Batches handed out and not consumed, at most: [`AHEAD`] a worker.
    fn most_in_flight(&self) -> usize {
        AHEAD as usize * self.threads
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

    /// The result of the line at `slot`, waiting for its batch, and the
    /// line's job. Slots must be taken in the order `push` gave them.
    pub(crate) fn take(&mut self, (seq, idx): (u64, u32)) -> (T, &Job) {
        if seq == self.next_seq {
            self.submit();
        }
        while self.done.front().is_some_and(|d| d.0 < seq) {
            if let Some((_, Some((jobs, _)))) = self.done.pop_front() {
                self.recycle(jobs);
            }
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
        let (jobs, parsed) =
            self.done.front_mut().and_then(|d| d.1.as_mut()).expect("the batch of a slot");
        (std::mem::take(&mut parsed[idx as usize]), &jobs[idx as usize])
    }

    /// Keeps the line buffers of a consumed batch for the next jobs.
    fn recycle(&mut self, jobs: Vec<Job>) {
        let most_lines = self.most_in_flight() * BATCH;
        for job in jobs {
            if self.spare.len() < most_lines && job.line.capacity() <= SPARE_BYTES {
                self.spare.push(job.line);
            }
        }
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
        // the jobs go back too: their memory is freed or reused where it
        // was allocated
        if results.send((seq, outcome.map(|parsed| (batch, parsed)))).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results come back in the order the lines were pushed, each with its
    /// own job, and the lines pushed after a batch was consumed go into
    /// that batch's buffers: short lines after long ones keep the long
    /// lines' capacity (a fresh buffer would have the short line's).
    #[test]
    fn results_come_in_order_and_line_buffers_are_reused() {
        let work: Work<usize> = Arc::new(|j: &Job| j.line.len());
        let mut pool = Pool::new(2, work);
        let long = "长".repeat(400);
        for batch in 0..4 {
            let lines: Vec<String> = (0..BATCH)
                .map(|i| if batch < 2 { format!("{long}{i}") } else { format!("{i}") })
                .collect();
            let slots: Vec<_> = lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let at = Source { file: "t".into(), line: (batch * BATCH + i + 1) as u64 };
                    pool.push(l, at, None, RuleHint::NONE)
                })
                .collect();
            for (slot, line) in slots.into_iter().zip(&lines) {
                let (len, job) = pool.take(slot);
                assert_eq!((len, &job.line), (line.len(), line));
                if batch >= 2 {
                    assert!(job.line.capacity() >= long.len(), "batch {batch}: a fresh buffer");
                }
            }
        }
    }
}
