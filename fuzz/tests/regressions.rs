//! Every input that ever failed a fuzz target, replayed: each is kept in
//! `fuzz/regressions/<target>/` and must now pass.

use fuzz::{all_targets, replay, saved_inputs};

#[test]
fn every_saved_input_passes() {
    let mut failed = Vec::new();
    let mut replayed = 0;
    for t in all_targets() {
        for (path, input) in saved_inputs(t.name) {
            replayed += 1;
            if let Err(why) = replay(&t, &input) {
                failed.push(format!("{}: {why}", path.display()));
            }
        }
    }
    eprintln!("replayed {replayed} saved inputs");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
