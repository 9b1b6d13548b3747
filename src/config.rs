//! The site's runtime configuration, `config.json` beside `index.html`, and the
//! rules about where requests (and so the API key) may go.
//!
//! Pure: no browser calls, so `cargo test -p studio --lib` checks it on the host.
//! The browser side (fetching the file, reading the page's origin and policy) is
//! in `crate::browser::page`; applying it to the app state is in
//! `crate::commands::site`.

use gemini::models::{caps, is_valid_model_id, MODELS};
use gemini::pricing::PriceTable;
use serde_json::Value;

use gemini::KeyHeader;

/// The file's name, fetched relative to the document base (so a build under a
/// sub-path reads the `config.json` beside its own `index.html`).
pub const FILE: &str = "config.json";

/// The fields `config.json` may hold, in the order the README documents them.
pub const FIELDS: [&str; 9] = [
    "apiBase",
    "keyHeader",
    "proxyHoldsKey",
    "defaultModel",
    "models",
    "allowCustomModel",
    "banner",
    "proxyUpstream",
    "prices",
];

/// The longest banner shown (characters).
pub const MAX_BANNER: usize = 500;

/// A validated site configuration. [`Default`] is the built-in behaviour: the
/// page's own `/v1beta/` proxy, every model, no banner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteConfig {
    /// Where requests go (normalised by [`validate_base`]); `None`: not set.
    pub api_base: Option<String>,
    /// Which header carries a key typed in the page; `None`: not set.
    pub key_header: Option<KeyHeader>,
    /// A proxy adds the key: the page hides the key fields and sends no key.
    pub proxy_holds_key: bool,
    /// The model a first visit starts with.
    pub default_model: Option<String>,
    /// The models offered, in order; `None`: every known model.
    pub models: Option<Vec<String>>,
    /// Whether "Custom model id…" is offered.
    pub allow_custom_model: bool,
    /// A line of text shown at the top of the page (as text, never HTML).
    pub banner: Option<String>,
    /// Where this site's proxy forwards requests (an origin, shown only).
    pub proxy_upstream: Option<String>,
    /// The site's own price table, or hidden prices; `None`: Google's published
    /// prices, compiled in.
    pub prices: Option<PriceTable>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            api_base: None,
            key_header: None,
            proxy_holds_key: false,
            default_model: None,
            models: None,
            allow_custom_model: true,
            banner: None,
            proxy_upstream: None,
            prices: None,
        }
    }
}

/// What fetching `config.json` gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loaded {
    /// No file: the built-in defaults, silently.
    Missing,
    Config(SiteConfig),
    /// A file that cannot be used: say why, and run with the defaults.
    Broken(String),
}

/// What the head of the answer to `GET config.json` says: `None`, read the
/// body as JSON (the browser parses it: `Response.json()`) and
/// [`interpret_body`]; else what was loaded.
///
/// A 404 is "no file". So is a 2xx HTML page: single-page hosts (Trunk's dev
/// server, Netlify rewrites, …) answer every unknown path with `index.html`.
pub fn interpret_head(status: u16, content_type: &str) -> Option<Loaded> {
    match status {
        404 | 410 => Some(Loaded::Missing),
        200..=299 if content_type.trim().to_ascii_lowercase().starts_with("text/html") => {
            Some(Loaded::Missing)
        }
        200..=299 => None,
        _ => Some(Loaded::Broken(format!(
            "{FILE} could not be loaded (HTTP {status}). The studio runs with its built-in settings."
        ))),
    }
}

/// The whole answer, its body parsed by serde_json where the browser's
/// `JSON.parse` would parse it: the host's way in (the tests, the fuzzer).
/// The page reads through [`interpret_head`] and [`interpret_body`], with no
/// JSON parser of its own.
pub fn interpret(status: u16, content_type: &str, body: &str) -> Loaded {
    interpret_head(status, content_type)
        .unwrap_or_else(|| interpret_body(serde_json::from_str(body).map_err(|e| e.to_string())))
}

/// The body as the browser parsed it, or why it is not JSON.
pub fn interpret_body(parsed: Result<Value, String>) -> Loaded {
    match parsed
        .map_err(|why| vec![format!("it is not valid JSON ({why})")])
        .and_then(parse_value)
    {
        Ok(cfg) => Loaded::Config(cfg),
        Err(problems) => Loaded::Broken(broken_message(&problems)),
    }
}

/// `https://api.example.com` → `api.example.com`, for messages.
pub fn host_of(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, host)| host)
}

/// The message for a file that was not used.
pub fn broken_message(problems: &[String]) -> String {
    format!(
        "{FILE} was not used: {}. The studio runs with its built-in settings.",
        problems.join("; ")
    )
}

/// Checks `config.json`, as parsed. Every problem is reported, so one fix of
/// the file fixes them all; any problem means the whole file is not used.
pub fn parse_value(value: Value) -> Result<SiteConfig, Vec<String>> {
    let Value::Object(map) = value else {
        return Err(vec![
            "it must be a JSON object, like {\"banner\": \"Hello\"}".into(),
        ]);
    };
    let mut cfg = SiteConfig::default();
    let mut problems = Vec::new();
    let mut allow_custom = None;
    for (name, value) in &map {
        let wrong_type = |what: &str| format!("\u{201c}{name}\u{201d} must be {what}");
        match name.as_str() {
            "apiBase" => match value.as_str() {
                Some(s) => match validate_base(s) {
                    Ok(base) => cfg.api_base = Some(base),
                    Err(why) => problems.push(format!("\u{201c}apiBase\u{201d}: {why}")),
                },
                None => problems.push(wrong_type("a string (a URL, a path, or \"\")")),
            },
            "keyHeader" => match value.as_str().and_then(parse_key_header) {
                Some(h) => cfg.key_header = Some(h),
                None => problems.push(wrong_type("\"x-goog-api-key\" or \"authorization\"")),
            },
            "proxyHoldsKey" => match value.as_bool() {
                Some(b) => cfg.proxy_holds_key = b,
                None => problems.push(wrong_type("true or false")),
            },
            "defaultModel" => match value.as_str() {
                Some(id) if is_valid_model_id(id) => cfg.default_model = Some(id.to_owned()),
                Some(id) => problems.push(format!(
                    "\u{201c}defaultModel\u{201d}: \u{201c}{id}\u{201d} is not a model id"
                )),
                None => problems.push(wrong_type("a model id")),
            },
            "models" => match value.as_array() {
                Some(list) if list.is_empty() => {
                    problems.push("\u{201c}models\u{201d} must list at least one model".into())
                }
                Some(list) => {
                    let mut ids: Vec<String> = Vec::new();
                    for v in list {
                        match v.as_str() {
                            Some(id) if !is_valid_model_id(id) => problems.push(format!(
                                "\u{201c}models\u{201d}: \u{201c}{id}\u{201d} is not a model id"
                            )),
                            Some(id) if ids.iter().any(|x| x == id) => problems.push(format!(
                                "\u{201c}models\u{201d}: \u{201c}{id}\u{201d} is listed twice"
                            )),
                            Some(id) => ids.push(id.to_owned()),
                            None => problems.push(wrong_type("a list of model ids")),
                        }
                    }
                    cfg.models = Some(ids);
                }
                None => problems.push(wrong_type("a list of model ids")),
            },
            "allowCustomModel" => match value.as_bool() {
                Some(b) => allow_custom = Some(b),
                None => problems.push(wrong_type("true or false")),
            },
            "banner" => match value.as_str() {
                Some(s) if s.chars().count() > MAX_BANNER => problems.push(format!(
                    "\u{201c}banner\u{201d} is longer than {MAX_BANNER} characters"
                )),
                Some(s) => cfg.banner = Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
                None => problems.push(wrong_type("a string")),
            },
            "proxyUpstream" => match value.as_str().map(validate_base) {
                Some(Ok(base)) if base.contains("://") => {
                    cfg.proxy_upstream = Some(origin_of(&base, ""))
                }
                Some(Ok(_)) => problems.push(
                    "\u{201c}proxyUpstream\u{201d} must be an origin such as https://api.cometapi.com".into(),
                ),
                Some(Err(why)) => problems.push(format!("\u{201c}proxyUpstream\u{201d}: {why}")),
                None => problems.push(wrong_type("a string (an origin)")),
            },
            "prices" => match PriceTable::from_json(value) {
                Ok(table) => cfg.prices = Some(table),
                Err(why) => problems.push(why),
            },
            other => problems.push(format!(
                "unknown field \u{201c}{other}\u{201d} (the fields are {})",
                FIELDS.join(", ")
            )),
        }
    }
    // Without a list every model is offered, and so is a custom id; a list
    // restricts the choice unless custom ids are asked for.
    cfg.allow_custom_model = allow_custom.unwrap_or(cfg.models.is_none());
    if let Some(d) = &cfg.default_model {
        if !cfg.model_allowed(d) {
            problems.push(format!(
                "\u{201c}defaultModel\u{201d}: \u{201c}{d}\u{201d} is not one of \u{201c}models\u{201d}"
            ));
        }
    }
    if problems.is_empty() {
        Ok(cfg)
    } else {
        Err(problems)
    }
}

fn parse_key_header(s: &str) -> Option<KeyHeader> {
    match s.trim().to_ascii_lowercase().as_str() {
        "x-goog-api-key" => Some(KeyHeader::GoogApiKey),
        "authorization" | "bearer" | "authorization: bearer" => Some(KeyHeader::Bearer),
        _ => None,
    }
}

impl SiteConfig {
    /// The base URL and key header this site uses unless the user chose others.
    pub fn connection(&self) -> (String, KeyHeader) {
        (
            self.api_base.clone().unwrap_or_default(),
            self.key_header.unwrap_or_default(),
        )
    }

    /// Whether `id` may be chosen on this site.
    pub fn model_allowed(&self, id: &str) -> bool {
        match &self.models {
            None => true,
            Some(list) => list.iter().any(|m| m == id) || self.allow_custom_model,
        }
    }

    /// The models of the Model menu: `(id, label)`, in order.
    pub fn offered_models(&self) -> Vec<(String, String)> {
        let label = |id: &str| {
            let c = caps(id);
            match (c.known, c.retired) {
                (false, _) => id.to_owned(),
                (true, Some(date)) => format!("{} (retired {date})", c.label),
                (true, None) => c.label.to_owned(),
            }
        };
        match &self.models {
            Some(list) => list.iter().map(|id| (id.clone(), label(id))).collect(),
            None => MODELS
                .iter()
                .map(|m| (m.id.to_owned(), label(m.id)))
                .collect(),
        }
    }

    /// Whether the Model menu offers `id` by name (otherwise it is a custom id).
    pub fn offers(&self, id: &str) -> bool {
        match &self.models {
            Some(list) => list.iter().any(|m| m == id),
            None => MODELS.iter().any(|m| m.id == id),
        }
    }

    /// The model to switch to, if any: the site's default on a first visit, or
    /// an offered one when the current model is not offered here.
    pub fn model_to_apply(&self, current: &str, first_visit: bool) -> Option<String> {
        let fallback = || {
            self.default_model
                .clone()
                .or_else(|| self.models.as_ref().and_then(|l| l.first().cloned()))
        };
        let listed = self
            .models
            .as_ref()
            .is_none_or(|l| l.iter().any(|m| m == current));
        let target = if first_visit {
            // A first visit starts with the site's default, or its first model.
            self.default_model
                .clone()
                .or_else(|| (!listed).then(fallback).flatten())
        } else if !self.model_allowed(current) {
            fallback()
        } else {
            None
        };
        target.filter(|t| t != current)
    }
}

/// Checks and normalises an API base URL: `""` (this site's `/v1beta/` proxy),
/// a path on this site (`/tools/studio`), or an `https://` URL (`http://` only
/// for this computer). No user name, password, query or fragment: the base is
/// never a place to hide a key.
pub fn validate_base(input: &str) -> Result<String, String> {
    let s = input.trim().trim_end_matches('/');
    if s.is_empty() {
        return Ok(String::new());
    }
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err("a URL has no spaces or backslashes".into());
    }
    if s.contains(['?', '#']) {
        return Err("a base URL has no query (?…) or fragment (#…)".into());
    }
    if s.starts_with('/') {
        if s.starts_with("//") {
            return Err("write the scheme: https://host".into());
        }
        return Ok(s.to_owned());
    }
    let lower = s.to_ascii_lowercase();
    // ASCII lower-casing keeps byte offsets, so the prefix length applies to `s`.
    let (scheme, rest) = if lower.starts_with("https://") {
        ("https", &s[8..])
    } else if lower.starts_with("http://") {
        ("http", &s[7..])
    } else {
        return Err(
            "use an https:// URL, or a path on this site such as /api (empty: this site's proxy)"
                .into(),
        );
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.is_empty() {
        return Err("the URL has no host".into());
    }
    if authority.contains('@') {
        return Err("a base URL has no user name or password".into());
    }
    let authority = authority.to_ascii_lowercase();
    if scheme == "http" && !is_loopback(&authority) {
        return Err(
            "http:// is only allowed for this computer (localhost): use https:// so the key is encrypted on the way"
                .into(),
        );
    }
    Ok(format!("{scheme}://{authority}{path}"))
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
fn is_loopback(authority: &str) -> bool {
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|h| format!("{h}]"))
    } else {
        authority.split(':').next().map(str::to_owned)
    }
    .unwrap_or_default();
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

/// The origin requests to `base` go to: the page's own for `""` and paths,
/// else `scheme://host[:port]` with the default port left out.
pub fn origin_of(base: &str, page_origin: &str) -> String {
    let b = base.trim();
    let lower = b.to_ascii_lowercase();
    let (scheme, rest) = match (
        lower.strip_prefix("https://"),
        lower.strip_prefix("http://"),
    ) {
        (Some(rest), _) => ("https", rest),
        (_, Some(rest)) => ("http", rest),
        _ => return page_origin.trim_end_matches('/').to_ascii_lowercase(),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = match (scheme, authority.rsplit_once(':')) {
        ("https", Some((host, "443"))) | ("http", Some((host, "80"))) => host,
        _ => authority,
    };
    format!("{scheme}://{authority}")
}

/// Whether a Content Security Policy lets the page connect to `target` (an
/// origin). Reads `connect-src`, else `default-src`; no policy allows all.
pub fn csp_allows_connect(policy: &str, page_origin: &str, target: &str) -> bool {
    let directives: Vec<Vec<&str>> = policy
        .split(';')
        .map(|d| d.split_ascii_whitespace().collect::<Vec<_>>())
        .filter(|d| !d.is_empty())
        .collect();
    let find = |name: &str| {
        directives
            .iter()
            .find(|d| d[0].eq_ignore_ascii_case(name))
            .map(|d| &d[1..])
    };
    let Some(sources) = find("connect-src").or_else(|| find("default-src")) else {
        return true;
    };
    let target = target.trim_end_matches('/').to_ascii_lowercase();
    let page = page_origin.trim_end_matches('/').to_ascii_lowercase();
    let (t_scheme, t_auth) = target.split_once("://").unwrap_or(("", &target));
    let (t_host, t_port) = split_port(t_auth, t_scheme);
    sources.iter().any(|src| {
        let src = src.to_ascii_lowercase();
        match src.as_str() {
            "'self'" => target == page,
            "*" => t_scheme == "https" || t_scheme == "http",
            s if s.starts_with('\'') => false,
            s if s.ends_with(':') && !s.contains('/') => s.trim_end_matches(':') == t_scheme,
            s => {
                let (s_scheme, s_auth) = match s.split_once("://") {
                    Some((sc, a)) => (Some(sc), a),
                    None => (None, s),
                };
                let s_auth = s_auth.split('/').next().unwrap_or_default();
                let scheme_ok = match s_scheme {
                    Some(sc) => sc == t_scheme || (sc == "http" && t_scheme == "https"),
                    None => {
                        t_scheme == "https" || t_scheme == page.split("://").next().unwrap_or("")
                    }
                };
                let (s_host, s_port) = split_port(s_auth, s_scheme.unwrap_or(t_scheme));
                let host_ok = match s_host.strip_prefix("*.") {
                    Some(suffix) => t_host.ends_with(&format!(".{suffix}")),
                    None => s_host == t_host,
                };
                let port_ok = s_port == "*" || s_port == t_port;
                scheme_ok && host_ok && port_ok
            }
        }
    })
}

/// `host:port` → (host, port), filling in the scheme's default port.
fn split_port<'a>(authority: &'a str, scheme: &str) -> (&'a str, String) {
    let default = if scheme == "http" { "80" } else { "443" };
    match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, port.to_owned()),
        _ => (authority, default.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text as the browser would parse it.
    fn parse(text: &str) -> Result<SiteConfig, Vec<String>> {
        parse_value(
            serde_json::from_str(text).map_err(|e| vec![format!("it is not valid JSON ({e})")])?,
        )
    }

    fn problems(text: &str) -> String {
        parse(text).expect_err("should be refused").join("; ")
    }

    #[test]
    fn an_empty_object_is_the_defaults() {
        assert_eq!(parse("{}"), Ok(SiteConfig::default()));
        assert_eq!(
            SiteConfig::default().connection(),
            (String::new(), KeyHeader::GoogApiKey)
        );
        assert!(SiteConfig::default().allow_custom_model);
    }

    #[test]
    fn every_field_is_read() {
        let cfg = parse(
            r#"{
                "apiBase": "https://Generativelanguage.googleapis.com/",
                "keyHeader": "authorization",
                "proxyHoldsKey": true,
                "defaultModel": "gemini-3-pro-image-preview",
                "models": ["gemini-3-pro-image-preview", "gemini-3.1-flash-image-preview"],
                "allowCustomModel": true,
                "banner": "  Demo site: images are not kept.  ",
                "proxyUpstream": "https://API.cometapi.com/v1beta/"
            }"#,
        )
        .unwrap();
        assert_eq!(
            cfg.api_base.as_deref(),
            Some("https://generativelanguage.googleapis.com")
        );
        assert_eq!(cfg.key_header, Some(KeyHeader::Bearer));
        assert!(cfg.proxy_holds_key);
        assert_eq!(
            cfg.default_model.as_deref(),
            Some("gemini-3-pro-image-preview")
        );
        assert_eq!(cfg.models.as_ref().map(Vec::len), Some(2));
        assert!(cfg.allow_custom_model);
        assert_eq!(
            cfg.banner.as_deref(),
            Some("Demo site: images are not kept.")
        );
        assert_eq!(
            cfg.proxy_upstream.as_deref(),
            Some("https://api.cometapi.com")
        );
        assert!(problems(r#"{"proxyUpstream": "/local"}"#).contains("must be an origin"));
        assert_eq!(
            cfg.prices, None,
            "Google's prices unless the site has its own"
        );
        assert!(problems(r#"{"proxyUpstream": 3}"#).contains("an origin"));
        // FIELDS is what the README documents: every field parsed above is in it.
        for f in FIELDS {
            assert!(
                !problems(&format!("{{\"{f}\": {{}}}}")).contains("unknown field"),
                "{f}"
            );
        }
    }

    #[test]
    fn prices_can_be_replaced_or_hidden() {
        let cfg = parse(
            r#"{"prices": {"source": "https://intranet.example/prices", "models": {
                "gemini-3-pro-image-preview": {"inputPerMillion": 1, "outputTextPerMillion": 6,
                    "outputImagePerImage": {"1K": 0.1, "default": 0.2}}}}}"#,
        )
        .unwrap();
        let table = cfg.prices.unwrap();
        assert!(!table.is_hidden());
        assert!(table.lookup("gemini-3-pro-image-preview").is_some());
        assert!(table.lookup("gemini-3.1-flash-image-preview").is_none());
        assert!(parse(r#"{"prices": false}"#)
            .unwrap()
            .prices
            .unwrap()
            .is_hidden());
        let p = problems(r#"{"prices": {"models": {"m": {"inputPerMillion": -1}}}}"#);
        assert!(p.contains("prices.models.\"m\""), "{p}");
        assert!(problems(r#"{"prices": true}"#).contains("false to hide prices"));
    }

    #[test]
    fn the_shipped_example_is_valid() {
        let cfg = parse(include_str!("../deploy/config.example.json")).unwrap();
        assert!(cfg.proxy_holds_key);
        assert_eq!(cfg.models.as_ref().map(Vec::len), Some(2));
    }

    #[test]
    fn broken_files_say_what_is_wrong_and_are_not_used() {
        assert!(problems("{\"banner\": \"a\",}").starts_with("it is not valid JSON"));
        assert!(problems("").starts_with("it is not valid JSON"));
        assert!(problems("[1]").contains("JSON object"));
        let p =
            problems(r#"{"apiBaseUrl": "x", "proxyHoldsKey": "yes", "keyHeader": "x-api-key"}"#);
        assert!(
            p.contains("unknown field \u{201c}apiBaseUrl\u{201d}"),
            "{p}"
        );
        assert!(p.contains("apiBase, keyHeader"), "{p}");
        assert!(
            p.contains("\u{201c}proxyHoldsKey\u{201d} must be true or false"),
            "{p}"
        );
        assert!(p.contains("\u{201c}keyHeader\u{201d} must be"), "{p}");
        assert!(problems(r#"{"apiBase": "ftp://x"}"#).contains("https://"));
        assert!(problems(r#"{"models": []}"#).contains("at least one"));
        assert!(problems(r#"{"models": ["a b"]}"#).contains("not a model id"));
        assert!(problems(r#"{"models": ["m", "m"]}"#).contains("twice"));
        assert!(problems(r#"{"defaultModel": "x", "models": ["y"]}"#).contains("not one of"));
        assert!(problems(&format!("{{\"banner\": \"{}\"}}", "x".repeat(501))).contains("longer"));
        let msg = broken_message(&["a".into(), "b".into()]);
        assert_eq!(
            msg,
            "config.json was not used: a; b. The studio runs with its built-in settings."
        );
    }

    #[test]
    fn a_missing_file_or_an_spa_fallback_is_no_config() {
        assert_eq!(interpret(404, "text/plain", "Not found"), Loaded::Missing);
        assert_eq!(
            interpret(200, "text/html; charset=utf-8", "<!DOCTYPE html>"),
            Loaded::Missing
        );
        assert_eq!(
            interpret(200, "application/json", "{\"banner\": \"hi\"}"),
            Loaded::Config(SiteConfig {
                banner: Some("hi".into()),
                ..SiteConfig::default()
            })
        );
        assert!(
            matches!(interpret(500, "text/plain", ""), Loaded::Broken(m) if m.contains("HTTP 500"))
        );
        assert!(
            matches!(interpret(200, "application/json", "{"), Loaded::Broken(m) if m.contains("not valid JSON"))
        );
    }

    #[test]
    fn a_model_list_restricts_the_menu() {
        let cfg = parse(r#"{"models": ["gemini-3-pro-image-preview", "my-proxy-model"]}"#).unwrap();
        assert!(!cfg.allow_custom_model);
        assert_eq!(
            cfg.offered_models(),
            vec![
                (
                    "gemini-3-pro-image-preview".into(),
                    "Gemini 3 Pro Image".into()
                ),
                ("my-proxy-model".into(), "my-proxy-model".into()),
            ]
        );
        assert!(cfg.model_allowed("my-proxy-model"));
        assert!(!cfg.model_allowed("gemini-3.1-flash-image-preview"));
        // A model no longer offered is replaced by the first offered one.
        assert_eq!(
            cfg.model_to_apply("gemini-3.1-flash-image-preview", false)
                .as_deref(),
            Some("gemini-3-pro-image-preview")
        );
        assert_eq!(cfg.model_to_apply("my-proxy-model", false), None);
        // With custom ids allowed, a first visit still starts on a listed model.
        let open = parse(r#"{"models": ["my-proxy-model"], "allowCustomModel": true}"#).unwrap();
        let flash = "gemini-3.1-flash-image-preview";
        assert_eq!(
            open.model_to_apply(flash, true).as_deref(),
            Some("my-proxy-model")
        );
        assert_eq!(open.model_to_apply(flash, false), None);
        // Every known model by default, with its label.
        let all = SiteConfig::default().offered_models();
        assert_eq!(all.len(), MODELS.len());
        assert!(all.iter().any(|(_, l)| l.contains("retired")));
    }

    #[test]
    fn the_default_model_applies_on_a_first_visit_only() {
        let cfg = parse(r#"{"defaultModel": "gemini-3-pro-image-preview"}"#).unwrap();
        let flash = "gemini-3.1-flash-image-preview";
        assert_eq!(
            cfg.model_to_apply(flash, true).as_deref(),
            Some("gemini-3-pro-image-preview")
        );
        assert_eq!(cfg.model_to_apply(flash, false), None);
        assert_eq!(cfg.model_to_apply("gemini-3-pro-image-preview", true), None);
        assert_eq!(SiteConfig::default().model_to_apply(flash, true), None);
    }

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(validate_base("  "), Ok(String::new()));
        assert_eq!(validate_base("/tools/studio/"), Ok("/tools/studio".into()));
        assert_eq!(
            validate_base("HTTPS://API.CometAPI.com/"),
            Ok("https://api.cometapi.com".into())
        );
        assert_eq!(
            validate_base("https://proxy.example/gemini/v1beta"),
            Ok("https://proxy.example/gemini/v1beta".into())
        );
        assert_eq!(
            validate_base("http://127.0.0.1:8787"),
            Ok("http://127.0.0.1:8787".into())
        );
        assert_eq!(
            validate_base("http://localhost:3000/"),
            Ok("http://localhost:3000".into())
        );
        assert_eq!(
            validate_base("http://[::1]:3000"),
            Ok("http://[::1]:3000".into())
        );
        for bad in [
            "http://api.example.com",
            "https://user:pw@api.example.com",
            "https://api.example.com/?key=abc",
            "https://api.example.com/#x",
            "api.example.com",
            "javascript:alert(1)",
            "//api.example.com",
            "https://",
            "https://a b",
        ] {
            assert!(validate_base(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn origins() {
        let page = "http://127.0.0.1:8080";
        assert_eq!(origin_of("", page), page);
        assert_eq!(origin_of("/tools/studio", page), page);
        assert_eq!(
            origin_of("https://api.cometapi.com", page),
            "https://api.cometapi.com"
        );
        assert_eq!(
            origin_of("https://API.example:443/x/v1beta", page),
            "https://api.example"
        );
        assert_eq!(
            origin_of("http://localhost:8080/", page),
            "http://localhost:8080"
        );
        assert_eq!(origin_of("http://localhost:80", page), "http://localhost");
    }

    #[test]
    fn the_page_policy_decides_which_origins_may_be_reached() {
        let page = "https://studio.example";
        let policy = "default-src 'none'; script-src 'self' 'sha256-abc=' 'wasm-unsafe-eval'; \
                      connect-src 'self' https://api.cometapi.com https://*.googleapis.com http://localhost:*";
        assert!(csp_allows_connect(policy, page, page));
        assert!(csp_allows_connect(policy, page, "https://api.cometapi.com"));
        assert!(csp_allows_connect(
            policy,
            page,
            "https://generativelanguage.googleapis.com"
        ));
        assert!(csp_allows_connect(policy, page, "http://localhost:9000"));
        assert!(!csp_allows_connect(policy, page, "https://evil.example"));
        assert!(!csp_allows_connect(
            policy,
            page,
            "https://api.cometapi.com:8443"
        ));
        assert!(!csp_allows_connect("default-src 'none'", page, page));
        assert!(csp_allows_connect("default-src 'self'", page, page));
        assert!(csp_allows_connect("", page, "https://anything.example"));
        assert!(csp_allows_connect(
            "connect-src https:",
            page,
            "https://anything.example"
        ));
        assert!(!csp_allows_connect(
            "connect-src https:",
            page,
            "http://localhost"
        ));
    }
}
