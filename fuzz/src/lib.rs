//! Fuzzing of every parser of the studio, on stable Rust.
//!
//! No `cargo fuzz` (that needs nightly and libFuzzer): a seeded loop makes each
//! input from valid samples ([`seeds`]) with stacked mutations ([`mutate`]:
//! truncation, bit flips, splices, duplicate keys, deep nesting, huge numbers,
//! invalid UTF-8, dictionary tokens) or from random bytes, and runs it through
//! a thin target ([`targets`]) that checks the parser's documented contract:
//! it never panics, and it returns one of the errors it documents. The
//! [`arbitrary`] crate turns the loop's random bytes into mutation choices, so
//! a case is reproduced by its seed and number alone.
//!
//! The targets: `response` (`gemini::response::interpret_with`), `lift`
//! (`gemini::lift::parse_response` against plain serde), `sse` (the streamed
//! answer: `gemini::stream::StreamingAnswer`, fed in several chunkings),
//! `retry_after` (the `Retry-After`, HTTP-date and protobuf duration parsers),
//! `scrub` (`gemini::scrub`), `config` (`studio::config::interpret`) and
//! `export` (`studio::store::records::parse_export`).
//!
//! # Running
//!
//! ```sh
//! cargo test -p fuzz                                   # the small run: a few seconds
//! FUZZ_CASES=200000 cargo test -p fuzz --release -- --nocapture   # a long run
//! FUZZ_CASES=200000 FUZZ_TARGET=sse cargo test -p fuzz --release  # one target
//! FUZZ_SEED=42 cargo test -p fuzz                      # other inputs than the default seed's
//! ```
//!
//! - `FUZZ_CASES`: inputs per target (default [`DEFAULT_CASES`]).
//! - `FUZZ_SEED`: the loop's seed (default [`DEFAULT_SEED`], so the small run
//!   is the same every time); a long run prints the seed it used.
//! - `FUZZ_TARGET`: run only the target of that name.
//!
//! Every input that ever failed (a panic, or a broken contract) is written to
//! `fuzz/regressions/<target>/<hash>.bin`, and the `regressions` test replays
//! every file there on each `cargo test -p fuzz`: keep them in git.

pub mod mutate;
pub mod seeds;
pub mod targets;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Inputs per target in the small run.
pub const DEFAULT_CASES: u64 = 1500;
/// The small run's seed.
pub const DEFAULT_SEED: u64 = 0x5EED_F00D_2026;
/// At most this many failing inputs are written per target and run.
const MAX_SAVED: usize = 25;

/// A parser under test.
pub struct Target {
    pub name: &'static str,
    /// `Ok` if the parser kept its contract on this input; `Err` says how not.
    pub check: fn(&[u8]) -> Result<(), String>,
    /// Valid inputs to mutate.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens worth inserting (field names, values, framing).
    pub dictionary: &'static [&'static [u8]],
}

/// One input that failed: where it was saved and what went wrong.
#[derive(Debug)]
pub struct Failed {
    pub path: PathBuf,
    pub why: String,
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    pub target: &'static str,
    pub cases: u64,
    pub failed: Vec<Failed>,
}

/// Every target.
pub fn all_targets() -> Vec<Target> {
    targets::all()
}

/// `FUZZ_CASES`, `FUZZ_SEED` and `FUZZ_TARGET` from the environment.
pub fn settings_from_env() -> (u64, u64, Option<String>) {
    let num = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse().ok());
    (
        num("FUZZ_CASES").unwrap_or(DEFAULT_CASES),
        num("FUZZ_SEED").unwrap_or(DEFAULT_SEED),
        std::env::var("FUZZ_TARGET").ok().filter(|t| !t.is_empty()),
    )
}

/// Threads whose panics are expected: the hook keeps their report (with its
/// place) for the failure instead of printing it.
const QUIET_THREAD: &str = "fuzz-loop";

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that is silent on the fuzz loop's threads and
/// the default everywhere else.
fn quiet_panics_in_the_loop() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let quiet = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with(QUIET_THREAD));
            if quiet {
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
            } else {
                default(info);
            }
        }));
    });
}

/// Runs `target.check` on one input, a panic being a failure too.
pub fn run_one(target: &Target, input: &[u8]) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| (target.check)(input))) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            let place = LAST_PANIC.with(|p| p.borrow_mut().take());
            Err(match place {
                Some(report) => format!("panicked: {message} ({})", report.replace('\n', " ")),
                None => format!("panicked: {message}"),
            })
        }
    }
}

/// Runs `target.check` on one input on a thread of the loop's kind, so that a
/// panic is reported (with its place) in the result and not printed.
pub fn replay(target: &Target, input: &[u8]) -> Result<(), String> {
    quiet_panics_in_the_loop();
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name(format!("{QUIET_THREAD}:{}", target.name))
            .spawn_scoped(scope, || run_one(target, input))
            .map_err(|e| format!("could not start: {e}"))
            .and_then(|w| {
                w.join()
                    .unwrap_or_else(|_| Err("the replay panicked".into()))
            })
    })
}

/// Runs `cases` inputs made from `seed` through `target`; each failing input
/// is saved under `regressions/<target>/`. The loop runs on a thread of its
/// own, whose panics are reported in the result, not printed.
pub fn fuzz(target: &Target, cases: u64, seed: u64) -> Report {
    quiet_panics_in_the_loop();
    let seeds = (target.seeds)();
    let failed = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name(format!("{QUIET_THREAD}:{}", target.name))
            .spawn_scoped(scope, || {
                let mut failed = Vec::new();
                for case in 0..cases {
                    let input = mutate::input(&seeds, target.dictionary, seed, case);
                    if let Err(why) = run_one(target, &input) {
                        if failed.len() < MAX_SAVED {
                            let path = save(target.name, &input);
                            failed.push(Failed {
                                path,
                                why: format!("case {case} of seed {seed}: {why}"),
                            });
                        }
                    }
                }
                failed
            });
        match worker.map(|w| w.join()) {
            Ok(Ok(failed)) => failed,
            Ok(Err(_)) => vec![Failed {
                path: PathBuf::new(),
                why: "the fuzz loop itself panicked".into(),
            }],
            Err(e) => vec![Failed {
                path: PathBuf::new(),
                why: format!("the fuzz loop could not start: {e}"),
            }],
        }
    });
    Report {
        target: target.name,
        cases,
        failed,
    }
}

/// The folder of a target's saved inputs.
pub fn regressions_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target)
}

/// Writes a failing input as `regressions/<target>/<hash>.bin` (its FNV-1a
/// hash: the same input is kept once).
fn save(target: &str, input: &[u8]) -> PathBuf {
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    let dir = regressions_dir(target);
    let path = dir.join(format!("{hash:016x}.bin"));
    // A failure to write is reported with the failure itself (the path will
    // not exist); it must not hide the failure.
    let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input));
    path
}

/// Every saved input of `target`, with its file.
pub fn saved_inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(regressions_dir(target)) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .filter_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes)))
        .collect();
    out.sort();
    out
}
