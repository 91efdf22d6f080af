//! Where the memory of a run goes: heap bytes held after each stage of the pipeline, and the
//! peak, counted by a wrapping allocator. `scripts/bench` reports the process's peak RSS; this
//! says which stage it comes from.
//!
//! `cargo run --release -p dflint-core --example memory_profile -- FILE`

use dflint_core::bundle::{load_facts, load_with, Bundle};
use dflint_core::{LintConfig, Source};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mib(bytes: usize) -> String {
    format!("{:8.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: memory_profile FILE");
    let bytes = std::fs::read(&path).expect("a readable file");
    let input = bytes.len();
    let sources = vec![Source::from_vec(path.as_str(), bytes)];
    let config = LintConfig::default();
    let stage = |name: &str, base: usize| {
        let live = LIVE.load(Ordering::Relaxed);
        println!(
            "{name:<28} {} held ({} above the previous stage, {:5.1}x the input)",
            mib(live),
            mib(live.saturating_sub(base)),
            live as f64 / input as f64
        );
        live
    };
    let read = stage("source read", 0);
    // As the linter's first pass leaves it: the documents of other kinds, and the facts of
    // each CR (its tree let go).
    let loaded = load_facts(&sources, &config.limits);
    let facts = stage("CR facts, other documents", read);
    let bundle = Bundle::new(&sources, &loaded, &config);
    stage("bundle on the facts", facts);
    println!(
        "  ({} CRs, {} policies, {} instances; {}-byte facts, {}-byte instances)",
        bundle.crs.len(),
        bundle.network.policies.len(),
        bundle.network.instances.len(),
        std::mem::size_of::<dflint_core::dragonfly::facts::CrFacts>(),
        std::mem::size_of::<dflint_core::netpol::Instance>()
    );
    drop(bundle);
    drop(loaded);
    // As `load` leaves it for benchmarks of the rules alone: every document kept.
    let loaded = load_with(&sources, &config.limits);
    stage("(every document kept)", read);
    drop(loaded);
    // As `dflint check` runs: each CR judged as it is read and then let go.
    let before = stage("(documents let go)", read);
    PEAK.store(before, Ordering::Relaxed);
    let report = dflint_core::lint(&sources, &config);
    println!(
        "lint(): peak {} ({:.1}x the input)",
        mib(PEAK.load(Ordering::Relaxed)),
        PEAK.load(Ordering::Relaxed) as f64 / input as f64
    );
    stage("report and sources", read);
    let messages: usize = report
        .diagnostics
        .iter()
        .map(|d| d.message.capacity())
        .sum();
    // JSON paths are shared between findings at the same node: count each text once.
    let paths: usize = report
        .diagnostics
        .iter()
        .filter_map(|d| d.location.json_path.as_ref())
        .map(|p| (std::sync::Arc::as_ptr(p) as *const u8 as usize, p.len()))
        .collect::<std::collections::HashMap<_, _>>()
        .values()
        .sum();
    println!(
        "  {} findings: {} of {}-byte records, {} of messages, {} of JSON paths",
        report.diagnostics.len(),
        mib(report.diagnostics.capacity() * std::mem::size_of::<dflint_core::Diagnostic>()),
        std::mem::size_of::<dflint_core::Diagnostic>(),
        mib(messages),
        mib(paths)
    );
}
