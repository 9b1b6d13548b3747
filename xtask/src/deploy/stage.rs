//! The deployment stage of the end-to-end tests: builds served by Debian's
//! nginx with the shipped configuration (only its `# EDIT` lines replaced), in
//! front of a local API server that wants a key. Several nginx instances, each
//! the shipped configuration for one situation:
//!
//! | env | instance |
//! |---|---|
//! | `NGINX_URL` | the default build at `/` |
//! | `NGINX_SUB_URL` | the build for [`TEST_SUB_PATH`] (its own policy, so its own headers) |
//! | `NGINX_LIMITS_URL` | the same as `NGINX_URL`, for the burst test (its own rate budget) |
//! | `NGINX_AUTH_URL` | with `deploy/nginx/basic-auth.conf` and an `openssl passwd` file |
//! | `NGINX_SSO_URL` | with `deploy/nginx/sso-auth.conf` and a stand-in sign-on service |
//! | `NGINX_TLS_URL` | upstream over HTTPS with a test CA's certificate, CA line as shipped |
//! | `NGINX_TLS_TRUSTED_URL` | the same with only the CA line pointing at the test CA |
//!
//! A helper nginx (not the shipped configuration) provides the HTTPS upstream,
//! the sign-on service, and a recorder in front of the API server that logs
//! each request line it receives (`NGINX_UPSTREAM_LOG`): what reached the upstream.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use super::nginx::{self, free_port, q, Nginx, Site};
use super::{
    build_site, default_models, dist_policy, key_conf, write_nginx_includes, write_static_headers,
    SiteBuild, TEST_SUB_PATH,
};
use crate::{root, sh, start_mock, step, write_private, Guard, Result};

/// Everything the stage started; stopped (and its folder removed) when dropped.
pub struct DeployStage {
    nginxes: Vec<Nginx>,
    mock: Option<Guard>,
    env: Vec<(String, String)>,
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
        // Each nginx stops (in order) and removes its folder, then the API
        // server, then what is left of this run.
        self.nginxes.clear();
        self.mock.take();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

fn write(path: &Path, text: &str) -> Result {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn openssl(dir: &Path, args: &[&str]) -> Result {
    sh(Command::new("openssl").args(args).current_dir(dir))
}

fn openssl_out(args: &[&str]) -> Result<String> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .map_err(|e| format!("could not run openssl: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A test CA (self-signed) and a certificate it signs for `localhost` and
/// 127.0.0.1, made with the openssl CLI. Returns (CA, certificate, key).
fn test_certificates(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf)> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=Gemini Studio e2e test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &ca)?;
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(dir, &csr)?;
    write(
        &dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-days",
            "2",
            "-out",
            "server.crt",
            "-extfile",
            "server.ext",
        ],
    )?;
    Ok((
        dir.join("ca.crt"),
        dir.join("server.crt"),
        dir.join("server.key"),
    ))
}

/// The helper nginx: an HTTPS upstream (test CA) and a recorder, both in front
/// of the API server and logging each request line to `log`, and a stand-in
/// sign-on service (signed in = the cookie `sso=signed-in`).
fn helper_http(
    mock: &str,
    log: &Path,
    (cert, key): (&Path, &Path),
    (rec, tls, sso): (u16, u16, u16),
) -> String {
    let forward = format!(
        "        location / {{\n\
         \x20           proxy_pass {mock};\n\
         \x20           proxy_http_version 1.1;\n\
         \x20           proxy_set_header Connection \"\";\n\
         \x20           proxy_request_buffering off;\n\
         \x20           proxy_buffering off;\n\
         \x20           proxy_read_timeout 600s;\n\
         \x20           proxy_send_timeout 600s;\n\
         \x20       }}\n"
    );
    format!(
        "    log_format upstream_seen escape=json '{{\"method\":\"$request_method\",\"uri\":\"$request_uri\",\"marker\":\"$http_x_e2e_marker\",\"server\":\"$server_port\"}}';\n\
         \x20   client_max_body_size 0;\n\
         \x20   server {{\n\
         \x20       listen 127.0.0.1:{rec};\n\
         \x20       access_log {log} upstream_seen;\n\
         {forward}\
         \x20   }}\n\
         \x20   server {{\n\
         \x20       listen 127.0.0.1:{tls} ssl;\n\
         \x20       ssl_certificate {cert};\n\
         \x20       ssl_certificate_key {key};\n\
         \x20       access_log {log} upstream_seen;\n\
         {forward}\
         \x20   }}\n\
         \x20   server {{\n\
         \x20       listen 127.0.0.1:{sso};\n\
         \x20       location = /oauth2/auth {{\n\
         \x20           if ($http_cookie ~ \"(^|;\\s*)sso=signed-in(;|$)\") {{ return 202; }}\n\
         \x20           return 401;\n\
         \x20       }}\n\
         \x20       location /oauth2/ {{\n\
         \x20           default_type text/html;\n\
         \x20           return 200 '<!DOCTYPE html><title>Sign in</title><h1>Sign in to the test SSO</h1>';\n\
         \x20       }}\n\
         \x20   }}\n",
        log = q(log),
        cert = q(cert),
        key = q(key),
    )
}

/// Copies `from` into `to` recursively.
pub fn copy_dir(from: &Path, to: &Path) -> Result {
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

/// Builds what nginx serves and starts every instance (see the module's
/// table). `dist` is the default build, served at `/`; a build for
/// [`TEST_SUB_PATH`] is made (or, with `reuse`, taken from an earlier run).
pub fn deploy_stage(mock_bin: &Path, dist: &Path, reuse: bool) -> Result<DeployStage> {
    if !nginx::have_nginx() {
        return Err("nginx is not installed (cargo xtask setup installs it)".into());
    }
    // One folder per run, so two runs in one checkout do not pull each
    // other's site away; screenshots and the sub-path build are kept beside them.
    let base = root().join("target/e2e-deploy");
    let prefix = base.join(format!("run-{}", std::process::id()));
    let _ = fs::remove_dir_all(&prefix);
    let stage = start(mock_bin, dist, reuse, &base, &prefix);
    if stage.is_err() {
        // What did start is stopped by now; nothing of this run is left.
        let _ = fs::remove_dir_all(&prefix);
    }
    stage
}

fn start(
    mock_bin: &Path,
    dist: &Path,
    reuse: bool,
    base: &Path,
    prefix: &Path,
) -> Result<DeployStage> {
    let root = root();
    let prefix = prefix.to_path_buf();
    let shots = base.join("screenshots");
    for dir in [&prefix, &shots] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }

    // The sites: the default build at /, the sub-path build under its path.
    let www = prefix.join("www");
    copy_dir(dist, &www)?;
    let sub_build = base.join("sub-build");
    if !(reuse && dist_policy(&sub_build).is_ok()) {
        build_site(&SiteBuild {
            public_url: Some(TEST_SUB_PATH),
            dist: &sub_build,
            api_origins: &[],
        })?;
    }
    let www_sub = prefix.join("www-sub");
    let sub = www_sub.join(TEST_SUB_PATH.trim_matches('/'));
    copy_dir(&sub_build, &sub)?;
    let banner = |where_: &str| {
        format!(
            "{{\n  \"proxyHoldsKey\": true,\n  \"banner\": \"Served {where_} through nginx: the proxy adds the API key.\"\n}}\n"
        )
    };
    write(&www.join("config.json"), &banner("from /"))?;
    write(
        &sub.join("config.json"),
        &banner(&format!("from {TEST_SUB_PATH}")),
    )?;
    // Each build's headers (also into `dist`, which the static-host test serves).
    let models = default_models();
    let root_policy = dist_policy(dist)?;
    write_static_headers(dist, "/", &root_policy)?;
    let inc_root = prefix.join("includes-root");
    write_nginx_includes(&inc_root, &root_policy, &models)?;
    let inc_sub = prefix.join("includes-sub");
    write_nginx_includes(&inc_sub, &dist_policy(&sub)?, &models)?;

    step("Starting nginx (deploy/nginx/gemini-studio.conf) in front of a local API server");
    let (mock, mock_origin) = start_mock(mock_bin, &["--require-key", "--quiet"])?;

    // The helper: HTTPS upstream, recorder, sign-on service.
    let (ca, cert, cert_key) = test_certificates(&prefix.join("tls"))?;
    let seen_log = prefix.join("upstream-seen.log");
    write(&seen_log, "")?;
    let (rec, tls, sso) = (free_port()?, free_port()?, free_port()?);
    let helper = Nginx::start(
        &prefix.join("nginx-helper"),
        &helper_http(&mock_origin, &seen_log, (&cert, &cert_key), (rec, tls, sso)),
        &[rec, tls, sso],
    )?;
    let recorder = format!("http://127.0.0.1:{rec}");
    let https_upstream = format!("https://localhost:{tls}");

    // Basic authentication: the shipped snippet, a password file made by openssl.
    let user = "studio-user";
    let password = format!("pw-{:x}", nanos());
    let hash = openssl_out(&["passwd", "-6", &password])?;
    let auth_dir = prefix.join("auth");
    fs::create_dir_all(&auth_dir).map_err(|e| e.to_string())?;
    write(&auth_dir.join("htpasswd"), &format!("{user}:{hash}\n"))?;
    let snippet = |file: &str, edits: &[(&str, String)]| -> Result<PathBuf> {
        let text = fs::read_to_string(root.join("deploy/nginx").join(file))
            .map_err(|e| format!("deploy/nginx/{file}: {e}"))?;
        let path = auth_dir.join(file);
        write(&path, &nginx::site_conf(&text, edits)?)?;
        Ok(path)
    };
    let basic = snippet(
        "basic-auth.conf",
        &[(
            "htpasswd",
            format!("auth_basic_user_file {};", q(&auth_dir.join("htpasswd"))),
        )],
    )?;
    let sso_conf = snippet(
        "sso-auth.conf",
        &[
            (
                "sso-check",
                format!("proxy_pass http://127.0.0.1:{sso}/oauth2/auth;"),
            ),
            ("sso-pages", format!("proxy_pass http://127.0.0.1:{sso};")),
        ],
    )?;

    let with_auth = |file: &Path| vec![("auth", format!("include {};", q(file)))];
    let trust_test_ca = vec![("ca", format!("proxy_ssl_trusted_certificate {};", q(&ca)))];
    type Spec<'a> = (
        &'a str,
        &'a str,
        &'a Path,
        &'a Path,
        &'a str,
        Vec<(&'static str, String)>,
    );
    let specs: Vec<Spec> = vec![
        ("main", "NGINX_URL", &www, &inc_root, &recorder, vec![]),
        (
            "sub",
            "NGINX_SUB_URL",
            &www_sub,
            &inc_sub,
            &recorder,
            vec![],
        ),
        (
            "limits",
            "NGINX_LIMITS_URL",
            &www,
            &inc_root,
            &recorder,
            vec![],
        ),
        (
            "auth",
            "NGINX_AUTH_URL",
            &www,
            &inc_root,
            &recorder,
            with_auth(&basic),
        ),
        (
            "sso",
            "NGINX_SSO_URL",
            &www,
            &inc_root,
            &recorder,
            with_auth(&sso_conf),
        ),
        (
            "tls",
            "NGINX_TLS_URL",
            &www,
            &inc_root,
            &https_upstream,
            vec![],
        ),
        (
            "tls-trusted",
            "NGINX_TLS_TRUSTED_URL",
            &www,
            &inc_root,
            &https_upstream,
            trust_test_ca,
        ),
    ];
    // The key, for the instances to read at start (removed right after).
    let key = format!("nginx-held-key-{:x}", nanos());
    let key_file = prefix.join("api-key.conf");
    write_private(&key_file, &key_conf(&key)?)?;
    let mut nginxes = Vec::new();
    let mut env = Vec::new();
    for (name, var, www, includes, upstream, more) in specs {
        let n = nginx::start_site(
            &prefix.join(format!("nginx-{name}")),
            &Site {
                www,
                includes,
                key_file: &key_file,
                upstream,
                more,
            },
        );
        let n = match n {
            Ok(n) => n,
            Err(e) => {
                let _ = fs::remove_file(&key_file);
                return Err(e);
            }
        };
        env.push((var.to_owned(), n.url()));
        nginxes.push(n);
    }
    // nginx has read the key: it is not left on disk.
    let _ = fs::remove_file(&key_file);

    let main = env.first().map(|(_, u)| u.clone()).unwrap_or_default();
    println!(
        "nginx on {main}/ (and {} more instances) -> {mock_origin} (key added by nginx)",
        env.len().saturating_sub(1)
    );
    env.extend([
        ("NGINX_SUB_PATH".to_owned(), TEST_SUB_PATH.to_owned()),
        ("NGINX_MOCK_URL".to_owned(), mock_origin),
        ("NGINX_API_KEY".to_owned(), key),
        ("NGINX_MODELS".to_owned(), models.join(",")),
        (
            "NGINX_UPSTREAM_LOG".to_owned(),
            seen_log.display().to_string(),
        ),
        ("NGINX_AUTH_USER".to_owned(), user.to_owned()),
        ("NGINX_AUTH_PASSWORD".to_owned(), password),
        ("DIST_DIR".to_owned(), dist.display().to_string()),
        ("SCREENSHOT_DIR".to_owned(), shots.display().to_string()),
    ]);
    // Stopped in this order: the proxies, then the helper behind them.
    nginxes.push(helper);
    Ok(DeployStage {
        nginxes,
        mock: Some(mock),
        env,
        dir: prefix,
    })
}
