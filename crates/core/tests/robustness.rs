//! Bad input never panics: thousands of mutated manifests and random byte strings go through
//! the whole pipeline (loading, every rule, JSON rendering), deterministically seeded.

use dflint_core::output::json;
use dflint_core::{lint, LintConfig, Source};

/// A small deterministic generator (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    include_str!("../../../examples/seed-cluster/dragonfly.yaml"),
    include_str!("../../../examples/seed-cluster/secrets.yaml"),
    include_str!("../../../examples/seed-cluster/networkpolicy.yaml"),
    r#"{"apiVersion": "dragonflydb.io/v1alpha1", "kind": "Dragonfly", "metadata": {"name": "j"},
        "spec": {"args": ["--maxmemory", "$(M)", "--port=1"], "env": [{"name": "M", "valueFrom":
        {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}],
        "resources": {"limits": {"memory": "1Gi"}}}}"#,
];

/// Fragments that tend to break parsers and rule assumptions.
const NASTY: &[&str] = &[
    "\n---\n", "&a ", "*a", "<<: *a\n", "{", "}", "[", "]", ": ", "- ", "\t", "\"", "'", "\\",
    "|\n", ">-\n", "$(", "$$(X)", "--", "=", "\u{0}", "é", "\u{feff}", "!!str ", "? ",
    "spec:\n  args: 7\n", "env: [{name: 5}]\n", "memory: -1Gi\n", "replicas: 1e400\n",
    "kind: List\napiVersion: v1\nitems: [1, {kind: Dragonfly, apiVersion: dragonflydb.io/v1alpha1}]\n",
];

fn mutate(rng: &mut Rng, text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 => {
                let fragment = NASTY[rng.below(NASTY.len())];
                bytes.splice(at..at, fragment.bytes());
            }
            1 if !bytes.is_empty() => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            2 if at < bytes.len() => bytes[at] = rng.next() as u8,
            3 => bytes.truncate(at),
            _ => {
                let copy = bytes[at.min(bytes.len())..].to_vec();
                bytes.extend_from_slice(&copy[..copy.len().min(200)]);
            }
        }
    }
    bytes
}

#[test]
fn mutated_manifests_and_random_bytes_never_panic() {
    let iterations: usize = std::env::var("DFLINT_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let mut rng = Rng(0x5EED_D1F1_u64);
    for i in 0..iterations {
        let input = if i % 10 == 9 {
            (0..rng.below(300)).map(|_| rng.next() as u8).collect()
        } else {
            mutate(&mut rng, SEEDS[i % SEEDS.len()])
        };
        let name = if i % 4 == 3 {
            "input.json"
        } else {
            "input.yaml"
        };
        let outcome = std::panic::catch_unwind(|| {
            let sources = [Source::from_bytes(name, &input)];
            let report = lint(&sources, &LintConfig::default());
            for d in &report.diagnostics {
                assert!(d.location.line >= 1 && d.location.column >= 1);
                assert!(d.location.span.end <= sources[0].text().len());
            }
            json::render(&report)
        });
        assert!(
            outcome.is_ok(),
            "iteration {i} panicked on input {:?}",
            String::from_utf8_lossy(&input)
        );
    }
}

#[test]
fn huge_inputs_stay_bounded() {
    // A 5 MB single line, a 50,000-item flow list and a 100,000-line args list.
    let long_line = format!("a: \"{}\"\n", "x".repeat(5_000_000));
    let wide = format!("a: [{}]\n", vec!["1"; 50_000].join(", "));
    let mut many_args = String::from(
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: big}\nspec:\n  args:\n",
    );
    for i in 0..100_000 {
        many_args.push_str(&format!("    - --maxmemory={i}\n"));
    }
    for text in [long_line, wide, many_args] {
        let report = lint(&[Source::new("big.yaml", text)], &LintConfig::default());
        assert!(report.summary.documents == 1);
    }
}
