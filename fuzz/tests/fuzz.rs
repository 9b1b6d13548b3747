//! The small fuzz run of every target (a few seconds), and the samples it
//! starts from. See the crate's documentation for the long run.

use fuzz::{all_targets, fuzz, run_one, seeds, settings_from_env, Target};

fn target(name: &str) -> Target {
    all_targets()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target {name}"))
}

/// Runs `name` unless `FUZZ_TARGET` names another; fails listing every input
/// that broke the contract (each saved under `fuzz/regressions/`).
fn run(name: &str) {
    let (cases, seed, only) = settings_from_env();
    if only.as_deref().is_some_and(|o| o != name) {
        return;
    }
    let t = target(name);
    let started = std::time::Instant::now();
    let report = fuzz(&t, cases, seed);
    eprintln!(
        "fuzz {name}: {} cases of seed {seed} in {:.1?}, {} failed",
        report.cases,
        started.elapsed(),
        report.failed.len()
    );
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|f| format!("{}: {}", f.path.display(), f.why))
        .collect();
    assert!(failed.is_empty(), "{name}:\n{}", failed.join("\n"));
}

#[test]
fn fuzz_response() {
    run("response");
}

#[test]
fn fuzz_lift() {
    run("lift");
}

#[test]
fn fuzz_sse() {
    run("sse");
}

#[test]
fn fuzz_retry_after() {
    run("retry_after");
}

#[test]
fn fuzz_scrub() {
    run("scrub");
}

#[test]
fn fuzz_config() {
    run("config");
}

#[test]
fn fuzz_export() {
    run("export");
}

#[test]
fn fuzz_manifest() {
    run("manifest");
}

#[test]
fn fuzz_zip() {
    run("zip");
}

#[test]
fn every_target_has_a_test() {
    let names: Vec<&str> = all_targets().iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "response",
            "lift",
            "sse",
            "retry_after",
            "scrub",
            "config",
            "export",
            "manifest",
            "zip"
        ]
    );
}

/// The samples are valid, so mutations start deep in each parser.
#[test]
fn samples_reach_the_parsers_success_paths() {
    let ok = |bytes: &[u8]| gemini::response::interpret(200, bytes);
    let answers = seeds::answers();
    for a in &answers[..3] {
        assert!(ok(a).is_ok(), "{:?}", ok(a));
    }
    assert!(
        gemini::lift::parse_response(&answers[0]).is_ok(),
        "the first answer has an image long enough to be lifted"
    );
    let streams = seeds::streams();
    for s in &streams[..3] {
        let mut a = gemini::StreamingAnswer::new();
        a.push(s).unwrap();
        let g = a.finish(gemini::response::decode_base64);
        assert!(g.is_ok(), "{g:?}");
    }
    assert!(matches!(
        studio::config::interpret(
            200,
            "application/json",
            std::str::from_utf8(&seeds::configs()[0]).unwrap()
        ),
        studio::config::Loaded::Config(_)
    ));
    assert!(matches!(
        studio::config::interpret(
            200,
            "application/json",
            std::str::from_utf8(&seeds::configs()[1]).unwrap()
        ),
        studio::config::Loaded::Config(_)
    ));
    let manifests = seeds::manifests();
    assert!(studio::store::records::parse_manifest(&manifests[0]).is_ok());
    assert!(studio::store::records::parse_manifest(&manifests[1])
        .unwrap_err()
        .contains("only PNG, JPEG and WebP"));
    for z in seeds::zips().iter().take(2) {
        let dir = formats::zip::find_end(z, z.len() as u64, &Default::default()).unwrap();
        let bytes = &z[dir.offset as usize..(dir.offset + dir.size) as usize];
        assert_eq!(
            formats::zip::parse_directory(bytes, &dir, &Default::default())
                .unwrap()
                .len(),
            2
        );
    }
    let exports = seeds::exports();
    let import = studio::store::records::parse_export(&exports[0]);
    assert!(import.is_ok(), "{import:?}");
    assert!(studio::store::records::parse_export(&exports[1])
        .unwrap_err()
        .contains("checksum"));
    for t in all_targets() {
        for (i, s) in (t.seeds)().iter().enumerate() {
            assert_eq!(run_one(&t, s), Ok(()), "{} sample {i}", t.name);
        }
    }
}

/// A target that breaks its contract is caught, and its input saved.
#[test]
fn a_broken_contract_is_caught_and_saved() {
    fn picky(input: &[u8]) -> Result<(), String> {
        if input.first() == Some(&b'!') {
            panic!("bang");
        }
        if input.len() > 3 {
            return Err("too long".into());
        }
        Ok(())
    }
    let t = Target {
        name: "selftest-picky",
        check: picky,
        seeds: || vec![b"!ab".to_vec(), b"ab".to_vec()],
        dictionary: &[],
    };
    let report = fuzz(&t, 200, 1);
    assert!(
        report.failed.iter().any(|f| f
            .why
            .contains("panicked: bang (panicked at fuzz/tests/fuzz.rs")),
        "a panic in the loop says where: {:?}",
        report.failed
    );
    assert!(report.failed.iter().any(|f| f.why.ends_with("too long")));
    for f in &report.failed {
        let saved = std::fs::read(&f.path).unwrap();
        assert_eq!(
            fuzz::replay(&t, &saved),
            Err(f.why.split_once(": ").unwrap().1.to_owned()),
            "the saved input fails the same way"
        );
    }
    let dir = fuzz::regressions_dir("selftest-picky");
    assert_eq!(fuzz::saved_inputs("selftest-picky").len(), {
        let mut paths: Vec<_> = report.failed.iter().map(|f| f.path.clone()).collect();
        paths.sort();
        paths.dedup();
        paths.len()
    });
    std::fs::remove_dir_all(dir).unwrap();
}
