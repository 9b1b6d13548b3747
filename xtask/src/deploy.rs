//! Deployment: the static build with its Content Security Policy (`dist`), and
//! the test stage that serves builds through Debian's nginx using the shipped
//! `deploy/nginx/gemini-studio.conf`.

use std::env;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::{root, sh, start_mock, step, write_private, Guard, Result};

/// The API origins a default build may connect to besides its own (the ones
/// the page suggests). `--api-origin` replaces them.
pub const DEFAULT_API_ORIGINS: [&str; 2] = [
    "https://api.cometapi.com",
    "https://generativelanguage.googleapis.com",
];

/// The sub-path the end-to-end tests serve a build under.
pub const TEST_SUB_PATH: &str = "/tools/studio/";

// ------------------------------------------------------------------ build

/// What a static build is for.
pub struct SiteBuild<'a> {
    /// `--public-url`: where the site lives (`/` or `/tools/studio/`).
    pub public_url: Option<&'a str>,
    /// The folder to write (replaced).
    pub dist: &'a Path,
    /// Origins `connect-src` allows besides `'self'`.
    pub api_origins: &'a [String],
}

/// `trunk build --release`, then the Content Security Policy into index.html.
pub fn build_site(site: &SiteBuild) -> Result {
    step(&format!(
        "Release build into {} (trunk build --release{})",
        site.dist.display(),
        site.public_url
            .map(|u| format!(" --public-url {u}"))
            .unwrap_or_default()
    ));
    let mut cmd = Command::new("trunk");
    cmd.args(["build", "--release"])
        .arg("--dist")
        .arg(site.dist);
    if let Some(url) = site.public_url {
        cmd.args(["--public-url", url]);
    }
    sh(&mut cmd)?;
    let policy = write_csp(&site.dist.join("index.html"), site.api_origins)?;
    println!("Content-Security-Policy: {policy}");
    Ok(())
}

/// The API origins from `--api-origin` (repeatable; `self` for none besides
/// the page's own), or the defaults.
pub fn api_origins(args: &[String]) -> Result<Vec<String>> {
    let given: Vec<&String> = args
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            if a == "--api-origin" {
                args.get(i + 1)
            } else {
                None
            }
        })
        .chain(args.iter().filter(|a| a.starts_with("--api-origin=")))
        .collect();
    if given.is_empty() {
        return Ok(DEFAULT_API_ORIGINS.map(str::to_owned).to_vec());
    }
    let mut out = Vec::new();
    for g in given {
        let g = g.strip_prefix("--api-origin=").unwrap_or(g);
        for o in g.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            if o == "self" || o == "none" {
                continue;
            }
            let o = check_origin(o)?;
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    Ok(out)
}

/// An origin fit for a policy: `https://host[:port]` (or `http://` for this
/// computer), nothing that could end or extend a directive.
fn check_origin(o: &str) -> Result<String> {
    let o = o.trim_end_matches('/').to_ascii_lowercase();
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
        .ok_or_else(|| format!("--api-origin {o}: give https://host[:port]"))?;
    let ok = !rest.is_empty()
        && rest.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*' | b'[' | b']')
        });
    if ok {
        Ok(o)
    } else {
        Err(format!(
            "--api-origin {o}: an origin is scheme://host[:port], without a path"
        ))
    }
}

// ------------------------------------------------------------------ CSP

/// The policy for a page whose inline scripts hash to `script_hashes`.
///
/// Scripts: the page's own files, Trunk's inline loader by its hash, and
/// WebAssembly compilation. No `'unsafe-inline'`, no `'unsafe-eval'`.
/// Styles: the page's own files; `<style>` elements are allowed only because
/// Google's search suggestions (`renderedContent`, shown in a sandboxed
/// `srcdoc` frame, which inherits this policy) carry one. Style attributes stay
/// blocked. `frame-ancestors` cannot be set from a `<meta>`: the server sends
/// it (see deploy/nginx/gemini-studio.conf). Connections: this site, the
/// page's own `blob:` images, and the API origins given.
pub fn csp_policy(script_hashes: &[String], api_origins: &[String]) -> String {
    let mut script = vec!["'self'".to_owned()];
    script.extend(script_hashes.iter().map(|h| format!("'sha256-{h}'")));
    script.push("'wasm-unsafe-eval'".into());
    // blob: is the page's own images in memory (reading one back never leaves
    // the browser); the rest is where requests may go.
    let mut connect = vec!["'self'".to_owned(), "blob:".to_owned()];
    connect.extend(api_origins.iter().cloned());
    [
        "default-src 'none'".to_owned(),
        format!("script-src {}", script.join(" ")),
        "style-src 'self'".into(),
        "style-src-elem 'self' 'unsafe-inline'".into(),
        "img-src 'self' blob: data:".into(),
        format!("connect-src {}", connect.join(" ")),
        "manifest-src 'self'".into(),
        "base-uri 'self'".into(),
        "form-action 'none'".into(),
        "object-src 'none'".into(),
    ]
    .join("; ")
}

/// The text of each inline `<script>` (those without `src`), as the browser
/// hashes it.
pub fn inline_scripts(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let start = at + i;
        let Some(tag_end) = lower[start..].find('>').map(|j| start + j + 1) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|j| tag_end + j) else {
            break;
        };
        let tag = &lower[start..tag_end];
        if !tag.contains(" src=") {
            // The HTML parser turns CRLF into LF before the browser hashes.
            out.push(html[tag_end..close].replace("\r\n", "\n"));
        }
        at = close;
    }
    out
}

/// Writes the policy into `index.html` as a `<meta>` right after the charset
/// (replacing one written before) and returns it.
pub fn write_csp(index: &Path, api_origins: &[String]) -> Result<String> {
    let html = fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let (html, policy) = with_csp(&html, api_origins)?;
    fs::write(index, html).map_err(|e| format!("{}: {e}", index.display()))?;
    Ok(policy)
}

pub fn with_csp(html: &str, api_origins: &[String]) -> Result<(String, String)> {
    let mut html = html.to_owned();
    let marker = "<meta http-equiv=\"Content-Security-Policy\"";
    if let Some(i) = html.find(marker) {
        if let Some(j) = html[i..].find('>') {
            // With the line break and indent written before it.
            let from = html[..i].trim_end_matches([' ', '\t']).len();
            let from = if html[..from].ends_with('\n') {
                from - 1
            } else {
                from
            };
            html.replace_range(from..i + j + 1, "");
        }
    }
    let scripts = inline_scripts(&html);
    if scripts.is_empty() {
        return Err("index.html has no inline loader script: is this Trunk's output?".into());
    }
    let hashes: Vec<String> = scripts
        .iter()
        .map(|s| base64(&sha256(s.as_bytes())))
        .collect();
    let policy = csp_policy(&hashes, api_origins);
    let meta = format!("\n    {marker} content=\"{policy}\" />");
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("<meta charset")
        .or_else(|| lower.find("<head"))
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1))
        .ok_or("index.html has no <head>")?;
    html.insert_str(at, &meta);
    Ok((html, policy))
}

/// SHA-256 (FIPS 180-4).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ------------------------------------------------------------------ nginx

/// nginx serving builds for the end-to-end tests, in front of its own local
/// API server; stopped (gracefully, with its worker) when dropped.
pub struct DeployStage {
    nginx: Child,
    _mock: Guard,
    env: Vec<(String, String)>,
    /// This run's nginx prefix and site, removed when the stage stops.
    dir: PathBuf,
}

impl DeployStage {
    /// What the end-to-end tests need to know about it.
    pub fn env(&self) -> Vec<(String, String)> {
        self.env.clone()
    }
}

impl Drop for DeployStage {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its worker; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .args(["-TERM", &self.nginx.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.nginx.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
        if let Ok(None) = self.nginx.try_wait() {
            let _ = self.nginx.kill();
            let _ = self.nginx.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn nginx_bin() -> Option<PathBuf> {
    let sbin = PathBuf::from("/usr/sbin/nginx");
    if sbin.exists() {
        return Some(sbin);
    }
    env::var("PATH").ok().and_then(|path| {
        path.split(':')
            .map(|p| Path::new(p).join("nginx"))
            .find(|p| p.exists())
    })
}

/// Whether nginx is installed (the set-up installs Debian's when it is not).
pub fn have_nginx() -> bool {
    nginx_bin().is_some()
}

/// The shipped configuration with its `# EDIT` lines replaced.
pub fn site_conf(shipped: &str, edits: &[(&str, String)]) -> Result<String> {
    let mut out = String::new();
    let mut done = vec![0; edits.len()];
    for line in shipped.lines() {
        let hit = edits
            .iter()
            .position(|(name, _)| line.contains(&format!("# EDIT {name}")));
        match hit {
            Some(i) => {
                let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
                out.push_str(&format!("{indent}{}    # (cargo xtask test)\n", edits[i].1));
                done[i] += 1;
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for (i, (name, _)) in edits.iter().enumerate() {
        if done[i] != 1 {
            return Err(format!(
                "deploy/nginx/gemini-studio.conf must have exactly one line marked \"# EDIT {name}\" (found {})",
                done[i]
            ));
        }
    }
    Ok(out)
}

fn q(p: &Path) -> String {
    format!("\"{}\"", p.display())
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Builds what nginx serves, starts a local API server that wants a key and
/// nginx in front of it (the shipped config, on loopback), and waits until it
/// answers. `dist` is the default build, served at `/`; a build for
/// [`TEST_SUB_PATH`] is made and served there.
pub fn deploy_stage(mock_bin: &Path, dist: &Path) -> Result<DeployStage> {
    let nginx = nginx_bin().ok_or("nginx is not installed (cargo xtask setup installs it)")?;
    let root = root();
    // One folder per run, so two runs in one checkout do not pull each
    // other's site away; screenshots are kept beside them.
    let prefix = root
        .join("target/e2e-deploy")
        .join(format!("run-{}", std::process::id()));
    let shots = root.join("target/e2e-deploy/screenshots");
    let www = prefix.join("www");
    let _ = fs::remove_dir_all(&prefix);
    for dir in [
        prefix.join("conf"),
        prefix.join("logs"),
        prefix.join("tmp"),
        shots.clone(),
    ] {
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    copy_dir(dist, &www)?;
    let sub = www.join(TEST_SUB_PATH.trim_matches('/'));
    build_site(&SiteBuild {
        public_url: Some(TEST_SUB_PATH),
        dist: &sub,
        api_origins: &[],
    })?;
    let banner = |where_: &str| {
        format!(
            "{{\n  \"proxyHoldsKey\": true,\n  \"banner\": \"Served {where_} through nginx: the proxy adds the API key.\"\n}}\n"
        )
    };
    fs::write(www.join("config.json"), banner("from /")).map_err(|e| e.to_string())?;
    fs::write(
        sub.join("config.json"),
        banner(&format!("from {TEST_SUB_PATH}")),
    )
    .map_err(|e| e.to_string())?;

    step("Starting nginx (deploy/nginx/gemini-studio.conf) in front of a local API server");
    let (mock, mock_origin) = start_mock(mock_bin, &["--require-key", "--quiet"])?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let key = format!("nginx-held-key-{nanos:x}");
    let key_file = prefix.join("conf/gemini-api-key.conf");
    write_private(
        &key_file,
        &format!("proxy_set_header x-goog-api-key \"{key}\";\n"),
    )?;
    let port = free_port()?;
    let shipped = fs::read_to_string(root.join("deploy/nginx/gemini-studio.conf"))
        .map_err(|e| format!("deploy/nginx/gemini-studio.conf: {e}"))?;
    let site = site_conf(
        &shipped,
        &[
            ("listen", format!("listen 127.0.0.1:{port};")),
            ("root", format!("root {};", q(&www))),
            ("key", format!("include {};", q(&key_file))),
            ("upstream", format!("proxy_pass {mock_origin};")),
        ],
    )?;
    fs::write(prefix.join("conf/gemini-studio.conf"), site).map_err(|e| e.to_string())?;
    let mime = ["/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .ok_or("nginx's mime.types not found")?;
    // As root, nginx would run its worker as `nobody`, who may not be able to
    // read a checkout under /root: keep it root (loopback, tests only).
    let user = if crate::output("id", &["-u"]).as_deref() == Some("0") {
        "user root;\n"
    } else {
        ""
    };
    let tmp = |name: &str| q(&prefix.join("tmp").join(name));
    let main = format!(
        "# Written by `cargo xtask test`: the shipped site config on loopback.\n\
         {user}worker_processes 1;\n\
         pid {pid};\n\
         error_log {log} warn;\n\
         events {{ worker_connections 128; }}\n\
         http {{\n\
         \x20   include {mime};\n\
         \x20   default_type application/octet-stream;\n\
         \x20   access_log {access};\n\
         \x20   sendfile on;\n\
         \x20   client_body_temp_path {cb};\n\
         \x20   proxy_temp_path {px};\n\
         \x20   fastcgi_temp_path {fc};\n\
         \x20   uwsgi_temp_path {uw};\n\
         \x20   scgi_temp_path {sc};\n\
         \x20   include {site};\n\
         }}\n",
        pid = q(&prefix.join("nginx.pid")),
        log = q(&prefix.join("logs/error.log")),
        access = q(&prefix.join("logs/access.log")),
        cb = tmp("client_body"),
        px = tmp("proxy"),
        fc = tmp("fastcgi"),
        uw = tmp("uwsgi"),
        sc = tmp("scgi"),
        site = q(&prefix.join("conf/gemini-studio.conf")),
    );
    let conf = prefix.join("conf/nginx.conf");
    fs::write(&conf, main).map_err(|e| e.to_string())?;
    let mut child = Command::new(&nginx)
        .arg("-p")
        .arg(&prefix)
        .arg("-e")
        .arg(prefix.join("logs/error.log"))
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", nginx.display()))?;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = fs::read_to_string(prefix.join("logs/error.log")).unwrap_or_default();
            let _ = fs::remove_dir_all(&prefix);
            return Err(format!("nginx exited ({status}):\n{log}"));
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let _ = fs::remove_dir_all(&prefix);
            return Err("nginx did not start listening within 15 s".into());
        }
        thread::sleep(Duration::from_millis(50));
    }
    let url = format!("http://127.0.0.1:{port}");
    println!("nginx on {url}/ and {url}{TEST_SUB_PATH} -> {mock_origin} (key added by nginx)");
    Ok(DeployStage {
        nginx: child,
        _mock: mock,
        env: vec![
            ("NGINX_URL".into(), url),
            ("NGINX_SUB_PATH".into(), TEST_SUB_PATH.into()),
            ("NGINX_MOCK_URL".into(), mock_origin),
            ("NGINX_API_KEY".into(), key),
            ("SCREENSHOT_DIR".into(), shots.display().to_string()),
        ],
        dir: prefix,
    })
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha256_and_base64_match_the_standards() {
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let long = vec![b'a'; 1000];
        assert_eq!(
            hex(&sha256(&long)),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        // The form a CSP hash takes.
        assert_eq!(
            base64(&sha256(b"abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    const TRUNK_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\" />\n    <title>t</title>\n<script type=\"module\">\nimport init from '/a.js';\nawait init();\n</script>\n  <link rel=\"modulepreload\" href=\"/a.js\"><script src=\"/x.js\"></script></head>\n  <body></body>\n</html>";

    #[test]
    fn the_policy_hashes_the_inline_loader_and_nothing_unsafe() {
        let scripts = inline_scripts(TRUNK_PAGE);
        assert_eq!(
            scripts,
            vec!["\nimport init from '/a.js';\nawait init();\n"]
        );
        let origins = vec!["https://api.example".to_owned()];
        let (html, policy) = with_csp(TRUNK_PAGE, &origins).unwrap();
        let hash = base64(&sha256(scripts[0].as_bytes()));
        assert!(policy.contains(&format!(
            "script-src 'self' 'sha256-{hash}' 'wasm-unsafe-eval'"
        )));
        assert!(policy.contains("connect-src 'self' blob: https://api.example;"));
        assert!(policy.contains("img-src 'self' blob: data:"));
        assert!(policy.contains("object-src 'none'"));
        assert!(policy.contains("base-uri 'self'"));
        let script_src = policy
            .split("; ")
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
        assert!(policy.contains("style-src 'self';"));
        // Right after the charset, before any script; written once even if run twice.
        let meta = html.find("Content-Security-Policy").unwrap();
        assert!(html.find("<meta charset").unwrap() < meta);
        assert!(meta < html.find("<script").unwrap());
        let (again, _) = with_csp(&html, &origins).unwrap();
        assert_eq!(again, html);
        assert!(with_csp("<html><head></head></html>", &origins).is_err());
    }

    #[test]
    fn api_origins_are_checked() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(api_origins(&args(&[])).unwrap().len(), 2);
        assert!(api_origins(&args(&["--api-origin", "self"]))
            .unwrap()
            .is_empty());
        assert_eq!(
            api_origins(&args(&[
                "--api-origin",
                "https://A.example/",
                "--api-origin=https://b.example:8443"
            ]))
            .unwrap(),
            vec!["https://a.example", "https://b.example:8443"]
        );
        for bad in [
            "https://a.example/v1beta",
            "https://a.example; script-src *",
            "ftp://a",
            "a.example",
        ] {
            assert!(api_origins(&args(&["--api-origin", bad])).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shipped_nginx_config_has_each_edit_line_once() {
        let shipped = fs::read_to_string(root().join("deploy/nginx/gemini-studio.conf")).unwrap();
        let out = site_conf(
            &shipped,
            &[
                ("listen", "listen 127.0.0.1:1;".into()),
                ("root", "root \"/w\";".into()),
                ("key", "include \"/k\";".into()),
                ("upstream", "proxy_pass http://127.0.0.1:2;".into()),
            ],
        )
        .unwrap();
        assert!(out.contains("    listen 127.0.0.1:1;"));
        assert!(out.contains("proxy_pass http://127.0.0.1:2;"));
        assert!(!out.contains("api.cometapi.com;"));
        // What the deployment promises: big bodies, long waits, no buffering caps.
        for d in [
            "client_max_body_size 160m;",
            "proxy_request_buffering off;",
            "proxy_buffering off;",
            "proxy_read_timeout 600s;",
            "proxy_send_timeout 600s;",
            "frame-ancestors 'none'",
            "proxy_set_header Authorization \"\";",
        ] {
            assert!(out.contains(d), "{d}");
        }
        assert!(site_conf("listen 80;\n", &[("listen", "x".into())]).is_err());
    }
}
