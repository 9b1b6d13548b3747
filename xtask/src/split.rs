//! The split step of the release build (issue 17): the studio is built with
//! the `split` feature, whose split points (`src/commands/lazy.rs`) this step
//! moves into wasm chunks fetched on first use, so the first screen downloads
//! less. Trunk has no such step, so Trunk builds the site as usual (with the
//! feature and `--emit-relocs`), and this replaces its wasm and JS with the
//! split ones, under the same names.
//!
//! The steps, modelled on cargo-leptos (`src/compile/front.rs`):
//! 1. `wasm-split-cli` (crate `wasm_split_cli_support`) on the linked wasm:
//!    the main module, one `.wasm` per chunk, and the loader `__wasm_split.js`;
//! 2. `wasm-bindgen --target web --keep-lld-exports --no-demangle` on the main
//!    module (the chunks import what they share from its exports);
//! 3. `wasm-opt` on each wasm, with index.html's flags;
//! 4. the files into dist/, the JS minified ([`crate::bundle::minify_js`]),
//!    the chunks and the loader renamed with a hash of their bytes (and their
//!    references rewritten). `deploy::build_site` then joins the CSS and
//!    recomputes the `integrity` of index.html's links.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{have, output, sh, step, Result};

mod exports;
mod imports;
mod priority;

/// The `wasm_split_cli_support` release whose CLI (`build-binary`) splits.
pub const SPLIT_CLI_VERSION: &str = "0.2.4";

/// RUSTFLAGS for the split build: `.cargo/config.toml`'s wasm flags (RUSTFLAGS
/// replaces them) and the relocations the splitter reads.
pub const SPLIT_RUSTFLAGS: &str =
    "--cfg erase_components -C target-feature=+simd128 -C link-args=--emit-relocs";

/// What the release build adds to [`SPLIT_RUSTFLAGS`]: a panic stops the wasm
/// at once (no message formatting, no unwinding code; the page's own handler
/// then shows "Something went wrong … Reload", as for any trap), and no file
/// and line are kept for panics that are never printed.
pub const RELEASE_ONLY_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none";

/// The environment of a release build (`trunk build --release`): the split
/// build's flags, and std built again with them (`-Zbuild-std`), which is
/// what lets panics abort at once (about -37 KiB gzip). Those are unstable
/// options of the stable toolchain the set-up installs: `RUSTC_BOOTSTRAP=1`
/// allows them in this command only (never in `trunk serve`, debug builds or
/// the tests), and std's source is the `rust-src` component ([`setup`]).
///
/// Its own target folder ([`release_target_dir`]): `RUSTC_BOOTSTRAP` changes
/// what some build scripts (proc-macro2's) decide, so sharing the folder with
/// the other builds would rebuild every crate at each switch.
pub fn release_env(cmd: &mut Command) -> &mut Command {
    cmd.env(
        "RUSTFLAGS",
        format!("{SPLIT_RUSTFLAGS} {RELEASE_ONLY_RUSTFLAGS}"),
    )
    .env("RUSTC_BOOTSTRAP", "1")
    .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
    .env("CARGO_TARGET_DIR", release_target_dir())
}

/// Where the release builds compile (under Cargo's target folder).
pub fn release_target_dir() -> PathBuf {
    crate::target_dir().join("release-build")
}

/// Installs what the release build needs besides the app's set-up: std's
/// source (`rust-src`, for `-Zbuild-std`) and `wasm-split-cli` (about 3
/// minutes, once).
pub fn setup() -> Result {
    let components = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if !components.lines().any(|c| c.starts_with("rust-src")) {
        step("Adding the rust-src component (std's source, for the release build)");
        sh(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    }
    // std's own dependencies, for Trunk's offline build (seconds once fetched).
    let sysroot = output("rustc", &["--print", "sysroot"]).ok_or("rustc --print sysroot failed")?;
    sh(Command::new("cargo")
        .args(["fetch", "--manifest-path"])
        .arg(Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.toml"))
        .env("RUSTC_BOOTSTRAP", "1"))?;
    // This version, not whichever one a machine installed earlier: the split
    // output (and so the files' names) depends on it.
    let installed = output("cargo", &["install", "--list"]).unwrap_or_default();
    if have("wasm-split-cli")
        && installed
            .lines()
            .any(|l| l == format!("wasm_split_cli_support v{SPLIT_CLI_VERSION}:"))
    {
        return Ok(());
    }
    step(&format!(
        "Installing wasm-split-cli {SPLIT_CLI_VERSION} (about 3 minutes, once)"
    ));
    sh(Command::new("cargo").args([
        "install",
        "wasm_split_cli_support",
        "--version",
        SPLIT_CLI_VERSION,
        "--features",
        "build-binary",
        // Over another version, or another package's binary of that name.
        "--force",
    ]))
}

/// Splits the wasm Trunk linked (`wasm32-unknown-unknown/release/studio.wasm`
/// in [`release_target_dir`]) and puts the result into `dist` in place of
/// Trunk's wasm and JS.
pub fn apply(dist: &Path, index_source: &Path) -> Result {
    let target_dir = release_target_dir();
    let linked = target_dir.join("wasm32-unknown-unknown/release/studio.wasm");
    let stem = trunk_stem(dist)?;
    let work = target_dir.join("split-out");
    let _ = fs::remove_dir_all(&work);
    let bindgen = work.join("bindgen");
    fs::create_dir_all(&bindgen).map_err(|e| format!("{}: {e}", bindgen.display()))?;

    step("Splitting the wasm (wasm-split-cli)");
    sh(Command::new("wasm-split-cli")
        .arg(&linked)
        .arg(&work)
        .args(["--target", "web", "--out-name", &stem]))?;
    let main = work.join(format!("{stem}.wasm"));
    low_priority_after_paint(&work.join(LOADER))?;

    step("wasm-bindgen on the split main module");
    sh(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--keep-lld-exports",
            "--no-demangle",
            "--out-name",
            &stem,
            "--out-dir",
        ])
        .arg(&bindgen)
        .arg(&main))?;
    short_imports(&bindgen, &stem)?;
    drop_unused_classes(&bindgen, &stem)?;

    let params = wasm_opt_params(index_source)?;
    let mut wasm = vec![(
        bindgen.join(format!("{stem}_bg.wasm")),
        format!("{stem}_bg.wasm"),
    )];
    let mut loaders = Vec::new();
    for entry in fs::read_dir(&work).map_err(|e| format!("{}: {e}", work.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".wasm") && path != main {
            wasm.push((path, name));
        } else if name.ends_with(".js") {
            loaders.push((path, name));
        }
    }
    for (path, name) in &wasm {
        step(&format!("wasm-opt -Oz {name}"));
        sh(Command::new("wasm-opt")
            .arg("-Oz")
            .args(&params)
            .arg(path)
            .arg("-o")
            .arg(dist.join(name)))?;
    }
    for (path, name) in loaders
        .iter()
        .chain([(bindgen.join(format!("{stem}.js")), format!("{stem}.js"))].iter())
    {
        fs::copy(path, dist.join(name)).map_err(|e| format!("{}: {e}", path.display()))?;
        crate::bundle::minify_js(&dist.join(name))?;
    }
    let snippets = bindgen.join("snippets");
    if snippets.is_dir() {
        copy_dir(&snippets, &dist.join("snippets"))?;
    }
    let chunks: Vec<String> = wasm.iter().skip(1).map(|(_, name)| name.clone()).collect();
    content_names(dist, &stem, &chunks)
}

/// Renames wasm-bindgen's imports of the main module to short names, in the
/// wasm and in its JS ([`imports`]): about 11 KB gzip off the first screen.
fn short_imports(bindgen: &Path, stem: &str) -> Result {
    step("Short import names for the main module");
    let wasm_path = bindgen.join(format!("{stem}_bg.wasm"));
    let js_path = bindgen.join(format!("{stem}.js"));
    let wasm = fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let js = fs::read_to_string(&js_path).map_err(|e| format!("{}: {e}", js_path.display()))?;
    let (wasm, js, renamed) = imports::shorten(&wasm, &js, &format!("./{stem}_bg.js"))
        .map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    if renamed == 0 {
        return Err(format!(
            "{}: no import was renamed (has wasm-bindgen's output changed?)",
            js_path.display()
        ));
    }
    println!("{renamed} imports renamed");
    fs::write(&wasm_path, wasm).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    fs::write(&js_path, js).map_err(|e| format!("{}: {e}", js_path.display()))
}

/// Removes the classes of a dependency the app never uses from the main
/// module's exports and its JS ([`exports`]): about 2.3 KB gzip.
fn drop_unused_classes(bindgen: &Path, stem: &str) -> Result {
    let wasm_path = bindgen.join(format!("{stem}_bg.wasm"));
    let js_path = bindgen.join(format!("{stem}.js"));
    let wasm = fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let js = fs::read_to_string(&js_path).map_err(|e| format!("{}: {e}", js_path.display()))?;
    let (wasm, js, removed) = exports::drop_classes(&wasm, &js, &exports::UNUSED)
        .map_err(|e| format!("{}: {e}", js_path.display()))?;
    println!("{removed} exports of unused classes removed");
    fs::write(&wasm_path, wasm).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    fs::write(&js_path, js).map_err(|e| format!("{}: {e}", js_path.display()))
}

/// Makes the loader fetch the chunks loaded right after the first paint at
/// low priority ([`priority`]).
fn low_priority_after_paint(loader_path: &Path) -> Result {
    let loader =
        fs::read_to_string(loader_path).map_err(|e| format!("{}: {e}", loader_path.display()))?;
    let (loader, n) = priority::after_paint_low(&loader, &priority::AFTER_PAINT)
        .map_err(|e| format!("{}: {e}", loader_path.display()))?;
    println!("{n} fetches of the chunks loaded after the first paint at low priority");
    fs::write(loader_path, loader).map_err(|e| format!("{}: {e}", loader_path.display()))
}

/// Gives the chunks and the loader names with a hash of their bytes (as Trunk
/// does for its files), so a cached file of another build is never used with
/// this one (a chunk only links with the main module it was split from), and
/// rewrites the names where they are referenced: the chunks in the loader,
/// the loader in the main JS.
fn content_names(dist: &Path, stem: &str, chunks: &[String]) -> Result {
    let read = |p: &Path| fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    // Four bytes of the hash (eight hex digits): enough to tell two builds'
    // versions of one chunk apart, and the loader names about ninety files
    // on the first screen (16 digits cost 0.5 KB gzip more).
    let hashed = |bytes: &[u8], name: &str, ext: &str| {
        let h: String = crate::deploy::sha256(bytes)[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{}-{h}{ext}", name.trim_end_matches(ext))
    };
    let loader_path = dist.join(LOADER);
    let mut loader = String::from_utf8(read(&loader_path)?).map_err(|e| e.to_string())?;
    for chunk in chunks {
        let path = dist.join(chunk);
        let new = hashed(&read(&path)?, chunk, ".wasm");
        let old_ref = format!("\"./{chunk}\"");
        if !loader.contains(&old_ref) {
            return Err(format!("{LOADER} does not name {chunk}"));
        }
        loader = loader.replace(&old_ref, &format!("\"./{new}\""));
        fs::rename(&path, dist.join(&new)).map_err(|e| format!("{chunk}: {e}"))?;
    }
    let new_loader = hashed(loader.as_bytes(), LOADER, ".js");
    fs::write(dist.join(&new_loader), &loader).map_err(|e| format!("{new_loader}: {e}"))?;
    fs::remove_file(&loader_path).map_err(|e| format!("{LOADER}: {e}"))?;
    let main_js = dist.join(format!("{stem}.js"));
    let js = String::from_utf8(read(&main_js)?).map_err(|e| e.to_string())?;
    // Only the `import … from` lines (minified: `from"…"`): the same string is
    // also the wasm's import module name (a key of the imports object), which
    // must stay.
    let mut js = js;
    let mut found = false;
    for space in ["", " "] {
        let old_ref = format!("from{space}\"./{LOADER}\"");
        found |= js.contains(&old_ref);
        js = js.replace(&old_ref, &format!("from{space}\"./{new_loader}\""));
    }
    if !found {
        return Err(format!("{stem}.js does not import {LOADER}"));
    }
    fs::write(&main_js, js).map_err(|e| format!("{}: {e}", main_js.display()))
}

/// The loader `wasm-split-cli` writes (its default `link_name`).
const LOADER: &str = "__wasm_split.js";

/// `studio-<hash>`: the name Trunk gave the app's JS and wasm.
fn trunk_stem(dist: &Path) -> Result<String> {
    for entry in fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))? {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("studio-") && name.ends_with(".js") {
            return Ok(name.trim_end_matches(".js").to_owned());
        }
    }
    Err(format!("{}: no studio-*.js from Trunk", dist.display()))
}

/// The `data-wasm-opt-params` of index.html's `rel="rust"` link.
fn wasm_opt_params(index: &Path) -> Result<Vec<String>> {
    let html = fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let key = "data-wasm-opt-params=\"";
    let at = html
        .find(key)
        .ok_or("index.html has no data-wasm-opt-params")?
        + key.len();
    let end = html[at..]
        .find('"')
        .ok_or("data-wasm-opt-params is not closed")?;
    Ok(html[at..at + end]
        .split_whitespace()
        .map(str::to_owned)
        .collect())
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path: PathBuf = entry.map_err(|e| e.to_string())?.path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RUSTFLAGS replaces `.cargo/config.toml`'s flags for the wasm target:
    /// the split build must repeat them, or it would be another app.
    #[test]
    fn split_rustflags_keep_the_configured_ones() {
        let config = fs::read_to_string(crate::root().join(".cargo/config.toml")).unwrap();
        let line = config
            .lines()
            .find(|l| l.starts_with("rustflags = ["))
            .expect("the wasm target's rustflags");
        let flags: Vec<&str> = line
            .trim_start_matches("rustflags = [")
            .trim_end_matches(']')
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        let joined = flags.join(" ");
        assert!(!flags.is_empty());
        assert!(
            SPLIT_RUSTFLAGS.starts_with(&format!("{joined} ")),
            "{SPLIT_RUSTFLAGS:?} does not start with {joined:?}"
        );
        assert!(SPLIT_RUSTFLAGS.ends_with("-C link-args=--emit-relocs"));
    }
}
