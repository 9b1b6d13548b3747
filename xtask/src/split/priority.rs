//! The chunks the page fetches right after its first paint, unasked, are
//! background work: their fetches are made with `priority: "low"` in the
//! loader `wasm-split-cli` writes, so that what a person asks for meanwhile
//! (opening the history panel, an editor, a dialog: a chunk of its own and
//! the few shared chunks only it needs) is fetched first. Over HTTP/1.1 (six
//! connections a host) the after-paint set is about sixty files; without this
//! a first History click in that second waited behind them (measured at 10
//! Mbit/s: about 345 ms from the click to the panel, about 250 ms with it).
//! The fetch is made once, by whoever asks first: Generate pressed before
//! the page asked for `later` in idle time shares this low-priority fetch.
//!
//! Which chunks those are is the app's decision (`crate::commands::startup`
//! and the views mounted once the page has painted, `AppState::painted`):
//! [`AFTER_PAINT`].

/// The chunks fetched right after the first paint, unasked.
pub const AFTER_PAINT: [&str; 2] = ["later", "storage"];

/// `loader` with every fetch of the chunks named in `chunks`, and of the
/// shared chunks they need, made at low priority; and how many fetches were
/// changed. The loader's form is checked, not guessed: a split point or a
/// fetch that is not where `wasm-split-cli` writes it is an error.
pub fn after_paint_low(loader: &str, chunks: &[&str]) -> Result<(String, usize), String> {
    let mut files = Vec::new();
    for name in chunks {
        let head = format!("export const __wasm_split_load_{name} = ");
        let at = loader
            .find(&head)
            .ok_or_else(|| format!("the loader has no split point `{name}`"))?;
        let rest = &loader[at + head.len()..];
        // `wrapAsyncCb(makeLoad(() => { …fetch… }\n, [deps]));`
        let def = rest
            .find("]));")
            .map(|end| &rest[..end])
            .ok_or_else(|| format!("the loader's `{name}` is not closed"))?;
        files.push(format!("split_{name}.wasm"));
        let deps = def
            .rfind(", [")
            .map(|i| &def[i + 3..])
            .ok_or_else(|| format!("the loader's `{name}` has no list of the chunks it needs"))?;
        for dep in deps.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let n = dep
                .strip_prefix("__chunk_")
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("`{name}` needs `{dep}`, which is not a shared chunk"))?;
            files.push(format!("chunk_{n}.wasm"));
        }
    }
    files.sort();
    files.dedup();
    let mut out = loader.to_owned();
    for file in &files {
        let call = format!("fetch(new URL(\"./{file}\", import.meta.url))");
        match out.matches(&call).count() {
            1 => {}
            n => return Err(format!("the loader fetches {file} {n} times, not once")),
        }
        let low = format!("fetch(new URL(\"./{file}\", import.meta.url), {{ priority: \"low\" }})");
        out = out.replacen(&call, &low, 1);
    }
    Ok((out, files.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(n: u32) -> String {
        format!(
            "/* later */\nconst __chunk_{n} = makeLoad(() => {{\n    const src = fetch(new URL(\"./chunk_{n}.wasm\", import.meta.url));\n    src.catch(() => {{}});\n    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}}\n, []);\n"
        )
    }

    fn split(name: &str, deps: &[u32]) -> String {
        let deps: Vec<String> = deps.iter().map(|n| format!("__chunk_{n}")).collect();
        format!(
            "export const __wasm_split_load_{name} = wrapAsyncCb(makeLoad(() => {{\n    const src = fetch(new URL(\"./split_{name}.wasm\", import.meta.url));\n    src.catch(() => {{}});\n    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}}\n, [{}]));\n",
            deps.join(", ")
        )
    }

    fn loader() -> String {
        [
            chunk(1),
            chunk(2),
            chunk(3),
            split("later", &[1, 2]),
            split("storage", &[2]),
            split("history", &[2, 3]),
        ]
        .concat()
    }

    #[test]
    fn the_after_paint_chunks_and_what_they_need_are_fetched_low() {
        let (out, n) = after_paint_low(&loader(), &["later", "storage"]).unwrap();
        assert_eq!(n, 4, "split_later, split_storage, chunk_1, chunk_2");
        let low = |f: &str| {
            out.contains(&format!(
                "fetch(new URL(\"./{f}\", import.meta.url), {{ priority: \"low\" }})"
            ))
        };
        for f in [
            "split_later.wasm",
            "split_storage.wasm",
            "chunk_1.wasm",
            "chunk_2.wasm",
        ] {
            assert!(low(f), "{f} low");
        }
        // What only a feature used later needs keeps the default priority.
        for f in ["split_history.wasm", "chunk_3.wasm"] {
            assert!(!low(f), "{f} as it was");
            assert!(out.contains(&format!("fetch(new URL(\"./{f}\", import.meta.url));")));
        }
        // Nothing else changed.
        assert_eq!(out.replace(", { priority: \"low\" }", ""), loader());
    }

    #[test]
    fn a_loader_of_another_form_is_an_error() {
        assert!(after_paint_low(&loader(), &["settings"])
            .unwrap_err()
            .contains("no split point `settings`"));
        let twice = loader() + &chunk(1);
        assert!(after_paint_low(&twice, &["later"])
            .unwrap_err()
            .contains("chunk_1.wasm 2 times"));
        let missing = loader().replace(
            "const src = fetch(new URL(\"./chunk_2.wasm\"",
            "const src = get(new URL(\"./chunk_2.wasm\"",
        );
        assert!(after_paint_low(&missing, &["storage"])
            .unwrap_err()
            .contains("chunk_2.wasm 0 times"));
        let odd = loader().replace("[__chunk_1, __chunk_2]", "[__chunk_1, helper]");
        assert!(after_paint_low(&odd, &["later"])
            .unwrap_err()
            .contains("`helper`"));
    }
}
