//! Running Debian's nginx with the shipped `deploy/nginx/gemini-studio.conf`
//! (only its `# EDIT` lines replaced) on loopback: for the end-to-end tests and
//! between `cargo xtask run`'s dev server and the API.

use std::env;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{root, write_private, Result};

/// The shipped site configuration.
pub const SHIPPED: &str = "deploy/nginx/gemini-studio.conf";

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

/// The shipped configuration's text.
pub fn shipped() -> Result<String> {
    fs::read_to_string(root().join(SHIPPED)).map_err(|e| format!("{SHIPPED}: {e}"))
}

/// A configuration with its `# EDIT name` lines replaced: each edit must match
/// exactly one line, which is replaced whole (keeping its indent). Lines of
/// edits not given stay as shipped.
pub fn site_conf(shipped: &str, edits: &[(&str, String)]) -> Result<String> {
    let mut out = String::new();
    let mut done = vec![0; edits.len()];
    for line in shipped.lines() {
        let hit = edits.iter().position(|(name, _)| {
            line.split("# EDIT ")
                .skip(1)
                .any(|rest| rest.split([':', ' ']).next() == Some(name))
        });
        match hit {
            Some(i) => {
                let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
                out.push_str(&format!("{indent}{}    # (cargo xtask)\n", edits[i].1));
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
                "the nginx configuration must have exactly one line marked \"# EDIT {name}\" (found {})",
                done[i]
            ));
        }
    }
    Ok(out)
}

/// A path quoted for nginx.
pub fn q(p: &Path) -> String {
    format!("\"{}\"", p.display())
}

/// A free loopback port (free when asked; nginx binds it right after).
pub fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// One nginx (master and worker) under its own prefix folder, stopped
/// gracefully (and the folder removed) when dropped.
pub struct Nginx {
    child: Child,
    prefix: PathBuf,
    /// The port it was asked to listen on first.
    pub port: u16,
}

impl Nginx {
    /// Starts nginx under `prefix` (created; `conf/`, `logs/`, `tmp/`) with
    /// `http` as the body of its `http {}` block, and waits until each of
    /// `ports` answers.
    pub fn start(prefix: &Path, http: &str, ports: &[u16]) -> Result<Nginx> {
        let nginx = nginx_bin().ok_or("nginx is not installed (cargo xtask setup installs it)")?;
        for dir in ["conf", "logs", "tmp"] {
            let d = prefix.join(dir);
            fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        let mime = ["/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .ok_or("nginx's mime.types not found")?;
        // As root, nginx would run its worker as `nobody`, who may not be able to
        // read a checkout under /root: keep it root (loopback only).
        let user = if crate::output("id", &["-u"]).as_deref() == Some("0") {
            "user root;\n"
        } else {
            ""
        };
        let tmp = |name: &str| q(&prefix.join("tmp").join(name));
        let main = format!(
            "# Written by `cargo xtask`: nginx on loopback.\n\
             {user}worker_processes 1;\n\
             pid {pid};\n\
             error_log {log} warn;\n\
             events {{ worker_connections 256; }}\n\
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
             {http}\n\
             }}\n",
            pid = q(&prefix.join("nginx.pid")),
            log = q(&prefix.join("logs/error.log")),
            access = q(&prefix.join("logs/access.log")),
            cb = tmp("client_body"),
            px = tmp("proxy"),
            fc = tmp("fastcgi"),
            uw = tmp("uwsgi"),
            sc = tmp("scgi"),
        );
        let conf = prefix.join("conf/nginx.conf");
        fs::write(&conf, main).map_err(|e| format!("{}: {e}", conf.display()))?;
        let error_log = prefix.join("logs/error.log");
        let mut child = Command::new(&nginx)
            .arg("-p")
            .arg(prefix)
            .arg("-e")
            .arg(&error_log)
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", nginx.display()))?;
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut waiting: Vec<u16> = ports.to_vec();
        while !waiting.is_empty() {
            if let Ok(Some(status)) = child.try_wait() {
                let log = fs::read_to_string(&error_log).unwrap_or_default();
                return Err(format!(
                    "nginx ({}) exited ({status}):\n{log}",
                    conf.display()
                ));
            }
            waiting.retain(|p| TcpStream::connect(("127.0.0.1", *p)).is_err());
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "nginx ({}) did not listen on {waiting:?} within 15 s",
                    conf.display()
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
        Ok(Nginx {
            child,
            prefix: prefix.to_path_buf(),
            port: ports.first().copied().unwrap_or_default(),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its worker; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = fs::remove_dir_all(&self.prefix);
    }
}

/// Where one site's files are and how its proxy is set up: the shipped
/// configuration gets these as its `# EDIT` lines.
pub struct Site<'a> {
    /// The folder served at `/`.
    pub www: &'a Path,
    /// The folder holding `headers.conf` and `models.conf`.
    pub includes: &'a Path,
    /// The key include (`proxy_set_header x-goog-api-key "…";`, or empty).
    pub key_file: &'a Path,
    /// `proxy_pass` target: `https://host` or `http://127.0.0.1:PORT`.
    pub upstream: &'a str,
    /// More edits (`ca`, `auth`, `origin`).
    pub more: Vec<(&'static str, String)>,
}

/// The shipped configuration for `site`, listening on `port`.
pub fn shipped_site(port: u16, site: &Site) -> Result<String> {
    let mut edits: Vec<(&str, String)> = vec![
        ("listen", format!("listen 127.0.0.1:{port};")),
        ("root", format!("root {};", q(site.www))),
        (
            "models",
            format!("include {};", q(&site.includes.join("models.conf"))),
        ),
        (
            "headers",
            format!("include {};", q(&site.includes.join("headers.conf"))),
        ),
        ("key", format!("include {};", q(site.key_file))),
        ("upstream", format!("proxy_pass {};", site.upstream)),
    ];
    edits.extend(site.more.iter().map(|(n, v)| (*n, v.clone())));
    site_conf(&shipped()?, &edits)
}

/// Starts the shipped configuration for `site` under `prefix`.
pub fn start_site(prefix: &Path, site: &Site) -> Result<Nginx> {
    let port = free_port()?;
    let conf = shipped_site(port, site)?;
    let file = prefix.join("conf/gemini-studio.conf");
    fs::create_dir_all(prefix.join("conf")).map_err(|e| e.to_string())?;
    fs::write(&file, conf).map_err(|e| format!("{}: {e}", file.display()))?;
    Nginx::start(prefix, &format!("    include {};", q(&file)), &[port])
}

// ------------------------------------------------------------------ run

/// nginx with the shipped configuration between `cargo xtask run`'s dev server
/// (Trunk, whose proxy forwards `/v1beta/` and `/config.json` here) and the
/// upstream: the dev server forwards exactly what a deployment forwards.
pub struct DevProxy {
    nginx: Nginx,
}

impl DevProxy {
    pub fn url(&self) -> String {
        self.nginx.url()
    }
}

/// The `config.json` the dev server serves: where its proxy goes (shown by
/// the page's endpoint line).
pub fn dev_config_json(upstream: &str) -> String {
    let mut s = String::from("{\"proxyUpstream\": \"");
    for c in upstream.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if c.is_control() => s.push_str(&format!("\\u{:04x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push_str("\"}\n");
    s
}

/// The `# EDIT` lines for the dev proxy under `dir`, whose nginx sits behind
/// Trunk: the site's origin is the one the browser used, which Trunk passes
/// on as X-Forwarded-Proto and X-Forwarded-Host (nginx itself is reached on
/// another port).
pub fn dev_more_edits() -> Vec<(&'static str, String)> {
    vec![(
        "origin",
        "default \"$http_x_forwarded_proto://$http_x_forwarded_host\";".into(),
    )]
}

/// Starts the dev proxy in `dir` (replaced) for `upstream`, adding `key` if
/// given (otherwise a key typed in the page passes in its x-goog-api-key).
pub fn dev_proxy(dir: &Path, upstream: &str, key: Option<&str>) -> Result<DevProxy> {
    let _ = fs::remove_dir_all(dir);
    let www = dir.join("www");
    let includes = dir.join("includes");
    for d in [&www, &includes] {
        fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    fs::write(www.join("config.json"), dev_config_json(upstream)).map_err(|e| e.to_string())?;
    // The dev build has no policy to send (Trunk injects its live-reload script).
    fs::write(
        includes.join("headers.conf"),
        "# cargo xtask run: the dev server sends no security headers.\n",
    )
    .map_err(|e| e.to_string())?;
    fs::write(
        includes.join("models.conf"),
        super::nginx_models_conf(&super::default_models())?,
    )
    .map_err(|e| e.to_string())?;
    let key_file = dir.join("api-key.conf");
    match key {
        Some(k) => write_private(&key_file, &super::key_conf(k)?)?,
        None => write_private(
            &key_file,
            "# no key: the page's own x-goog-api-key passes\n",
        )?,
    }
    let nginx = start_site(
        &dir.join("nginx"),
        &Site {
            www: &www,
            includes: &includes,
            key_file: &key_file,
            upstream,
            more: dev_more_edits(),
        },
    );
    // nginx has read the key (or failed): it is not left on disk.
    let _ = fs::remove_file(&key_file);
    Ok(DevProxy { nginx: nginx? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits() -> Vec<(&'static str, String)> {
        vec![
            ("listen", "listen 127.0.0.1:1;".into()),
            ("root", "root \"/w\";".into()),
            ("models", "include \"/i/models.conf\";".into()),
            ("headers", "include \"/i/headers.conf\";".into()),
            ("key", "include \"/k\";".into()),
            ("upstream", "proxy_pass http://127.0.0.1:2;".into()),
        ]
    }

    #[test]
    fn the_shipped_nginx_config_has_each_edit_line_once() {
        let shipped = shipped().unwrap();
        let out = site_conf(&shipped, &edits()).unwrap();
        assert!(out.contains("    listen 127.0.0.1:1;"));
        assert!(out.contains("proxy_pass http://127.0.0.1:2;"));
        assert!(!out.contains("api.cometapi.com;"));
        // Optional edits are there once too.
        for (name, line) in [
            ("ca", "proxy_ssl_trusted_certificate \"/ca.crt\";"),
            ("auth", "include \"/auth.conf\";"),
            ("origin", "default \"https://studio.example\";"),
        ] {
            let mut e = edits();
            e.push((name, line.into()));
            assert!(site_conf(&shipped, &e).unwrap().contains(line), "{name}");
        }
        assert!(site_conf("listen 80;\n", &[("listen", "x".into())]).is_err());
        // A name is matched whole: "EDIT key" is not "EDIT keys".
        assert!(site_conf("a; # EDIT keys\n", &[("key", "x".into())]).is_err());
    }

    #[test]
    fn the_shipped_nginx_config_keeps_its_promises() {
        let out = site_conf(&shipped().unwrap(), &edits()).unwrap();
        for d in [
            // Big bodies, long waits, no buffering caps.
            "client_max_body_size 160m;",
            "proxy_request_buffering off;",
            "proxy_buffering off;",
            "proxy_read_timeout 600s;",
            "proxy_send_timeout 600s;",
            // Nothing of the browser's reaches the API.
            "proxy_set_header Authorization \"\";",
            "proxy_set_header Cookie \"\";",
            // The upstream's certificate is checked.
            "proxy_ssl_verify on;",
            "proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;",
            "proxy_ssl_server_name on;",
            "proxy_ssl_name $proxy_host;",
            "proxy_ssl_verify_depth 3;",
            // Limits, per client address, on the API.
            "limit_req_zone  $gemini_api_client zone=gemini_api:10m rate=10r/m;",
            "limit_req zone=gemini_api burst=20 nodelay;",
            "limit_conn gemini_api_conn 8;",
            "limit_req_status 429;",
            "limit_conn_status 429;",
            // The checked path, and nothing else, goes upstream.
            "rewrite ^ $gemini_api_path break;",
            // Authentication is one line away.
            "# include /etc/nginx/gemini-studio/basic-auth.conf;",
        ] {
            assert!(out.contains(d), "{d}");
        }
        // No header of its own: every header comes from the generated list.
        assert!(!out.contains("add_header Content-Security-Policy"));
        assert!(!out.contains("add_header X-Frame-Options"));
    }

    #[test]
    fn the_auth_snippets_have_their_edit_lines() {
        let basic = fs::read_to_string(root().join("deploy/nginx/basic-auth.conf")).unwrap();
        let out = site_conf(
            &basic,
            &[("htpasswd", "auth_basic_user_file \"/p\";".into())],
        )
        .unwrap();
        assert!(out.contains("auth_basic \"Gemini Studio\";"));
        let sso = fs::read_to_string(root().join("deploy/nginx/sso-auth.conf")).unwrap();
        let out = site_conf(
            &sso,
            &[
                ("sso-check", "proxy_pass http://127.0.0.1:3/check;".into()),
                ("sso-pages", "proxy_pass http://127.0.0.1:3;".into()),
            ],
        )
        .unwrap();
        assert!(out.contains("auth_request /_sso/check;"));
        assert!(out.contains("proxy_pass http://127.0.0.1:3/check;"));
    }

    #[test]
    fn the_readme_shows_the_auth_snippet_as_shipped() {
        let readme = fs::read_to_string(root().join("README.md")).unwrap();
        let basic = fs::read_to_string(root().join("deploy/nginx/basic-auth.conf")).unwrap();
        for line in basic
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let directive = line.split("   #").next().unwrap_or(line).trim_end();
            assert!(readme.contains(directive), "README lacks {directive}");
        }
    }

    #[test]
    fn the_dev_proxy_is_the_shipped_config_with_only_its_edit_lines() {
        let mut e = edits();
        e.extend(dev_more_edits());
        let out = site_conf(&shipped().unwrap(), &e).unwrap();
        let shipped = shipped().unwrap();
        let (a, b): (Vec<&str>, Vec<&str>) = (shipped.lines().collect(), out.lines().collect());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert!(x == y || x.contains("# EDIT "), "{x}\n{y}");
        }
        assert!(out.contains("$http_x_forwarded_proto://$http_x_forwarded_host"));
        assert_eq!(
            dev_config_json("https://api.example.com"),
            "{\"proxyUpstream\": \"https://api.example.com\"}\n"
        );
        assert_eq!(
            dev_config_json("http://a\"b"),
            "{\"proxyUpstream\": \"http://a\\\"b\"}\n"
        );
    }
}
