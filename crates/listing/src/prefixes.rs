//! The listing-prefix memory of [`TitleMemory`](crate::memory::TitleMemory):
//! 64-bit hashes of body prefixes → the character that followed the
//! prefix, with [`BRANCHES`] set once another listing continued it with
//! another character. Two generations of at most [`Prefixes::CAP`] / 2
//! entries each.
//!
//! At a million listings each generation is tens of megabytes, so nearly
//! every lookup misses the caches. A listing learns up to 136 prefixes at
//! once, so the table first computes every slot the listing will touch
//! and prefetches them, then updates them in order: the misses overlap
//! instead of following each other. An open-addressing table (linear
//! probing, at most half full) exposes its slots for that; a `HashMap`
//! does not. The entries and their values are those a map would hold:
//! only where they sit in memory differs.

/// Set in a value when two listings continue the prefix differently.
pub(crate) const BRANCHES: u32 = 1 << 31;

/// A slot: the key, and the value word: the value (a `char` with at
/// most [`BRANCHES`] added: 32 bits) and above it the table's stamp when
/// the entry was made. A slot is occupied only with the table's current
/// stamp, which is never zero, so a new table is zeroed memory the system
/// hands out lazily (a small catalog touches few of its pages), and
/// emptying a table is a new stamp (see [`Table::clear`]).
type Slot = [u64; 2];

/// An open-addressing map `u64 → u32`, linear probing, a power-of-two
/// number of slots, at most half of them used.
#[derive(Debug)]
struct Table {
    slots: Vec<Slot>,
    len: usize,
    /// The stamp of this generation's entries (from 1).
    stamp: u32,
}

impl Default for Table {
    fn default() -> Self {
        Table { slots: Vec::new(), len: 0, stamp: 1 }
    }
}

impl Table {
    /// Where the probe for `key` starts: the high bits of a multiplicative
    /// hash (the keys are FxHash values, whose low bits are weak).
    #[inline]
    fn home(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    #[inline]
    fn prefetch(&self, key: u64) {
        if !self.slots.is_empty() {
            prefetch(&self.slots[self.home(key)]);
        }
    }

    /// Whether a slot's value word is an entry of this generation.
    #[inline]
    fn occupied(&self, v: u64) -> bool {
        (v >> 32) as u32 == self.stamp
    }

    /// The slot of `key`, or the vacant slot where it would go.
    #[inline]
    fn find(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let [k, v] = self.slots[i];
            if !self.occupied(v) || k == key {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let [_, v] = self.slots[self.find(key)];
        self.occupied(v).then_some(v as u32)
    }

    /// The value word of `key` (the value in its low 32 bits), inserted
    /// as `init()` if absent. The caller has made room
    /// ([`reserve`](Self::reserve)).
    #[inline]
    fn entry(&mut self, key: u64, init: impl FnOnce() -> u32) -> &mut u64 {
        debug_assert!(2 * (self.len + 1) <= self.slots.len());
        let i = self.find(key);
        if !self.occupied(self.slots[i][1]) {
            self.slots[i] = [key, u64::from(self.stamp) << 32 | u64::from(init())];
            self.len += 1;
        }
        &mut self.slots[i][1]
    }

    /// Makes room for `extra` more entries (doubling, as a map does), in
    /// at least `floor` slots.
    fn reserve(&mut self, extra: usize, floor: usize) {
        let need = (2 * (self.len + extra)).next_power_of_two().max(floor);
        if need <= self.slots.len() {
            return;
        }
        let old = std::mem::replace(&mut self.slots, zeroed_slots(need));
        for s in old {
            if self.occupied(s[1]) {
                let i = self.find(s[0]);
                self.slots[i] = s;
            }
        }
    }

    /// Empties the table, keeping its slots: the entries of the previous
    /// stamp count as vacant. Nothing is written, so the memory stays
    /// mapped: fresh zeroed memory instead cost a large catalog's first
    /// pass 64 MiB of page zeroing per generation, and the old table's
    /// unmapping a TLB shoot-down (session 22).
    fn clear(&mut self) {
        self.len = 0;
        match self.stamp.checked_add(1) {
            Some(next) => self.stamp = next,
            None => *self = Table { slots: zeroed_slots(self.slots.len()), ..Table::default() },
        }
    }
}

/// `n` vacant slots: zeroed memory, which the allocator takes fresh from
/// the system for a large table (untouched pages cost nothing until
/// used). On Linux a table of several megabytes asks for transparent huge
/// pages too: its lookups land anywhere in it, and with 4 KiB pages
/// nearly every one also misses the TLB (tens of megabytes are thousands
/// of pages; 2 MiB pages are a few dozen). Where huge pages are off, or
/// the kernel declines, the table is the same with small pages.
fn zeroed_slots(n: usize) -> Vec<Slot> {
    let slots = vec![[0; 2]; n];
    #[cfg(target_os = "linux")]
    advise_huge_pages(&slots);
    slots
}

/// Asks the kernel to back the 2 MiB-aligned part of `slots` with huge
/// pages (`madvise(MADV_HUGEPAGE)`). Only tables of 4 MiB or more: below
/// that the aligned part is a page or none.
#[cfg(target_os = "linux")]
fn advise_huge_pages(slots: &[Slot]) {
    const HUGE: usize = 2 << 20;
    let start = slots.as_ptr() as usize;
    let end = start + std::mem::size_of_val(slots);
    if end - start < 2 * HUGE {
        return;
    }
    let (from, to) = (start.next_multiple_of(HUGE), end / HUGE * HUGE);
    // SAFETY: `from..to` lies inside the allocation of `slots`, which
    // this thread owns; MADV_HUGEPAGE changes how the kernel backs those
    // pages, never their contents. A refusal (no THP support, an older
    // kernel) is harmless and ignored.
    unsafe {
        libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
    }
}

#[inline]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it does not access memory in a way
    // the program can observe, and `p` is a valid reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (p as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Listing prefixes in two generations: when the young one holds
/// `CAP / 2` entries it becomes the old one and the previous old one is
/// dropped, so memory stays bounded whatever the catalog size and
/// recently seen prefixes are kept.
#[derive(Debug)]
pub(crate) struct Prefixes {
    young: Table,
    old: Table,
    /// Entries of both generations together, at most.
    cap: usize,
}

impl Default for Prefixes {
    fn default() -> Self {
        Prefixes::with_cap(Prefixes::CAP)
    }
}

impl Prefixes {
    /// Prefixes remembered (two generations of `CAP / 2`; 16 bytes a
    /// slot, at most half of the slots used).
    pub(crate) const CAP: usize = 4_000_000;
    /// The smallest table: a page or more of listings skips the first
    /// dozen doublings.
    const MIN_SLOTS: usize = 1 << 17;
    /// How many prefixes ahead of the one it updates a listing prefetches
    /// (two slots each): enough to overlap the misses, few enough not to
    /// queue more than the core's outstanding misses.
    const AHEAD: usize = 8;

    fn with_cap(cap: usize) -> Self {
        Prefixes { young: Table::default(), old: Table::default(), cap }
    }

    /// Learns the prefixes of one listing: `(key, next)`, the hash of a
    /// prefix and the character that follows it, in the listing's order.
    /// The same as learning them one at a time.
    pub(crate) fn learn(&mut self, line: &[(u64, u32)]) {
        if line.is_empty() {
            return;
        }
        // Room for the whole line, unless the young generation fills up
        // during it (then it is handed over where a map's would be).
        let half = self.cap / 2;
        let floor = Self::MIN_SLOTS.min(self.cap.next_power_of_two());
        self.young.reserve(line.len().min(half.saturating_sub(self.young.len)), floor);
        for &(key, _) in line.iter().take(Self::AHEAD) {
            self.prefetch(key);
        }
        for (j, &(key, next)) in line.iter().enumerate() {
            if let Some(&(ahead, _)) = line.get(j + Self::AHEAD) {
                self.prefetch(ahead);
            }
            if self.young.len >= half {
                // the dropped generation's table, emptied, is the new
                // young one
                std::mem::swap(&mut self.young, &mut self.old);
                self.young.clear();
                self.young.reserve(half, floor);
            }
            let old = &self.old;
            let v = self.young.entry(key, || old.get(key).unwrap_or(next));
            if (*v as u32) & !BRANCHES != next {
                *v |= u64::from(BRANCHES);
            }
        }
    }

    /// Whether listings continue the prefix `key` differently. A young
    /// entry holds its old one's flag (it starts from it, and the old
    /// generation no longer changes).
    pub(crate) fn branches(&self, key: u64) -> bool {
        self.young.get(key).or_else(|| self.old.get(key)).is_some_and(|v| v & BRANCHES != 0)
    }

    /// Prefetches the slots of `key` in both generations (what
    /// [`branches`](Self::branches) and [`learn`](Self::learn) read).
    pub(crate) fn prefetch(&self, key: u64) {
        self.young.prefetch(key);
        self.old.prefetch(key);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// The two generations as `HashMap`s, the way `TitleMemory` kept them
    /// before this table, with a small capacity.
    #[derive(Default)]
    struct Reference {
        young: HashMap<u64, u32>,
        old: HashMap<u64, u32>,
        cap: usize,
    }

    impl Reference {
        fn learn(&mut self, key: u64, next: u32) {
            if self.young.len() >= self.cap / 2 {
                std::mem::swap(&mut self.young, &mut self.old);
                self.young.clear();
            }
            let old = &self.old;
            let v = self.young.entry(key).or_insert_with(|| old.get(&key).copied().unwrap_or(next));
            if *v & !BRANCHES != next {
                *v |= BRANCHES;
            }
        }

        fn branches(&self, key: u64) -> bool {
            match self.young.get(&key) {
                Some(v) => v & BRANCHES != 0,
                None => self.old.get(&key).is_some_and(|v| v & BRANCHES != 0),
            }
        }
    }

    proptest! {
        /// The table answers what two generations of maps fed the same
        /// updates answer, for keys learned and keys never seen, across
        /// generation changes (a small cap) and however the keys collide
        /// in the table (few distinct keys, so that prefixes repeat and
        /// branch).
        #[test]
        fn answers_as_two_maps_do(
            lines in prop::collection::vec(
                prop::collection::vec((0u64..300, 0u32..3), 0..40), 0..60),
            cap in prop::sample::select(vec![8usize, 50, 200, Prefixes::CAP]),
        ) {
            let mut t = Prefixes::with_cap(cap);
            let mut r = Reference { cap, ..Reference::default() };
            for line in &lines {
                // spread the small keys over the whole range, some equal
                // in their home slot's bits
                let line: Vec<(u64, u32)> =
                    line.iter().map(|&(k, n)| (k.wrapping_mul(0x1_0000_0001) << 7, n)).collect();
                t.learn(&line);
                for &(k, n) in &line {
                    r.learn(k, n);
                }
            }
            for k in 0u64..320 {
                let k = k.wrapping_mul(0x1_0000_0001) << 7;
                prop_assert_eq!(t.branches(k), r.branches(k), "key {:#x}", k);
            }
        }
    }

    /// A fresh table is vacant and as long as asked for, whether it is
    /// below the size that asks for huge pages, at it, or above it with
    /// an unaligned end (on Linux the last two go through `madvise`).
    #[test]
    fn fresh_slots_are_vacant_below_and_above_the_huge_page_size() {
        for n in [0, 1, 1 << 17, 1 << 18, (1 << 18) + 3, 1 << 21] {
            let slots = zeroed_slots(n);
            assert_eq!(slots.len(), n);
            assert!(slots.iter().all(|s| *s == [0, 0]), "{n} slots");
        }
    }

    /// An emptied table keeps its slots, and answers as a new one: for
    /// the keys it held, at a stamp like any other and when the stamps
    /// run out (it then starts again from zeroed memory).
    #[test]
    fn an_emptied_table_forgets_its_entries_and_keeps_its_slots() {
        for stamp in [1, u32::MAX - 1, u32::MAX] {
            let mut t = Table { stamp, ..Table::default() };
            t.reserve(3, 16);
            for key in [5, 6, 7] {
                *t.entry(key, || 40) |= u64::from(BRANCHES);
            }
            assert_eq!(t.get(6), Some(40 | BRANCHES), "stamp {stamp}");
            t.clear();
            assert_eq!((t.len, t.slots.len()), (0, 16), "stamp {stamp}");
            assert_eq!([t.get(5), t.get(6), t.get(7)], [None; 3], "stamp {stamp}");
            assert_eq!(*t.entry(6, || 41) as u32, 41, "stamp {stamp}");
            assert_eq!((t.get(6), t.get(5), t.len), (Some(41), None, 1), "stamp {stamp}");
        }
    }

    /// Across a generation change at the real cap the table keeps what
    /// the maps keep, checked on every key learned (5.2 M updates).
    #[test]
    fn generations_change_as_the_maps_did() {
        let mut t = Prefixes::default();
        let mut r = Reference { cap: Prefixes::CAP, ..Reference::default() };
        // A pseudo-random stream of lines with repeats, so that some
        // prefixes branch, some are dropped with the old generation and
        // some come back after it.
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut keys = Vec::new();
        for _ in 0..80_000 {
            let mut line = Vec::new();
            for _ in 0..65 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // about 2.9 M distinct keys over the stream
                line.push((
                    (x % 4_000_000).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    (x >> 40) as u32 % 2,
                ));
            }
            t.learn(&line);
            for &(k, n) in &line {
                r.learn(k, n);
            }
            keys.extend(line.iter().map(|e| e.0));
        }
        assert!(!r.old.is_empty(), "the stream must change generations");
        let differ = keys.iter().filter(|&&k| t.branches(k) != r.branches(k)).count();
        assert_eq!(differ, 0);
    }
}
