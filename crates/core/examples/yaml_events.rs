//! The floor for linting a YAML file: reading it and pulling every event out of the parser
//! dflint-core builds on, with nothing built from them. `scripts/bench` compares
//! `dflint check` on the same file against this.
//!
//! `cargo run --release -p dflint-core --example yaml_events -- FILE [RUNS]`

use saphyr_parser::{Event, Parser};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: yaml_events FILE [RUNS]");
    let runs: usize = args
        .next()
        .map_or(5, |r| r.parse().expect("RUNS is a number"));
    let mut best = f64::MAX;
    let mut events = 0usize;
    for _ in 0..runs {
        let start = Instant::now();
        let text = std::fs::read_to_string(&path).expect("a UTF-8 file");
        events = 0;
        for next in Parser::new_from_str(&text) {
            match next {
                Ok((Event::StreamEnd, _)) => break,
                Ok(_) => events += 1,
                Err(error) => panic!("{path}: {error}"),
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!("{{\"best_s\": {best:.6}, \"events\": {events}}}");
}
