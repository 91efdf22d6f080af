//! Where the memory of a run goes: heap bytes held after each stage of the pipeline, and the
//! peak, counted by a wrapping allocator. `scripts/bench` reports the process's peak RSS; this
//! says which stage it comes from.
//!
//! `cargo run --release -p dflint-core --example memory_profile -- FILE`

use dflint_core::bundle::{load_with, Bundle};
use dflint_core::dragonfly::DragonflyCr;
use dflint_core::netpol::NetworkModel;
use dflint_core::resource::{recognize, resource_roots, Kind, Recognition, Resource};
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
    let loaded = load_with(&sources, &config.limits);
    let parsed = stage("documents parsed", read);
    // The bundle's two largest views, built alone to weigh them.
    {
        let mut resources = Vec::new();
        for doc in &loaded.documents {
            for root in resource_roots(&doc.root) {
                if let Recognition::Known(kind) = recognize(root) {
                    resources.push(Resource { kind, doc, root });
                }
            }
        }
        let recognised = stage("  resources", parsed);
        let crs: Vec<DragonflyCr<'_>> = resources
            .iter()
            .filter(|r| r.kind == Kind::Dragonfly)
            .map(|r| DragonflyCr::new(*r, &config.limits))
            .collect();
        let viewed = stage("  Dragonfly CR views", recognised);
        let network = NetworkModel::build(&resources, &loaded.documents, &crs, &config);
        stage("  network model", viewed);
        println!(
            "  ({} policies, {} instances)",
            network.policies.len(),
            network.instances.len()
        );
    }
    let bundle = Bundle::new(&sources, &loaded, &config);
    let bundled = stage("bundle (typed views)", parsed);
    drop(bundle);
    let report = dflint_core::lint::lint_loaded(&sources, &loaded, &config);
    let reported = stage("report (documents kept)", bundled);
    drop(loaded);
    stage("report alone", reported);
    let messages: usize = report
        .diagnostics
        .iter()
        .map(|d| d.message.capacity())
        .sum();
    let paths: usize = report
        .diagnostics
        .iter()
        .filter_map(|d| d.location.json_path.as_ref().map(String::capacity))
        .sum();
    println!(
        "  {} findings: {} of {}-byte records, {} of messages, {} of JSON paths",
        report.diagnostics.len(),
        mib(report.diagnostics.capacity() * std::mem::size_of::<dflint_core::Diagnostic>()),
        std::mem::size_of::<dflint_core::Diagnostic>(),
        mib(messages),
        mib(paths)
    );
    let peak = PEAK.load(Ordering::Relaxed);
    println!(
        "peak {} = {:.1}x the input",
        mib(peak),
        peak as f64 / input as f64
    );
}
