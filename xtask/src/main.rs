//! Project commands, run as `cargo xtask <command>`:
//!
//! - `run [--mock] [--release] [--upstream URL] [--port N]`: serve the studio on
//!   http://127.0.0.1:8080 with a same-origin proxy for `/v1beta/`: the shipped
//!   nginx configuration, so it forwards what a deployment forwards.
//! - `test [--no-e2e] [--e2e-only NAME,...] [--reuse-dist]`: every check and test
//!   (formatting, lints, host tests, wasm tests in Chromium, end-to-end tests in
//!   Chromium against the local API server and through nginx).
//! - `dist [--public-url /path/] [--api-origin URL|self]... [--dist DIR] [--config FILE]
//!   [--nginx-out DIR] [--no-build]`: the release build with its Content Security
//!   Policy and response headers, for any static host, and the nginx includes.
//! - `bench [--runs N] [--tiny]`: the studio's byte paths against peer apps'
//!   JavaScript paths in headless Chromium; writes `target/bench/latest.json`.
//! - `setup`: install what is missing (each command does this itself).
//!
//! Std and one compressor (zopfli, optimized even in this dev build), so it
//! compiles in seconds on a fresh machine.

#![allow(clippy::print_stdout)]

mod bundle;
mod deploy;
#[cfg(test)]
mod layers;
mod precompress;
mod split;

use std::env;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

const TRUNK_VERSION: &str = "0.21.14";
const DEFAULT_UPSTREAM: &str = "https://api.cometapi.com";
/// The key the dev proxy adds in `--mock` mode (the mock wants some key, like the real API).
const MOCK_KEY: &str = "mock-key";
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r.to_vec()),
        None => ("help", Vec::new()),
    };
    let result = match cmd {
        "run" => run(&rest),
        "test" => test(&rest),
        "dist" => dist(&rest),
        "bench" => bench(&rest),
        "fuzz" => fuzz(&rest),
        "setup" => setup(Need::Everything),
        _ => {
            println!(
                "usage: cargo xtask <command>\n\n\
                 \x20 run [--mock] [--release] [--upstream URL] [--port N]   serve the studio on http://127.0.0.1:8080\n\
                 \x20 test [--no-e2e] [--e2e-only deploy,security] [--reuse-dist]\n\
                 \x20                                                       run every check and test (or some e2e files)\n\
                 \x20 dist [--public-url /path/] [--api-origin URL|self]... [--dist DIR] [--config FILE]\n\
                 \x20      [--nginx-out DIR] [--no-build]\n\
                 \x20                                                       release build into dist/ (see README: Deploying)\n\
                 \x20 bench [--runs N] [--tiny]                             benchmark against peer paths in Chromium\n\
                 \x20 fuzz [--cases N] [--seed S] [--target NAME]           a long fuzzing run of every parser\n\
                 \x20 setup                                                 install what is missing"
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn flag(args: &[String], name: &str) -> bool {
    args.iter().any(|a| a == name)
}

fn option(args: &[String], name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&prefix).map(str::to_owned)
        }
    })
}

// ------------------------------------------------------------------ set-up

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    /// Building the app.
    Build,
    /// Serving it with `run`: nginx and the CA bundle for its proxy too.
    Serve,
    /// Everything the tests need too (Chromium, chromedriver, openssl, npm packages).
    Everything,
}

fn step(what: &str) {
    println!("\n==> {what}");
}

fn sh(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd
        .current_dir_if_unset(&root())
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

trait CurrentDirIfUnset {
    fn current_dir_if_unset(&mut self, dir: &Path) -> &mut Self;
}

impl CurrentDirIfUnset for Command {
    fn current_dir_if_unset(&mut self, dir: &Path) -> &mut Self {
        if self.get_current_dir().is_none() {
            self.current_dir(dir);
        }
        self
    }
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The wasm-bindgen version Cargo.lock resolved (the CLI must equal it).
fn locked_wasm_bindgen() -> Result<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock unreadable: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn setup(need: Need) -> Result {
    let cargo_bin = env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env::var("HOME").unwrap_or_default()).join(".cargo"))
        .join("bin");
    if let Ok(path) = env::var("PATH") {
        if !path.split(':').any(|p| Path::new(p) == cargo_bin) {
            env::set_var("PATH", format!("{}:{path}", cargo_bin.display()));
        }
    }

    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t == "wasm32-unknown-unknown") {
        step("Adding the wasm32 target");
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    let mut apt = Vec::new();
    if !have("npm") {
        apt.extend(["nodejs", "npm"]);
    }
    // Release builds recompute the SRI hashes with it (xtask/src/bundle.rs);
    // the deployment tests make their certificates and passwords with it.
    if !have("openssl") {
        apt.push("openssl");
    }
    if need >= Need::Serve {
        if !deploy::nginx::have_nginx() {
            apt.push("nginx");
        }
        // The proxy verifies the API's certificate against Debian's CAs.
        if !Path::new(deploy::CA_BUNDLE).exists() {
            apt.push("ca-certificates");
        }
    }
    if need == Need::Everything {
        if !Path::new("/usr/bin/chromium").exists() {
            apt.push("chromium");
        }
        if !Path::new("/usr/bin/chromedriver").exists() {
            apt.push("chromium-driver");
        }
        // The Get code tests run the Python program in a virtual environment.
        if !have("python3") {
            apt.push("python3");
        }
        if !python_venv_works() {
            apt.push("python3-venv");
        }
    }
    if !apt.is_empty() {
        step(&format!("Installing Debian packages: {}", apt.join(" ")));
        if !have("apt-get") {
            return Err(format!(
                "install these packages yourself (no apt-get here): {}",
                apt.join(" ")
            ));
        }
        sh(Command::new("apt-get").args(["update", "-qq"]))?;
        sh(Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&apt)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }

    let trunk = output("trunk", &["--version"]).unwrap_or_default();
    if trunk != format!("trunk {TRUNK_VERSION}") {
        step(&format!(
            "Installing Trunk {TRUNK_VERSION} (about 5 minutes, once)"
        ));
        sh(Command::new("cargo").args([
            "install",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
        ]))?;
    }

    step("Fetching crates");
    sh(Command::new("cargo").args(["fetch"]))?;
    let wbg = locked_wasm_bindgen()?;
    let have_wbg = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have_wbg != format!("wasm-bindgen {wbg}") {
        step(&format!(
            "Installing wasm-bindgen CLI {wbg} (about 3 minutes, once)"
        ));
        // Not --locked: a pinned dependency of the CLI is missing from the registry mirror.
        sh(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wbg]))?;
    }

    // wasm-opt from npm's binaryen: Debian's version 108 breaks the reference-types
    // output of current wasm-bindgen ("WebAssembly.Table.set(): Argument 1 is invalid").
    let tools = root().join("tools");
    npm_ci(&tools, "node_modules/.bin/wasm-opt", "build tools")?;
    // An older install may predate the minifier.
    npm_ci(&tools, "node_modules/.bin/esbuild", "build tools")?;
    let bin = tools.join("node_modules/.bin");
    let path = env::var("PATH").unwrap_or_default();
    env::set_var("PATH", format!("{}:{path}", bin.display()));

    if need == Need::Everything {
        let e2e = root().join("e2e");
        npm_ci(
            &e2e,
            "node_modules/playwright-core",
            "end-to-end test packages",
        )?;
        // An older install may predate the SDK the Get code tests run.
        npm_ci(
            &e2e,
            "node_modules/@google/genai",
            "end-to-end test packages",
        )?;
        codegen_venv()?;
    }
    Ok(())
}

/// Whether `python3 -m venv` can make an environment with pip (Debian splits
/// `ensurepip` into python3-venv).
fn python_venv_works() -> bool {
    Command::new("python3")
        .args(["-c", "import ensurepip, venv"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Python virtual environment the Get code tests run `main.py` in:
/// `e2e/codegen/.venv` with the google-genai of `e2e/codegen/requirements.txt`
/// (made by `ensureVenv` in `e2e/codegen/run.js`; quick when it is there).
fn codegen_venv() -> Result {
    let script = "import('./codegen/run.js').then((m) => m.ensureVenv({ log: (l) => console.log(`==> ${l}`) }))";
    sh(Command::new("node")
        .args(["-e", script])
        .current_dir(root().join("e2e")))
    .map_err(|e| format!("the Python environment for the Get code tests: {e}"))
}

fn npm_ci(dir: &Path, marker: &str, what: &str) -> Result {
    if !dir.join(marker).exists() {
        step(&format!("Installing {what} (npm ci in {})", dir.display()));
        sh(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir))?;
    }
    Ok(())
}

// ------------------------------------------------------------------ servers

/// A child process that is killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Cargo's target folder (`CARGO_TARGET_DIR` when set).
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

fn build_mock() -> Result<PathBuf> {
    sh(Command::new("cargo").args(["build", "--release", "-p", "gemini-mock"]))?;
    Ok(target_dir().join("release/gemini-mock"))
}

/// Starts the local API server and returns it with its origin.
fn start_mock(bin: &Path, extra: &[&str]) -> Result<(Guard, String)> {
    let mut child = Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("mock has no stdout")?;
    let guard = Guard(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("mock did not start: {e}"))?;
    let origin = line
        .trim()
        .rsplit(' ')
        .next()
        .filter(|u| u.starts_with("http://"))
        .ok_or_else(|| format!("unexpected first line from the mock: {line:?}"))?
        .to_owned();
    Ok((guard, origin))
}

// ------------------------------------------------------------------ run

fn run(args: &[String]) -> Result {
    setup(Need::Serve)?;
    let root = root();
    let port = option(args, "--port").unwrap_or_else(|| "8080".into());
    let mut _mock = None;
    let (upstream, key) = if flag(args, "--mock") {
        step("Starting the local API server (offline mode: no key, no network)");
        let bin = build_mock()?;
        let (guard, origin) = start_mock(&bin, &["--require-key"])?;
        _mock = Some(guard);
        (origin, Some(MOCK_KEY.to_owned()))
    } else {
        let upstream = option(args, "--upstream")
            .or_else(|| env::var("GEMINI_API_BASE").ok())
            .unwrap_or_else(|| DEFAULT_UPSTREAM.into());
        let key = env::var("GEMINI_API_KEY")
            .or_else(|_| env::var("COMETAPI_KEY"))
            .ok()
            .filter(|k| !k.trim().is_empty());
        (upstream, key)
    };
    let upstream = upstream_origin(&upstream)?;

    // The shipped nginx configuration stands between the dev server and the
    // API: the dev server forwards exactly the calls a deployment forwards.
    step("Starting the proxy: nginx with deploy/nginx/gemini-studio.conf");
    let dir = root.join("target/xtask");
    remove_stale_runs(&dir);
    let proxy = deploy::nginx::dev_proxy(
        &dir.join(format!("run-{}", std::process::id())),
        &upstream,
        key.as_deref(),
    )?;
    println!(
        "\nProxy: http://127.0.0.1:{port}/v1beta/ -> nginx ({}, the shipped rules) -> {upstream}/v1beta/ ({})",
        proxy.url(),
        if key.is_some() {
            "the proxy adds the key; the browser never sees it"
        } else {
            "no key in the environment: enter one in the page's Settings (x-goog-api-key)"
        }
    );

    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let config = dir.join("Trunk.toml");
    let p = |rel: &str| toml_str(&root.join(rel).display().to_string());
    let text = format!(
        "[build]\ntarget = {}\ndist = {}\noffline = true\n\n[tools]\nwasm_bindgen = {}\n\n\
         [watch]\nwatch = [{}, {}, {}, {}, {}]\n\n\
         [serve]\naddresses = [\"127.0.0.1\"]\nport = {port}\nopen = false\n\n\
         [[proxy]]\nbackend = {}\nrewrite = \"/v1beta/\"\n\n\
         [[proxy]]\nbackend = {}\nrewrite = \"/config.json\"\n",
        p("index.html"),
        p("dist"),
        toml_str(&locked_wasm_bindgen()?),
        p("src"),
        p("style"),
        p("assets"),
        p("gemini/src"),
        p("index.html"),
        toml_str(&format!("{}/v1beta/", proxy.url())),
        toml_str(&format!("{}/config.json", proxy.url())),
    );
    write_private(&config, &text)?;
    step(&format!("Serving the studio on http://127.0.0.1:{port}/"));
    let mut trunk = Command::new("trunk");
    trunk.arg("serve").arg("--config").arg(&config);
    if flag(args, "--release") {
        trunk.arg("--release");
    }
    let status = trunk
        .current_dir(&root)
        .status()
        .map_err(|e| format!("could not start trunk: {e}"))?;
    drop(proxy);
    if status.success() {
        Ok(())
    } else {
        Err(format!("trunk serve exited with {status}"))
    }
}

/// Removes the folders of earlier `run`s whose process is gone (a run stopped
/// with Ctrl-C has no chance to); they hold no key, only nginx's files.
fn remove_stale_runs(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("run-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The upstream's origin from `--upstream` / `GEMINI_API_BASE`: `https://host[:port]`
/// (a trailing `/` or `/v1beta` is dropped), or `http://` for this computer.
fn upstream_origin(given: &str) -> Result<String> {
    let u = given.trim().trim_end_matches('/');
    let u = u.strip_suffix("/v1beta").unwrap_or(u);
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or("");
    let ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    let local = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|h| rest == *h || rest.starts_with(&format!("{h}:")));
    if ok && (u.starts_with("https://") || local) {
        Ok(u.to_owned())
    } else {
        Err(format!(
            "--upstream {given}: give the API's origin, https://host[:port] (http:// only for this computer), e.g. https://generativelanguage.googleapis.com"
        ))
    }
}

fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_private(path: &Path, text: &str) -> Result {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

// ------------------------------------------------------------------ dist

fn dist(args: &[String]) -> Result {
    let dir = option(args, "--dist")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("dist"));
    let nginx_out = option(args, "--nginx-out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(deploy::NGINX_OUT));
    let public_url = option(args, "--public-url");
    // config.json first: a file that cannot be used stops the build before it starts.
    let config = match option(args, "--config") {
        Some(path) => {
            let text = fs::read_to_string(&path).map_err(|e| format!("--config {path}: {e}"))?;
            let models =
                deploy::config_models(&text).map_err(|e| format!("--config {path}: {e}"))?;
            Some((path, models))
        }
        None => None,
    };
    let policy = if flag(args, "--no-build") {
        // The build already in `dir`: only its headers, config.json and the includes.
        let policy = deploy::dist_policy(&dir)?;
        let public_url = match public_url {
            Some(u) => u,
            None => deploy::dist_public_url(&dir)?,
        };
        deploy::write_static_headers(&dir, &public_url, &policy)?;
        policy
    } else {
        let origins = deploy::api_origins(args)?;
        setup(Need::Build)?;
        deploy::build_site(&deploy::SiteBuild {
            public_url: public_url.as_deref(),
            dist: &dir,
            api_origins: &origins,
        })?
    };
    let models = match &config {
        Some((path, models)) => {
            fs::copy(path, dir.join("config.json")).map_err(|e| format!("{path}: {e}"))?;
            models.clone()
        }
        None => None,
    };
    let models = models.unwrap_or_else(deploy::default_models);
    deploy::write_nginx_includes(&nginx_out, &policy, &models)?;
    println!(
        "\nThe static site is in {} (with _headers and headers.txt: the response headers to send).\n\
         For nginx (deploy/nginx/gemini-studio.conf): {}/headers.conf and models.conf; \
         its proxy forwards the models {}.",
        dir.display(),
        nginx_out.display(),
        models.join(", ")
    );
    Ok(())
}

/// The default release build into `dist/`, with its Content Security Policy.
fn build_release(public_url: Option<&str>) -> Result {
    let origins = deploy::DEFAULT_API_ORIGINS.map(str::to_owned);
    deploy::build_site(&deploy::SiteBuild {
        public_url,
        dist: &root().join("dist"),
        api_origins: &origins,
    })
    .map(drop)
}

// ------------------------------------------------------------------ bench

/// Builds the release app (split, as `dist` ships it), the same app unsplit
/// and with the `bench` feature, and runs `e2e/bench/bench.js` in headless
/// Chromium: our paths and the peer paths on the same data, in the same run.
/// `--app DIR` reuses a release build (and then, like `--tiny`, measures no
/// unsplit build).
fn bench(args: &[String]) -> Result {
    setup(Need::Everything)?;
    let out = root().join("target/bench");
    let tiny = flag(args, "--tiny");
    let app = match option(args, "--app") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let origins = deploy::DEFAULT_API_ORIGINS.map(str::to_owned);
            deploy::build_site(&deploy::SiteBuild {
                public_url: None,
                dist: &out.join("app"),
                api_origins: &origins,
            })?;
            out.join("app")
        }
    };
    let unsplit = (!tiny && option(args, "--app").is_none()).then(|| out.join("unsplit"));
    if let Some(dir) = &unsplit {
        step("The same app without the split, to measure beside it (target/bench/unsplit)");
        sh(Command::new("trunk")
            .args(["build", "--release", "--dist"])
            .arg(dir))?;
    }
    // Through the release pipeline (split, std rebuilt, wasm-opt on the split
    // module): the entry points time the code that ships. (Trunk's own output
    // of a module linked with --emit-relocs is not: wasm-opt cannot handle its
    // linking section, and decode measured 1.5-2x slower there.)
    deploy::release_files(&out.join("with-bench"), None, "split,bench")?;
    step(if tiny {
        "Benchmark, tiny sizes (a smoke test: timings mean nothing)"
    } else {
        "Benchmark in headless Chromium"
    });
    let mut node = Command::new("node");
    node.arg("bench/bench.js")
        .arg("--app")
        .arg(&app)
        .arg("--bench")
        .arg(out.join("with-bench"))
        .arg("--out")
        .arg(out.join(if tiny { "tiny.json" } else { "latest.json" }))
        .current_dir(root().join("e2e"))
        .env("CHROMIUM_FLAGS", CHROMIUM_FLAGS.join(" "));
    if tiny {
        node.arg("--tiny");
    }
    if let Some(dir) = &unsplit {
        node.arg("--unsplit").arg(dir);
    }
    if let Some(runs) = option(args, "--runs") {
        node.args(["--runs", &runs]);
    }
    sh(&mut node)
}

// ------------------------------------------------------------------ fuzz

/// A long fuzzing run of every parser (`--cases N` per target, default
/// 200 000; `--seed S`; `--target NAME`). Inputs that fail are kept under
/// `fuzz/regressions/` and replayed by every `cargo xtask test`.
fn fuzz(args: &[String]) -> Result {
    let cases = option(args, "--cases").unwrap_or_else(|| "200000".into());
    let mut cmd = Command::new("cargo");
    cmd.args(["test", "--release", "-p", "fuzz", "--", "--nocapture"])
        .env("FUZZ_CASES", &cases);
    if let Some(seed) = option(args, "--seed") {
        cmd.env("FUZZ_SEED", seed);
    }
    if let Some(target) = option(args, "--target") {
        cmd.env("FUZZ_TARGET", target);
    }
    step(&format!("Fuzzing every parser, {cases} cases per target"));
    sh(&mut cmd)
}

// ------------------------------------------------------------------ test

fn test(args: &[String]) -> Result {
    let started = Instant::now();
    setup(Need::Everything)?;
    let root = root();
    // `--e2e-only deploy,security`: only those end-to-end files, none of the rest.
    let only: Option<Vec<String>> = option(args, "--e2e-only").map(|list| {
        list.split(',')
            .map(|n| n.trim().trim_end_matches(".test.js").to_owned())
            .filter(|n| !n.is_empty())
            .collect()
    });
    let files: Vec<String> = match &only {
        Some(names) => {
            let mut files = Vec::new();
            for n in names {
                let f = format!("tests/{n}.test.js");
                if !root.join("e2e").join(&f).exists() {
                    return Err(format!("--e2e-only: there is no e2e/{f}"));
                }
                files.push(f);
            }
            files
        }
        None => vec!["tests/".to_owned()],
    };

    if only.is_none() {
        checks_and_host_tests()?;
        if flag(args, "--no-e2e") {
            return Ok(());
        }
    }
    // `--reuse-dist`: the release builds of an earlier run (dist/ and the
    // sub-path build), when there are (`cargo xtask run` leaves a dev build in
    // dist/, without a policy: that one is rebuilt).
    let dist = root.join("dist");
    let reuse = flag(args, "--reuse-dist");
    if !(reuse && deploy::dist_policy(&dist).is_ok()) {
        build_release(None)?;
    }
    let mock = build_mock()?;
    if only.is_none() {
        codegen_harness(&mock)?;
    }
    let deploy = deploy::stage::deploy_stage(&mock, &dist, reuse)?;
    step("End-to-end tests: the release build in headless Chromium against the local API server");
    let (_guard, origin) = start_mock(
        &mock,
        &[
            "--static",
            &dist.display().to_string(),
            "--image-scale",
            "8",
            "--require-key",
        ],
    )?;
    sh(Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .current_dir(root.join("e2e"))
        .env("STUDIO_URL", format!("{origin}/"))
        .env("MOCK_URL", &origin)
        .envs(deploy.env())
        .env("CHROMIUM_FLAGS", CHROMIUM_FLAGS.join(" ")))?;
    if only.is_none() {
        bench(&["--tiny".into(), "--app".into(), dist.display().to_string()])?;
    }
    println!(
        "\n{} passed in {:.0} s.",
        if only.is_some() {
            "The end-to-end tests asked for"
        } else {
            "All checks and tests"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The Get code programs (curl, Python with google-genai, node with
/// @google/genai) written for real requests and run against the local API
/// server: `node --test codegen/` in `e2e/`.
fn codegen_harness(mock: &Path) -> Result {
    step("Get code programs run for real: curl, Python (google-genai), node (@google/genai)");
    sh(Command::new("cargo").args(["build", "--release", "-p", "gemini", "--example", "codegen"]))?;
    sh(Command::new("node")
        .args([
            "--test",
            "--test-concurrency=1",
            "--test-reporter=spec",
            "codegen/",
        ])
        .current_dir(root().join("e2e"))
        .env("GEMINI_MOCK_BIN", mock)
        .env(
            "CODEGEN_EXAMPLE_BIN",
            target_dir().join("release/examples/codegen"),
        )
        .env_remove("MOCK_URL"))
}

/// Formatting, lints (host and wasm32), host tests and the wasm tests in Chromium.
fn checks_and_host_tests() -> Result {
    step("Formatting (cargo fmt --check)");
    sh(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))?;

    step("Lints, host (clippy -D warnings)");
    sh(Command::new("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("Lints, wasm32 (clippy -D warnings)");
    sh(Command::new("cargo").args([
        "clippy",
        "-p",
        "studio",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("Host tests: protocol, local API server, formats, xtask, the studio's pure modules");
    sh(Command::new("cargo").args([
        "test",
        "-p",
        "gemini",
        "-p",
        "gemini-mock",
        "-p",
        "formats",
        "-p",
        "xtask",
    ]))?;
    sh(Command::new("cargo").args(["test", "-p", "studio", "--lib"]))?;

    step("Fuzzing, a short run of every parser (cargo xtask fuzz runs a long one)");
    sh(Command::new("cargo").args(["test", "-p", "fuzz"]))?;

    step("Browser tests: wasm-bindgen-test in headless Chromium");
    sh(Command::new("cargo")
        .args(["test", "-p", "studio", "--target", "wasm32-unknown-unknown"])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "180"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }

    #[test]
    fn options_in_both_spellings() {
        let args: Vec<String> = ["--port", "9000", "--upstream=https://x.test"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(option(&args, "--port").as_deref(), Some("9000"));
        assert_eq!(
            option(&args, "--upstream").as_deref(),
            Some("https://x.test")
        );
        assert_eq!(option(&args, "--missing"), None);
    }

    #[test]
    fn the_dev_upstream_is_an_origin() {
        for (given, origin) in [
            ("https://api.cometapi.com", "https://api.cometapi.com"),
            ("https://api.cometapi.com/", "https://api.cometapi.com"),
            (
                "https://generativelanguage.googleapis.com/v1beta/",
                "https://generativelanguage.googleapis.com",
            ),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("http://localhost", "http://localhost"),
        ] {
            assert_eq!(upstream_origin(given).unwrap(), origin);
        }
        for bad in [
            "http://api.example.com",
            "http://localhost.example.com",
            "api.example.com",
            "https://api.example.com/other",
            "https://api.example.com; return 200",
            "https://",
        ] {
            assert!(upstream_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lockfile_pins_wasm_bindgen() {
        let v = locked_wasm_bindgen().unwrap();
        let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={v}\"")),
            "Cargo.toml must pin wasm-bindgen to the locked {v}"
        );
        let trunk = fs::read_to_string(root().join("Trunk.toml")).unwrap();
        assert!(trunk.contains(&format!("wasm_bindgen = \"{v}\"")));
    }
}
