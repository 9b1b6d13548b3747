//! The studio's layers run one way. Each top-level module of `src/` has a rank;
//! a module may use modules of a lower layer (a higher rank) and never one of
//! its own layer or above; and no two files of one module use each other in a
//! cycle. `cargo xtask test` runs this check (a host test of this crate).
//!
//! ```text
//! lib, main, bench          the page's wiring
//! components                what is on screen
//! commands                  what the user's commands do (async work)
//! state, error              the signals; the app's one error type
//! model, config             pure: turns, conversations, labels, limits; config.json
//! store                     IndexedDB, records
//! browser                   thin browser glue
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Top-level modules of `src/` and their layer (0 = top).
pub const LAYERS: &[(&str, u8)] = &[
    ("lib", 0),
    ("main", 0),
    ("bench", 0),
    ("components", 1),
    ("commands", 2),
    ("state", 3),
    ("error", 3),
    ("model", 4),
    ("config", 4),
    ("store", 5),
    ("browser", 6),
];

/// Modules that run on the host as they are: no browser crates, no signals.
pub const PURE: &[&str] = &["model", "config"];
/// What pure modules may use from lower layers.
const PURE_MAY_USE: &[&str] = &["store::records"];
const IMPURE: &[&str] = &["js_sys", "web_sys", "wasm_bindgen", "leptos"];

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// One source file: its module path (`commands::generate`) and its text.
pub struct Source {
    pub module: Vec<String>,
    pub text: String,
}

/// Every `.rs` file under `dir`, with its module path.
pub fn read_sources(dir: &Path) -> Result<Vec<Source>, String> {
    let mut out = Vec::new();
    walk(dir, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, prefix: &mut Vec<String>, out: &mut Vec<Source>) -> Result<(), String> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            prefix.push(name);
            walk(&path, prefix, out)?;
            prefix.pop();
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let mut module = prefix.clone();
            if stem != "mod" {
                module.push(stem.to_owned());
            }
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push(Source { module, text });
        }
    }
    Ok(())
}

/// The code of `text` without comments and string literals (doc links and
/// messages that name a path are not dependencies).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut block = 0usize;
    while let Some(c) = chars.next() {
        if block > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                block -= 1;
            } else if c == '/' && chars.peek() == Some(&'*') {
                chars.next();
                block += 1;
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                block = 1;
            }
            '"' => {
                out.push(' ');
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The module paths a file uses, as written after `crate::` (each up to two
/// segments, `commands::generate`), and after `super::` (resolved).
pub fn uses(source: &Source) -> BTreeSet<Vec<String>> {
    let code = code_only(&source.text);
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        // Not the tail of another path (`$crate::`, `my_crate::`).
        if code[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        {
            continue;
        }
        paths_at(&code[at + "crate::".len()..], Vec::new(), &mut found);
    }
    for (at, _) in code.match_indices("super::") {
        if code[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        {
            continue;
        }
        // `super` of a file module is its parent module.
        let mut base = source.module.clone();
        base.pop();
        let mut rest = &code[at + "super::".len()..];
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        paths_at(rest, base, &mut found);
    }
    found
}

/// The paths named at the start of `rest` (a segment, or a `{…}` group),
/// prefixed by `base`.
fn paths_at(rest: &str, base: Vec<String>, found: &mut BTreeSet<Vec<String>>) {
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0usize;
        let mut start = 0usize;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    item(&group[start..i], &base, found);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    item(&group[start..i], &base, found);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    item(rest, &base, found);
}

fn item(s: &str, base: &[String], found: &mut BTreeSet<Vec<String>>) {
    let s = s.trim_start();
    let first = ident(s);
    if first.is_empty() || first == "self" {
        return;
    }
    let mut path = base.to_vec();
    path.push(first.to_owned());
    let after = &s[first.len()..];
    if let Some(more) = after.strip_prefix("::") {
        let second = ident(more);
        if !second.is_empty() {
            path.push(second.to_owned());
        } else if more.starts_with('{') {
            let mut inner = BTreeSet::new();
            paths_at(more, path.clone(), &mut inner);
            found.extend(inner);
            return;
        }
    }
    found.insert(path);
}

/// What breaks the layers: upward or sideways uses between top-level modules,
/// modules missing from [`LAYERS`], and cycles between the files of a module.
pub fn problems(sources: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    let files: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let top_of = |m: &[String]| m.first().cloned().unwrap_or_else(|| "lib".to_owned());
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for s in sources {
        let from = top_of(&s.module);
        let Some(from_rank) = rank(&from) else {
            out.push(format!(
                "src/{}: module `{from}` has no layer in xtask/src/layers.rs",
                s.module.join("/")
            ));
            continue;
        };
        if PURE.contains(&from.as_str()) {
            let code = code_only(&s.text);
            for word in IMPURE {
                if code.contains(word) {
                    out.push(format!(
                        "src/{}.rs is pure (host-tested) but uses {word}",
                        s.module.join("/")
                    ));
                }
            }
        }
        for used in uses(s) {
            let to = top_of(&used);
            if PURE.contains(&from.as_str())
                && to != from
                && rank(&to).is_some()
                && !PURE_MAY_USE.contains(&used.join("::").as_str())
            {
                out.push(format!(
                    "src/{}.rs is pure (host-tested) but uses crate::{}",
                    s.module.join("/"),
                    used.join("::")
                ));
            }
            if to == from {
                // A file of the same module: resolve to the longest file path it names.
                let target = (1..=used.len())
                    .rev()
                    .map(|n| used[..n].to_vec())
                    .find(|p| files.contains(p));
                if let Some(t) = target.filter(|t| *t != s.module && t.len() > 1) {
                    edges.entry(s.module.clone()).or_default().insert(t);
                }
                continue;
            }
            match rank(&to) {
                Some(r) if r > from_rank => {}
                Some(_) => out.push(format!(
                    "src/{}.rs uses crate::{} (layer `{to}` is not below `{from}`)",
                    s.module.join("/"),
                    used.join("::")
                )),
                // Not a module of this crate (a macro path such as `crate::leptos`).
                None => {}
            }
        }
    }
    // Cycles between files of one module (depth-first search).
    let mut state: BTreeMap<&Vec<String>, u8> = BTreeMap::new();
    fn visit<'a>(
        n: &'a Vec<String>,
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<&'a Vec<String>, u8>,
        stack: &mut Vec<&'a Vec<String>>,
        out: &mut Vec<String>,
    ) {
        match state.get(n) {
            Some(2) => return,
            Some(1) => {
                let at = stack.iter().position(|s| *s == n).unwrap_or(0);
                let cycle: Vec<String> = stack[at..]
                    .iter()
                    .chain([&n])
                    .map(|m| m.join("::"))
                    .collect();
                out.push(format!("cycle: {}", cycle.join(" -> ")));
                return;
            }
            _ => {}
        }
        state.insert(n, 1);
        stack.push(n);
        if let Some(next) = edges.get(n) {
            for m in next {
                visit(m, edges, state, stack, out);
            }
        }
        stack.pop();
        state.insert(n, 2);
    }
    for n in edges.keys() {
        visit(n, &edges, &mut state, &mut Vec::new(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(module: &str, text: &str) -> Source {
        Source {
            module: module.split('/').map(str::to_owned).collect(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn the_studio_has_one_way_layers_and_no_cycles() {
        let sources = read_sources(&crate::root().join("src")).unwrap();
        assert!(sources.len() > 10);
        let found = problems(&sources);
        assert!(found.is_empty(), "layer problems:\n{}", found.join("\n"));
    }

    #[test]
    fn uses_are_found_in_groups_and_through_super() {
        let s = src(
            "commands/generate",
            "use crate::{state::AppState, browser::{http, now_ms}};\n\
             // crate::components::Nope in a comment\n\
             let x = \"crate::components::Nope\";\n\
             use super::persistence::save;\n\
             fn f() { crate::model::labels::seconds(1.0); }",
        );
        let u: Vec<String> = uses(&s).into_iter().map(|p| p.join("::")).collect();
        assert_eq!(
            u,
            [
                "browser::http",
                "browser::now_ms",
                "commands::persistence::save",
                "model::labels",
                "state::AppState"
            ]
        );
    }

    #[test]
    fn upward_and_sideways_uses_and_cycles_are_reported() {
        let sources = vec![
            src("store/db", "use crate::state::AppState;"),
            src("state", "use crate::error::AppError;"),
            src("commands/a", "use super::b::x;"),
            src("commands/b", "use crate::commands::a::y;"),
            src(
                "commands/c",
                "use crate::browser::now_ms; use crate::model::x;",
            ),
            src("widgets/x", ""),
            src(
                "model/turn",
                "fn f() { js_sys::Date::now(); crate::store::db::Store::open(); }",
            ),
        ];
        let p = problems(&sources);
        assert!(p
            .iter()
            .any(|m| m.contains("src/store/db.rs uses crate::state")));
        assert!(p
            .iter()
            .any(|m| m.contains("src/state.rs uses crate::error")));
        assert!(p
            .iter()
            .any(|m| m.starts_with("cycle: commands::a -> commands::b")));
        assert!(p.iter().any(|m| m.contains("`widgets` has no layer")));
        assert!(p
            .iter()
            .any(|m| m.contains("model/turn.rs is pure (host-tested) but uses js_sys")));
        assert!(p
            .iter()
            .any(|m| m.contains("model/turn.rs is pure (host-tested) but uses crate::store::db")));
        // Downward is fine.
        assert!(!p.iter().any(|m| m.contains("commands/c")));
    }
}
