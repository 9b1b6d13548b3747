//! Deployment: the static build with its Content Security Policy and the
//! response headers every host should send (`dist`), the nginx includes the
//! shipped `deploy/nginx/gemini-studio.conf` reads (the headers and the models
//! its proxy forwards), and the nginx stages: the one the end-to-end tests run
//! ([`stage`]) and the one behind `cargo xtask run` ([`nginx::dev_proxy`]).

pub mod json;
pub mod nginx;
pub mod stage;

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{sh, step, Result};

/// The API origins a default build may connect to besides its own (the ones
/// the page suggests). `--api-origin` replaces them.
pub const DEFAULT_API_ORIGINS: [&str; 2] = [
    "https://api.cometapi.com",
    "https://generativelanguage.googleapis.com",
];

/// The models the studio offers when `config.json` lists none (the ids of
/// `gemini::models::MODELS`, checked by a test): the proxy's allow-list then.
pub const DEFAULT_MODELS: [&str; 3] = [
    "gemini-3.1-flash-image-preview",
    "gemini-3-pro-image-preview",
    "gemini-2.5-flash-image",
];

/// The sub-path the end-to-end tests serve a build under.
pub const TEST_SUB_PATH: &str = "/tools/studio/";

/// Where `cargo xtask dist` writes the nginx includes (under the repository).
pub const NGINX_OUT: &str = "target/dist-nginx";

/// Debian's CA bundle (package ca-certificates), which the shipped proxy
/// verifies the API's certificate against.
pub const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

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

/// The release build with its Content Security Policy and the header files
/// beside it (`_headers`, `headers.txt`): [`release_files`], then the policy
/// into index.html, the service worker's file list, the headers, and last
/// the precompressed copies ([`crate::precompress`]). Returns the policy.
pub fn build_site(site: &SiteBuild) -> Result<String> {
    release_files(site.dist, site.public_url, "split")?;
    let policy = write_csp(&site.dist.join("index.html"), site.api_origins)?;
    write_service_worker(site.dist)?;
    write_static_headers(site.dist, site.public_url.unwrap_or("/"), &policy)?;
    step("Precompressed copies (.gz, Zopfli) of the files the page loads");
    let (raw, packed) = crate::precompress::write(site.dist)?;
    println!("{raw} bytes as {packed} bytes of gzip");
    println!("Content-Security-Policy: {policy}");
    Ok(policy)
}

/// `trunk build --release --features FEATURES` (which must include `split`)
/// in the release environment, the split step (the code loaded on first use
/// into wasm chunks, see [`crate::split`]), the JS minified and the CSS in one
/// file ([`crate::bundle`]), every `integrity` recomputed. Also the
/// benchmark's build with its entry points (`split,bench`): the same
/// pipeline, so it measures the code that ships.
pub fn release_files(dist: &Path, public_url: Option<&str>, features: &str) -> Result {
    crate::split::setup()?;
    step(&format!(
        "Release build into {} (trunk build --release --features {features}{})",
        dist.display(),
        public_url
            .map(|u| format!(" --public-url {u}"))
            .unwrap_or_default()
    ));
    let mut cmd = Command::new("trunk");
    cmd.args(["build", "--release", "--features", features])
        .arg("--dist")
        .arg(dist);
    crate::split::release_env(&mut cmd);
    if let Some(url) = public_url {
        cmd.args(["--public-url", url]);
    }
    sh(&mut cmd)?;
    crate::split::apply(dist, &crate::root().join("index.html"))?;
    crate::bundle::one_css(dist)?;
    crate::bundle::compact_html(dist)?;
    crate::bundle::fix_integrity(dist)
}

/// The API origins from `--api-origin` (repeatable; `self` for none besides
/// the page's own), or the defaults.
pub fn api_origins(args: &[String]) -> Result<Vec<String>> {
    let mut given: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--api-origin" {
            given.push(
                it.next()
                    .ok_or("--api-origin needs a value: an origin, or self")?,
            );
        } else if let Some(v) = a.strip_prefix("--api-origin=") {
            given.push(v);
        }
    }
    if given.is_empty() {
        return Ok(DEFAULT_API_ORIGINS.map(str::to_owned).to_vec());
    }
    let mut out = Vec::new();
    for g in given {
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

/// The hosts an `http://` origin may name: this computer only.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// An origin fit for `connect-src`: `https://host[:port]`, or `http://` for
/// this computer (localhost, 127.0.0.1, [::1]). No wildcard (the key would be
/// allowed to go anywhere it matches), no path, nothing that could end or
/// extend a directive.
fn check_origin(given: &str) -> Result<String> {
    let o = given.trim_end_matches('/').to_ascii_lowercase();
    if o.contains('*') {
        return Err(format!(
            "--api-origin {given}: wildcards are not allowed; name each origin the page may send requests (and keys) to, e.g. https://api.example.com"
        ));
    }
    let shape = || {
        format!(
            "--api-origin {given}: an origin is https://host[:port], without a path, query or user name (e.g. https://generativelanguage.googleapis.com)"
        )
    };
    let (https, rest) = if let Some(rest) = o.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = o.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(shape());
    };
    let (host, port) = if rest.starts_with('[') {
        let end = rest.find(']').ok_or_else(shape)? + 1;
        (&rest[..end], &rest[end..])
    } else {
        match rest.rfind(':') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner.strip_suffix(']').is_some_and(|a| {
            !a.is_empty()
                && a.bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        })
    } else {
        !host.is_empty()
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-'])
            && !host.contains("..")
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    if !port_ok || !host_ok {
        return Err(shape());
    }
    if !https && !LOOPBACK_HOSTS.contains(&host) {
        return Err(format!(
            "--api-origin {given}: http:// is only for this computer (localhost, 127.0.0.1, [::1]); elsewhere the key would travel unencrypted: use https://"
        ));
    }
    Ok(o)
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
/// The script of the search suggestions' frame, as the app writes it into the
/// frame (`src/components/turn/sources.rs` includes the same file).
pub const SUGGESTIONS_FRAME_SCRIPT: &str = include_str!("../../assets/suggestions-frame.js");

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
        // No inline style anywhere: the search suggestions' styles are applied
        // through CSSOM in their frame.
        "style-src 'self'".into(),
        "img-src 'self' blob: data:".into(),
        format!("connect-src {}", connect.join(" ")),
        "manifest-src 'self'".into(),
        // The service worker (sw.js, this site's own file): offline use.
        "worker-src 'self'".into(),
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
    let mut hashes: Vec<String> = scripts
        .iter()
        .map(|s| base64(&sha256(s.as_bytes())))
        .collect();
    // The search suggestions' frame (a srcdoc frame, which inherits this
    // policy) runs this one script, written into it by the app.
    hashes.push(base64(&sha256(SUGGESTIONS_FRAME_SCRIPT.as_bytes())));
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

// ------------------------------------------------------------ service worker

/// How the line of `sw.js` that holds the build's file list ends (in the
/// source it is `const BUILD = null;`).
pub const SW_MARK: &str = "// written by cargo xtask dist";

/// Files of the output folder that are not part of the app shell: the worker
/// itself, the header files, and config.json (read from the network).
const NOT_SHELL: [&str; 4] = ["sw.js", "_headers", "headers.txt", "config.json"];

/// The shell's files of a build (paths relative to the output folder, `/`
/// separated, sorted) with their contents.
pub fn shell_files(dist: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) -> Result {
        let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let rel = format!("{prefix}{name}");
            // The folder's own files, and precompressed copies (the same
            // files in another encoding), are not the shell.
            let not_shell = prefix.is_empty() && NOT_SHELL.contains(&name.as_str());
            if path.is_dir() {
                walk(&path, &format!("{rel}/"), out)?;
            } else if !(not_shell || name.ends_with(".gz")) {
                let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                out.push((rel, bytes));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dist, "", &mut out)?;
    out.sort();
    Ok(out)
}

/// `sw.js` with this build's version (a hash of every shell file) and file
/// list in place of its placeholder (or of a list written before).
pub fn with_build(sw: &str, files: &[(String, Vec<u8>)]) -> Result<String> {
    let mut all = Vec::new();
    for (name, bytes) in files {
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        all.extend_from_slice(&sha256(bytes));
    }
    let version: String = sha256(&all)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let list: Vec<String> = files
        .iter()
        .map(|(n, _)| format!("\"{}\"", n.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    let line = format!(
        "const BUILD = {{ version: \"{version}\", files: [{}] }}; {SW_MARK}",
        list.join(", ")
    );
    let at = sw
        .lines()
        .find(|l| l.starts_with("const BUILD = ") && l.ends_with(SW_MARK))
        .ok_or("sw.js has no `const BUILD = …` line for the build's file list")?;
    Ok(sw.replacen(at, &line, 1))
}

/// Writes the build's file list into `dist/sw.js`.
pub fn write_service_worker(dist: &Path) -> Result {
    let path = dist.join("sw.js");
    let sw = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let files = shell_files(dist)?;
    if !files.iter().any(|(n, _)| n == "index.html") {
        return Err(format!("{}: no index.html", dist.display()));
    }
    fs::write(&path, with_build(&sw, &files)?).map_err(|e| format!("{}: {e}", path.display()))
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

// ------------------------------------------------------------------ headers

/// Everything the studio does not use is denied. The clipboard stays allowed
/// for the page itself: pasting images (Ctrl/Cmd+V) reads the `paste` event,
/// which needs no permission, but a copy or paste button reads and writes
/// through `navigator.clipboard`, which `clipboard-read` and `clipboard-write`
/// govern. Every feature here is one Chromium knows (an unknown one only
/// makes a console warning; the end-to-end test checks there is none), on the
/// platforms that have it: Chromium on Linux does not know `web-share` and
/// `bluetooth`, which stay denied for the platforms that have them.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), bluetooth=(), browsing-topics=(), camera=(), \
clipboard-read=(self), clipboard-write=(self), display-capture=(), encrypted-media=(), fullscreen=(), \
gamepad=(), geolocation=(), gyroscope=(), hid=(), identity-credentials-get=(), idle-detection=(), \
local-fonts=(), magnetometer=(), microphone=(), midi=(), otp-credentials=(), payment=(), \
picture-in-picture=(), publickey-credentials-create=(), publickey-credentials-get=(), \
screen-wake-lock=(), serial=(), storage-access=(), sync-xhr=(), usb=(), web-share=(), \
window-management=(), xr-spatial-tracking=()";

/// The response headers for every file of a build whose `<meta>` policy is
/// `policy`: one list, written as `_headers`, `headers.txt` and nginx's
/// `headers.conf`. The header policy is the page's own plus `frame-ancestors
/// 'none'`, which only works as a header: the page cannot be framed.
pub fn security_headers(policy: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "Content-Security-Policy",
            format!("{policy}; frame-ancestors 'none'"),
        ),
        ("X-Frame-Options", "DENY".into()),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
        ("Permissions-Policy", PERMISSIONS_POLICY.into()),
        ("Cross-Origin-Opener-Policy", "same-origin".into()),
    ]
}

/// `_headers` for Netlify and Cloudflare Pages: the list for every path under
/// the public URL.
pub fn netlify_headers(public_url: &str, headers: &[(&str, String)]) -> String {
    let mut out = String::from(
        "# Response headers for Netlify and Cloudflare Pages, written by `cargo xtask dist`\n\
         # for this build (the policy holds the hashes of its inline scripts): the same\n\
         # list as headers.txt and nginx's headers.conf. Deploy it with the build.\n",
    );
    let base = if public_url.ends_with('/') {
        public_url.to_owned()
    } else {
        format!("{public_url}/")
    };
    out.push_str(&format!("{base}*\n"));
    for (name, value) in headers {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out
}

/// `headers.txt`: the same list, one `Name: value` a line, for any other host.
pub fn headers_txt(headers: &[(&str, String)]) -> String {
    let mut out = String::from(
        "# The response headers to send with every file of this build (index.html,\n\
         # config.json, scripts, wasm, styles, images), written by `cargo xtask dist`.\n\
         # One \"Name: value\" a line; lines starting with # are comments. The\n\
         # Content-Security-Policy holds the hashes of this build's inline scripts:\n\
         # use the file of the build you deploy. dist/_headers holds the same list\n\
         # for Netlify and Cloudflare Pages; nginx: target/dist-nginx/headers.conf.\n",
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out
}

/// nginx's `headers.conf`: the same list as `add_header` lines (`always`, so
/// error answers carry them too).
pub fn nginx_headers_conf(headers: &[(&str, String)]) -> Result<String> {
    let mut out = String::from(
        "# Written by `cargo xtask dist` for the build it wrote: the response headers of\n\
         # every answer (the same list as dist/_headers and dist/headers.txt), included\n\
         # by gemini-studio.conf (\"EDIT headers\"). Copy it with each new build.\n",
    );
    for (name, value) in headers {
        if value.contains(['"', '\\', '$', '\n', '\r']) {
            return Err(format!(
                "the {name} header cannot be written for nginx: {value}"
            ));
        }
        out.push_str(&format!("add_header {name} \"{value}\" always;\n"));
    }
    Ok(out)
}

/// Writes `_headers` and `headers.txt` into a build, for its `<meta>` policy.
pub fn write_static_headers(dist: &Path, public_url: &str, policy: &str) -> Result {
    let headers = security_headers(policy);
    let write = |name: &str, text: String| {
        let path = dist.join(name);
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("_headers", netlify_headers(public_url, &headers))?;
    write("headers.txt", headers_txt(&headers))
}

/// The policy a build's `index.html` carries in its `<meta>`.
pub fn read_csp(html: &str) -> Option<String> {
    let marker = "<meta http-equiv=\"Content-Security-Policy\" content=\"";
    let start = html.find(marker)? + marker.len();
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_owned())
}

/// The policy of the build in `dist` (written by [`build_site`]).
pub fn dist_policy(dist: &Path) -> Result<String> {
    let index = dist.join("index.html");
    let html = fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    read_csp(&html).ok_or_else(|| {
        format!(
            "{} has no Content-Security-Policy <meta>: build it with `cargo xtask dist`",
            index.display()
        )
    })
}

/// The public URL a build was made for: its `<base href>` (Trunk writes it).
pub fn read_base_href(html: &str) -> Option<String> {
    let start = html.find("<base href=\"")? + "<base href=\"".len();
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_owned()).filter(|u| u.starts_with('/'))
}

/// The public URL of the build in `dist`.
pub fn dist_public_url(dist: &Path) -> Result<String> {
    let index = dist.join("index.html");
    let html = fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    read_base_href(&html).ok_or_else(|| {
        format!(
            "{} has no <base href=\"/…\">: give --public-url",
            index.display()
        )
    })
}

// ------------------------------------------------------------------ models

/// The `models` of a `config.json` (`None` when it lists none), each checked
/// the way the page checks a model id. The rest of the file is the page's to
/// check; it only has to be a JSON object.
pub fn config_models(text: &str) -> Result<Option<Vec<String>>> {
    let value = json::parse(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    if !matches!(value, json::Json::Obj(_)) {
        return Err(
            "it must be a JSON object, like {\"models\": [\"gemini-3.1-flash-image-preview\"]}"
                .into(),
        );
    }
    let Some(models) = value.get("models") else {
        return Ok(None);
    };
    let json::Json::Arr(list) = models else {
        return Err("\"models\" must be a list of model ids".into());
    };
    if list.is_empty() {
        return Err("\"models\" must list at least one model".into());
    }
    let mut out: Vec<String> = Vec::new();
    for m in list {
        let json::Json::Str(id) = m else {
            return Err("\"models\" must be a list of model ids".into());
        };
        if !is_model_id(id) {
            return Err(format!(
                "\"models\": \"{id}\" is not a model id (letters, digits, '.', '-' and '_', at most 128)"
            ));
        }
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    Ok(Some(out))
}

/// The rule of `gemini::models::is_valid_model_id`, and of the proxy's route.
fn is_model_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// nginx's `models.conf`: `$gemini_model_allowed` is 1 for exactly these ids
/// (case-sensitive regular expressions: nginx's plain map keys ignore case),
/// and `$gemini_models_offered` lists them for the proxy's 404 message.
pub fn nginx_models_conf(models: &[String]) -> Result<String> {
    let mut out = String::from(
        "# Written by `cargo xtask dist` from the \"models\" of config.json (or the studio's\n\
         # built-in list): the only models this site's proxy forwards. Included by\n\
         # gemini-studio.conf (\"EDIT models\"); change config.json and run dist again.\n\
         map $gemini_model $gemini_model_allowed {\n    default 0;\n",
    );
    if models.is_empty() {
        return Err("the proxy needs at least one model to forward".into());
    }
    for m in models {
        if !is_model_id(m) {
            return Err(format!("\"{m}\" is not a model id"));
        }
        out.push_str(&format!("    \"~^{}$\" 1;\n", m.replace('.', "\\.")));
    }
    out.push_str(&format!(
        "}}\nmap $host $gemini_models_offered {{\n    default \"{}\";\n}}\n",
        models.join(", ")
    ));
    Ok(out)
}

/// Writes nginx's `headers.conf` and `models.conf` into `dir`.
pub fn write_nginx_includes(dir: &Path, policy: &str, models: &[String]) -> Result {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(
        "headers.conf",
        nginx_headers_conf(&security_headers(policy))?,
    )?;
    write("models.conf", nginx_models_conf(models)?)
}

/// The default model list, owned.
pub fn default_models() -> Vec<String> {
    DEFAULT_MODELS.map(str::to_owned).to_vec()
}

/// nginx's key include: `proxy_set_header x-goog-api-key "KEY";`. A key nginx
/// could not hold as written (quotes, `$`, spaces …) is refused.
pub fn key_conf(key: &str) -> Result<String> {
    let ok = !key.is_empty()
        && key.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\' | b'$' | b';' | b'{' | b'}')
        });
    if ok {
        Ok(format!("proxy_set_header x-goog-api-key \"{key}\";\n"))
    } else {
        Err("the API key holds characters nginx cannot take in its configuration (spaces, quotes, '$', ';', braces): check the key".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::root;

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
    fn the_service_worker_gets_the_builds_files_and_a_version() {
        let sw = include_str!("../../pwa/sw.js");
        let placeholder = format!("const BUILD = null; {SW_MARK}");
        assert!(sw.contains(&placeholder));
        let files = vec![
            ("index.html".to_owned(), b"<html>".to_vec()),
            ("studio-1.wasm".to_owned(), vec![0, 97, 115, 109]),
        ];
        let built = with_build(sw, &files).unwrap();
        assert!(!built.contains(&placeholder));
        let line = built
            .lines()
            .find(|l| l.starts_with("const BUILD"))
            .unwrap();
        assert!(
            line.contains(r#"files: ["index.html", "studio-1.wasm"]"#),
            "{line}"
        );
        // Written again (--no-build), the same; another file, another version.
        assert_eq!(with_build(&built, &files).unwrap(), built);
        let mut other = files.clone();
        other[1].1.push(1);
        assert_ne!(with_build(sw, &other).unwrap(), built);
        assert!(with_build("no list here", &files).is_err());
        // The output folder's own files are not the shell.
        let dir = std::env::temp_dir().join(format!("sw-shell-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("assets")).unwrap();
        for f in [
            "index.html",
            "sw.js",
            "_headers",
            "headers.txt",
            "config.json",
            "index.html.gz",
            "assets/a.js",
        ] {
            fs::write(dir.join(f), f).unwrap();
        }
        let names: Vec<String> = shell_files(&dir)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, vec!["assets/a.js", "index.html"]);
        let _ = fs::remove_dir_all(&dir);
    }

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
        // The page's inline scripts, then the search suggestions' frame script.
        let frame = base64(&sha256(SUGGESTIONS_FRAME_SCRIPT.as_bytes()));
        assert!(policy.contains(&format!(
            "script-src 'self' 'sha256-{hash}' 'sha256-{frame}' 'wasm-unsafe-eval'"
        )));
        // No inline style at all.
        assert!(!policy.contains("style-src-elem"));
        assert!(!policy.contains("'unsafe-inline'"));
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
        // The service worker: this site's own file, nothing else.
        assert!(policy.contains("; worker-src 'self';"));
        // Right after the charset, before any script; written once even if run twice.
        let meta = html.find("Content-Security-Policy").unwrap();
        assert!(html.find("<meta charset").unwrap() < meta);
        assert!(meta < html.find("<script").unwrap());
        let (again, _) = with_csp(&html, &origins).unwrap();
        assert_eq!(again, html);
        assert!(with_csp("<html><head></head></html>", &origins).is_err());
        // And read back from the page as written.
        assert_eq!(read_csp(&html).as_deref(), Some(policy.as_str()));
        assert_eq!(read_csp(TRUNK_PAGE), None);
        assert_eq!(
            read_base_href("<head><base href=\"/tools/studio/\" /></head>").as_deref(),
            Some("/tools/studio/")
        );
        assert_eq!(read_base_href(TRUNK_PAGE), None);
        assert_eq!(read_base_href("<base href=\"https://x/\">"), None);
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn api_origins_are_checked() {
        assert_eq!(api_origins(&args(&[])).unwrap().len(), 2);
        assert!(api_origins(&args(&["--api-origin", "self"]))
            .unwrap()
            .is_empty());
        assert_eq!(
            api_origins(&args(&[
                "--api-origin",
                "https://A.example/",
                "--api-origin=https://b.example:8443,http://localhost:8787",
                "--api-origin",
                "http://127.0.0.1",
                "--api-origin",
                "http://[::1]:9000",
                "--api-origin",
                "https://[2001:db8::1]",
            ]))
            .unwrap(),
            vec![
                "https://a.example",
                "https://b.example:8443",
                "http://localhost:8787",
                "http://127.0.0.1",
                "http://[::1]:9000",
                "https://[2001:db8::1]",
            ]
        );
        for bad in [
            "https://a.example/v1beta",
            "https://a.example; script-src 'unsafe-inline'",
            "https://user@a.example",
            "https://a.example?x=1",
            "https://a.example:99999",
            "https://a.example:",
            "https://",
            "https://.example",
            "ftp://a",
            "a.example",
        ] {
            let e = api_origins(&args(&["--api-origin", bad])).unwrap_err();
            assert!(e.contains("an origin is https://host[:port]"), "{bad}: {e}");
        }
        for wild in ["*", "https://*", "https://*.example.com", "https://a.*"] {
            let e = api_origins(&args(&["--api-origin", wild])).unwrap_err();
            assert!(e.contains("wildcards are not allowed"), "{wild}: {e}");
        }
        for plain in [
            "http://api.example.com",
            "http://192.168.1.2:8080",
            "http://localhost.example.com",
            "http://127.0.0.2",
            "http://[::2]",
        ] {
            let e = api_origins(&args(&["--api-origin", plain])).unwrap_err();
            assert!(
                e.contains("http:// is only for this computer"),
                "{plain}: {e}"
            );
        }
    }

    #[test]
    fn every_host_gets_the_same_headers() {
        let policy = "default-src 'none'; script-src 'self' 'sha256-abc+/=' 'wasm-unsafe-eval'; connect-src 'self' blob:";
        let headers = security_headers(policy);
        let csp = format!("{policy}; frame-ancestors 'none'");
        let expected = [
            ("Content-Security-Policy", csp.as_str()),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Permissions-Policy", PERMISSIONS_POLICY),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ];
        let as_pairs = |h: &[(&str, String)]| {
            h.iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            as_pairs(&headers),
            expected
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );

        // Read each file back the way its host reads it: the same pairs.
        let netlify = netlify_headers("/tools/studio/", &headers);
        let mut lines = netlify.lines().filter(|l| !l.starts_with('#'));
        assert_eq!(lines.next(), Some("/tools/studio/*"));
        let from_netlify: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.trim().split_once(": ").unwrap();
                assert!(l.starts_with("  "), "{l}");
                (n.to_owned(), v.to_owned())
            })
            .collect();
        assert_eq!(from_netlify, as_pairs(&headers));
        assert!(netlify_headers("/", &headers).contains("\n/*\n"));

        let txt = headers_txt(&headers);
        let from_txt: Vec<(String, String)> = txt
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let (n, v) = l.split_once(": ").unwrap();
                (n.to_owned(), v.to_owned())
            })
            .collect();
        assert_eq!(from_txt, as_pairs(&headers));

        let conf = nginx_headers_conf(&headers).unwrap();
        let from_nginx: Vec<(String, String)> = conf
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let rest = l.strip_prefix("add_header ").unwrap();
                let rest = rest.strip_suffix(" always;").unwrap();
                let (n, v) = rest.split_once(' ').unwrap();
                (n.to_owned(), v.trim_matches('"').to_owned())
            })
            .collect();
        assert_eq!(from_nginx, as_pairs(&headers));
        // A value nginx would read as a variable or an end of string is refused.
        assert!(nginx_headers_conf(&[("X", "a$b".into())]).is_err());
        assert!(nginx_headers_conf(&[("X", "a\"b".into())]).is_err());
    }

    #[test]
    fn the_permissions_policy_allows_only_the_clipboard() {
        let features: Vec<(&str, &str)> = PERMISSIONS_POLICY
            .split(", ")
            .map(|f| f.split_once('=').unwrap())
            .collect();
        for (name, allow) in &features {
            if name.starts_with("clipboard-") {
                assert_eq!(*allow, "(self)", "{name}");
            } else {
                assert_eq!(*allow, "()", "{name} is denied");
            }
        }
        for must in [
            "camera",
            "microphone",
            "geolocation",
            "payment",
            "usb",
            "serial",
            "hid",
            "bluetooth",
            "display-capture",
            "clipboard-read",
            "clipboard-write",
        ] {
            assert!(features.iter().any(|(n, _)| *n == must), "{must}");
        }
    }

    #[test]
    fn the_default_models_are_the_studios() {
        // The ids of gemini::models::MODELS, read from its source (the xtask is std only).
        let src = fs::read_to_string(root().join("gemini/src/models.rs")).unwrap();
        let table = src.split("pub static MODELS").nth(1).unwrap();
        let table = table.split("\n];").next().unwrap();
        let ids: Vec<&str> = table
            .lines()
            .filter_map(|l| l.trim().strip_prefix("id: \""))
            .map(|l| l.trim_end_matches("\","))
            .collect();
        assert_eq!(ids, DEFAULT_MODELS);
    }

    #[test]
    fn the_proxy_allow_list_comes_from_config_json() {
        let example = fs::read_to_string(root().join("deploy/config.example.json")).unwrap();
        assert_eq!(
            config_models(&example).unwrap(),
            Some(vec![
                "gemini-3.1-flash-image-preview".to_owned(),
                "gemini-3-pro-image-preview".to_owned()
            ])
        );
        assert_eq!(config_models("{\"proxyHoldsKey\": true}").unwrap(), None);
        for (bad, why) in [
            ("{\"models\": []}", "at least one"),
            ("{\"models\": \"gemini\"}", "a list of model ids"),
            ("{\"models\": [1]}", "a list of model ids"),
            ("{\"models\": [\"a b\"]}", "is not a model id"),
            ("{\"models\": [\"a\\\"; }\"]}", "is not a model id"),
            ("[\"gemini\"]", "JSON object"),
            ("{\"models\": [", "not valid JSON"),
        ] {
            let e = config_models(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }

        let conf = nginx_models_conf(&["gemini-3.1-flash-image-preview".into(), "my_model".into()])
            .unwrap();
        assert!(conf.contains("map $gemini_model $gemini_model_allowed {\n    default 0;\n"));
        assert!(conf.contains("    \"~^gemini-3\\.1-flash-image-preview$\" 1;\n"));
        assert!(conf.contains("    \"~^my_model$\" 1;\n"));
        assert!(conf.contains("default \"gemini-3.1-flash-image-preview, my_model\";"));
        assert!(nginx_models_conf(&[]).is_err());
        assert!(nginx_models_conf(&["a$b".into()]).is_err());
    }

    #[test]
    fn a_key_goes_into_nginx_only_as_a_plain_token() {
        assert_eq!(
            key_conf("AIzaSy-abc_123").unwrap(),
            "proxy_set_header x-goog-api-key \"AIzaSy-abc_123\";\n"
        );
        for bad in ["", "a b", "a\"b", "a$b", "a;b", "a\nb", "a}b", "é"] {
            assert!(key_conf(bad).is_err(), "{bad:?}");
        }
    }
}
