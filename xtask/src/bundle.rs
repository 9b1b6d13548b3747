//! The release build's JS and CSS, small (issue 17): each JS file minified,
//! and Trunk's one stylesheet per source file joined, in order, into one
//! minified file. esbuild (npm, installed with the build tools) does the
//! minifying: Trunk's own JS minifier is known to break wasm-bindgen's output.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{sh, Result};

/// Minifies an ES module in place.
pub fn minify_js(path: &Path) -> Result {
    let out = path.with_extension("min.js");
    sh(Command::new("esbuild")
        .arg(path)
        .args(["--minify", "--format=esm", "--log-level=warning"])
        // wasm-bindgen imports the split loader once per chunk, each under the
        // same module name: equal keys whose values are the same module.
        .arg("--log-override:duplicate-object-key=silent")
        .arg(format!("--outfile={}", out.display())))?;
    fs::rename(&out, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A stylesheet link of index.html: where the tag is and what it names.
#[derive(Debug, PartialEq, Eq)]
struct Sheet {
    start: usize,
    end: usize,
    href: String,
}

/// Every `<link rel="stylesheet" href="…">` of `html`, in document order.
fn sheets(html: &str) -> Result<Vec<Sheet>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find("<link rel=\"stylesheet\"") {
        let start = from + i;
        let end = start + html[start..].find('>').ok_or("a <link> is not closed")? + 1;
        let tag = &html[start..end];
        let href = tag
            .find("href=\"")
            .map(|h| &tag[h + 6..])
            .and_then(|t| t.find('"').map(|e| t[..e].to_owned()))
            .ok_or("a stylesheet <link> without href")?;
        out.push(Sheet { start, end, href });
        from = end;
    }
    Ok(out)
}

/// The stylesheets (by source file) of what only comes after the first
/// paint: the reference images' thumbnails, the turns, the open history
/// panel, the dialogs, the image tools,
/// Get code, the site's banner and the top bar's tools. They are joined into a second file,
/// linked `disabled` (not fetched) until the page has painted
/// (`browser::page::enable_styles`).
pub const AFTER_PAINT: [&str; 7] = [
    "attachments",
    "turn",
    "history-panel",
    "code",
    "editor",
    "prompts",
    "site",
];

/// Whether Trunk's `href` (`…/<stem>-<hash>.css`) is one of [`AFTER_PAINT`].
fn after_paint(href: &str) -> bool {
    let name = href.rsplit('/').next().unwrap_or(href);
    name.rsplit_once('-')
        .is_some_and(|(stem, _)| AFTER_PAINT.contains(&stem))
}

/// `html` with the stylesheet links replaced by one to `href` where the
/// first was (each removed link takes its line's indentation and newline),
/// and after it, if there is one, a `disabled` link to `later`.
fn one_link(html: &str, sheets: &[Sheet], href: &str, later: Option<&str>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for (i, s) in sheets.iter().enumerate() {
        if i == 0 {
            out.push_str(&html[at..s.start]);
            out.push_str(&format!(
                "<link rel=\"stylesheet\" href=\"{href}\" integrity=\"sha384-\"/>"
            ));
            if let Some(later) = later {
                out.push_str(&format!(
                    "<link rel=\"stylesheet\" href=\"{later}\" integrity=\"sha384-\" disabled/>"
                ));
            }
            at = s.end;
            continue;
        }
        let before = &html[at..s.start];
        // Drop the whitespace that only indented this tag on its own line.
        let kept = before.trim_end_matches([' ', '\t']);
        let kept = kept.strip_suffix('\n').unwrap_or(kept);
        out.push_str(kept);
        at = s.end;
    }
    out.push_str(&html[at..]);
    out
}

/// Joins the stylesheets index.html links (Trunk writes one per source file)
/// into one minified `studio-<hash>.css` for the first screen and one
/// `later-<hash>.css` for what comes after the first paint ([`AFTER_PAINT`]),
/// links them in their place, and removes them. Their `integrity` is left
/// for [`crate::split::fix_integrity`].
pub fn one_css(dist: &Path) -> Result {
    let index = dist.join("index.html");
    let html = fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let sheets = sheets(&html)?;
    let Some(first) = sheets.first() else {
        return Err("index.html links no stylesheet".into());
    };
    let (later, now): (Vec<&Sheet>, Vec<&Sheet>) =
        sheets.iter().partition(|s| after_paint(&s.href));
    let prefix =
        &first.href[..first.href.len() - first.href.rsplit('/').next().unwrap_or("").len()];
    let name = join(dist, &now, "studio")?;
    let later = if later.is_empty() {
        None
    } else {
        Some(format!("{prefix}{}", join(dist, &later, "later")?))
    };
    let html = one_link(&html, &sheets, &format!("{prefix}{name}"), later.as_deref());
    fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))
}

/// Joins `sheets` in order into one minified `<stem>-<hash>.css` (its name
/// returned) and removes them.
fn join(dist: &Path, sheets: &[&Sheet], stem: &str) -> Result<String> {
    let mut joined = String::new();
    let mut files = Vec::new();
    for s in sheets {
        let name = s.href.rsplit('/').next().unwrap_or(&s.href);
        let path = dist.join(name);
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        joined.push_str(&text);
        joined.push('\n');
        files.push(path);
    }
    let work = dist.join(format!("{stem}.joined.css"));
    fs::write(&work, &joined).map_err(|e| format!("{}: {e}", work.display()))?;
    let min = dist.join(format!("{stem}.min.css"));
    sh(Command::new("esbuild")
        .arg(&work)
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", min.display())))?;
    let bytes = fs::read(&min).map_err(|e| format!("{}: {e}", min.display()))?;
    let hash: String = crate::deploy::sha256(&bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let name = format!("{stem}-{hash}.css");
    fs::rename(&min, dist.join(&name)).map_err(|e| format!("{name}: {e}"))?;
    let _ = fs::remove_file(&work);
    for f in files {
        fs::remove_file(&f).map_err(|e| format!("{}: {e}", f.display()))?;
    }
    Ok(name)
}

/// index.html without its comments (they are for whoever reads the source)
/// and with its inline scripts minified: about 0.5 KB gzip of the first
/// screen. The policy's hashes of the scripts are taken afterwards
/// (`deploy::write_csp`).
pub fn compact_html(dist: &Path) -> Result {
    let index = dist.join("index.html");
    let html = fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(open) = rest.find("<script") {
        out.push_str(&without_comments(&rest[..open]));
        let tag_end = open + rest[open..].find('>').ok_or("a <script> is not closed")? + 1;
        let close = tag_end
            + rest[tag_end..]
                .find("</script>")
                .ok_or("a <script> has no </script>")?;
        let tag = &rest[open..tag_end];
        let body = &rest[tag_end..close];
        out.push_str(tag);
        if tag.contains("src=") || body.trim().is_empty() {
            out.push_str(body);
        } else {
            out.push_str(minify_script(body, tag.contains("type=\"module\""))?.trim_end());
        }
        out.push_str("</script>");
        rest = &rest[close + "</script>".len()..];
    }
    out.push_str(&without_comments(rest));
    fs::write(&index, out).map_err(|e| format!("{}: {e}", index.display()))
}

/// `html` (no scripts in it) without `<!-- … -->` comments, each with the
/// indentation before it and the line end after it.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        let Some(len) = rest[start..].find("-->") else {
            break;
        };
        out.push_str(rest[..start].trim_end_matches([' ', '\t']));
        rest = &rest[start + len + 3..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

/// `script` minified by esbuild (as a module if `module`).
fn minify_script(script: &str, module: bool) -> Result<String> {
    use std::io::Write;
    let mut cmd = Command::new("esbuild");
    cmd.args(["--minify", "--log-level=warning"]);
    if module {
        cmd.arg("--format=esm");
    }
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("esbuild: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("esbuild: no stdin")?
        .write_all(script.as_bytes())
        .map_err(|e| format!("esbuild: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("esbuild: {e}"))?;
    if !out.status.success() {
        return Err("esbuild could not minify an inline script of index.html".into());
    }
    String::from_utf8(out.stdout).map_err(|_| "esbuild wrote a script that is not UTF-8".into())
}

/// Recomputes each `integrity="sha384-…"` in dist/index.html from the file its
/// tag's `href` names: the split, the minifier and [`one_css`] replaced the
/// files Trunk hashed.
pub fn fix_integrity(dist: &Path) -> Result {
    let index = dist.join("index.html");
    let mut html = fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let mut from = 0;
    while let Some(i) = html[from..].find("integrity=\"sha384-") {
        let at = from + i;
        let tag_start = html[..at].rfind('<').ok_or("integrity outside a tag")?;
        let tag_end = at + html[at..].find('>').ok_or("tag not closed")?;
        let tag = &html[tag_start..tag_end];
        let href = tag
            .find("href=\"")
            .map(|h| &tag[h + 6..])
            .and_then(|t| t.find('"').map(|e| &t[..e]))
            .ok_or("an integrity without href")?;
        let file = dist.join(href.rsplit('/').next().unwrap_or(href));
        let digest = Command::new("openssl")
            .args(["dgst", "-sha384", "-binary"])
            .arg(&file)
            .output()
            .map_err(|e| format!("openssl: {e}"))?;
        if !digest.status.success() || digest.stdout.len() != 48 {
            return Err(format!("openssl dgst -sha384 {} failed", file.display()));
        }
        let value_start = at + "integrity=\"".len();
        let value_end = value_start
            + html[value_start..]
                .find('"')
                .ok_or("integrity not closed")?;
        let value = format!("sha384-{}", crate::deploy::base64(&digest.stdout));
        html.replace_range(value_start..value_end, &value);
        from = value_start + value.len();
    }
    fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTML: &str = "<head>\n    <link rel=\"icon\" href=\"/f.svg\"/>\n    <link rel=\"stylesheet\" href=\"/tools/a-1.css\" integrity=\"sha384-x\"/>\n    <link rel=\"stylesheet\" href=\"/tools/b-2.css\" integrity=\"sha384-y\"/>\n    <link rel=\"modulepreload\" href=\"/s.js\">\n</head>";

    #[test]
    fn stylesheets_become_one_link_where_the_first_was() {
        let s = sheets(HTML).unwrap();
        assert_eq!(
            s.iter().map(|s| s.href.as_str()).collect::<Vec<_>>(),
            ["/tools/a-1.css", "/tools/b-2.css"]
        );
        assert_eq!(
            one_link(HTML, &s, "/tools/studio-9.css", None),
            "<head>\n    <link rel=\"icon\" href=\"/f.svg\"/>\n    <link rel=\"stylesheet\" href=\"/tools/studio-9.css\" integrity=\"sha384-\"/>\n    <link rel=\"modulepreload\" href=\"/s.js\">\n</head>"
        );
        // The stylesheet of what comes after the first paint, right after
        // it, disabled (not fetched until enabled).
        assert_eq!(
            one_link(HTML, &s, "/tools/studio-9.css", Some("/tools/later-8.css")),
            "<head>\n    <link rel=\"icon\" href=\"/f.svg\"/>\n    <link rel=\"stylesheet\" href=\"/tools/studio-9.css\" integrity=\"sha384-\"/><link rel=\"stylesheet\" href=\"/tools/later-8.css\" integrity=\"sha384-\" disabled/>\n    <link rel=\"modulepreload\" href=\"/s.js\">\n</head>"
        );
    }

    #[test]
    fn the_after_paint_stylesheets_are_known_by_their_source_file() {
        assert!(after_paint("/tools/code-1a2b.css"));
        assert!(after_paint("site-99.css"));
        assert!(after_paint("history-panel-0f.css"));
        assert!(!after_paint("/tools/composer-1a2b.css"));
        assert!(!after_paint("history-0f.css"));
        // A file named like one, in another folder only: by its own name.
        assert!(!after_paint("/code-x/base-1.css"));
    }

    #[test]
    fn comments_leave_with_their_indentation_and_line() {
        let html = "<head>\n    <!-- what this is\n         for -->\n    <base href=\"/\" />\n  <!--x--></head>";
        assert_eq!(
            without_comments(html),
            "<head>\n    <base href=\"/\" />\n</head>"
        );
        // Not closed: left as it is.
        assert_eq!(without_comments("a <!-- b"), "a <!-- b");
    }

    #[test]
    fn a_link_without_href_is_an_error() {
        assert!(sheets("<link rel=\"stylesheet\" media=\"x\">").is_err());
        assert!(sheets("<link rel=\"stylesheet\" href=\"a.css\"").is_err());
    }
}
