//! Drops the JS classes a dependency exports and the app never uses (a step
//! of the split pipeline).
//!
//! Leptos depends on `server_fn` with its browser client, and that on
//! `wasm-streams`, whose `#[wasm_bindgen]` classes (`IntoUnderlyingSource`,
//! `IntoUnderlyingByteSource`, `IntoUnderlyingSink`: Rust streams handed to
//! JS) are exports of every module that links it, used or not. Exports are
//! roots, so their code (and the futures machinery it drives) stays in the
//! main module, and wasm-bindgen writes a class for each into the main JS:
//! about 2.3 KB gzip of the first screen for code nothing calls (the studio
//! reads streams through `web_sys`, and has no server functions).
//!
//! This removes each class from the JS (its `export class` block, its
//! `Symbol.dispose` line, its `FinalizationRegistry`) and its functions from
//! the wasm's exports (`<class>_<method>`, `__wbg_<class>_free`); wasm-opt
//! then drops the code only they reached. A class is removed only in the form
//! wasm-bindgen writes it, and only if nothing else in the JS names it or its
//! exports afterwards: anything else is an error, so a new wasm-bindgen is
//! looked at rather than half-edited.

use super::imports::{leb, read_leb, read_name, sections, with_section};
use crate::Result;

/// The classes removed: wasm-streams' (see the module's comment).
pub const UNUSED: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// `wasm` and `js` (wasm-bindgen's output) without `classes`; how many wasm
/// exports were removed.
pub fn drop_classes(wasm: &[u8], js: &str, classes: &[&str]) -> Result<(Vec<u8>, String, usize)> {
    let mut js = js.to_string();
    for class in classes {
        js = drop_class_js(&js, class)?;
    }
    let lower: Vec<String> = classes.iter().map(|c| c.to_lowercase()).collect();
    let unused = |name: &str| {
        lower.iter().any(|c| {
            name == format!("__wbg_{c}_free")
                || name
                    .strip_prefix(c.as_str())
                    .is_some_and(|rest| rest.starts_with('_'))
        })
    };

    let sections = sections(wasm)?;
    let Some(&(_, export_body)) = sections.iter().find(|(id, _)| *id == 7) else {
        return Err("the module has no exports".into());
    };
    let (count, mut at) = read_leb(export_body, 0)?;
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for _ in 0..count {
        let start = at;
        let (name, next) = read_name(export_body, at)?;
        // The kind (one byte), then the index.
        let (_, end) = read_leb(export_body, next + 1)?;
        let name = std::str::from_utf8(name).map_err(|_| "an export's name is not UTF-8")?;
        if unused(name) {
            removed.push(name.to_owned());
        } else {
            kept.push(&export_body[start..end]);
        }
        at = end;
    }
    if at != export_body.len() {
        return Err("the export section has bytes after its exports".into());
    }
    for c in &lower {
        if !removed.iter().any(|r| r.starts_with(c.as_str())) {
            return Err(format!("no export of the class {c} was found"));
        }
    }
    let mut body = leb(kept.len() as u64);
    for entry in kept {
        body.extend_from_slice(entry);
    }
    Ok((with_section(wasm, &sections, 7, &body), js, removed.len()))
}

/// `js` without the class `class` (as wasm-bindgen writes one).
fn drop_class_js(js: &str, class: &str) -> Result<String> {
    let mut js = js.to_string();
    let cut = |js: &mut String, start: &str, end: &str| -> Result {
        let at = js
            .find(start)
            .ok_or_else(|| format!("the JS has no `{}`", start.trim()))?;
        let len = js[at..]
            .find(end)
            .ok_or_else(|| format!("`{}` does not end", start.trim()))?;
        js.replace_range(at..at + len + end.len(), "");
        Ok(())
    };
    cut(&mut js, &format!("export class {class} {{\n"), "\n}\n")?;
    cut(
        &mut js,
        &format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose]"),
        ";\n",
    )?;
    cut(&mut js, &format!("const {class}Finalization = "), ";\n")?;
    let lower = class.to_lowercase();
    if js.contains(class) || js.to_lowercase().contains(&format!("{lower}_")) {
        return Err(format!(
            "the JS still names {class} once its class is removed"
        ));
    }
    Ok(js)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JS: &str = "import * as x from './x.js';\n\
export class Keep {\n    free() {\n        wasm.__wbg_keep_free(this.__wbg_ptr, 0);\n    }\n}\n\
export class Gone {\n    __destroy_into_raw() {\n        GoneFinalization.unregister(this);\n    }\n    \
pull(c) {\n        const ret = wasm.gone_pull(this.__wbg_ptr, c);\n        return ret;\n    }\n}\n\
if (Symbol.dispose) Gone.prototype[Symbol.dispose] = Gone.prototype.free;\n\n\
function other() {}\n\
const GoneFinalization = (typeof FinalizationRegistry === 'undefined')\n    ? { register: () => {}, unregister: () => {} }\n    \
: new FinalizationRegistry(ptr => wasm.__wbg_gone_free(ptr >>> 0, 1));\n\
const KeepFinalization = 1;\n";

    /// A module exporting functions `names` (numbered as listed; no code:
    /// only the export section is read and written), a custom section after.
    fn module(names: &[&str]) -> Vec<u8> {
        numbered(&names.iter().copied().enumerate().collect::<Vec<_>>())
    }

    fn numbered(names: &[(usize, &str)]) -> Vec<u8> {
        let mut exports = leb(names.len() as u64);
        for &(i, n) in names {
            exports.extend(leb(n.len() as u64));
            exports.extend_from_slice(n.as_bytes());
            exports.push(0);
            exports.extend(leb(i as u64));
        }
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.push(7);
        m.extend(leb(exports.len() as u64));
        m.extend(exports);
        m.extend([0, 3, 1, b'c', 9]);
        m
    }

    #[test]
    fn a_class_leaves_the_js_and_the_exports_and_nothing_else_does() {
        let wasm = module(&[
            "main",
            "gone_pull",
            "__wbg_gone_free",
            "gonefishing_x",
            "__wbg_keep_free",
        ]);
        let (out, js, n) = drop_classes(&wasm, JS, &["Gone"]).unwrap();
        assert_eq!(n, 2);
        // What is left is what a module of the other exports would be (the
        // custom section after it kept as it was).
        assert_eq!(
            out,
            numbered(&[(0, "main"), (3, "gonefishing_x"), (4, "__wbg_keep_free")])
        );
        assert!(!js.contains("Gone"), "{js}");
        assert!(js.contains("export class Keep {") && js.contains("wasm.__wbg_keep_free"));
        assert!(js.contains("function other() {}") && js.contains("const KeepFinalization = 1;"));
    }

    #[test]
    fn a_class_in_another_form_or_still_named_is_an_error() {
        let wasm = module(&["gone_pull", "__wbg_gone_free"]);
        // Not there at all.
        assert!(drop_classes(&wasm, JS, &["Absent"]).is_err());
        // Named elsewhere in the JS: removing it would break that.
        let used = format!("{JS}new Gone();\n");
        assert!(drop_classes(&wasm, &used, &["Gone"]).is_err());
        // No Symbol.dispose line (another wasm-bindgen's form).
        let other = JS.replace(
            "if (Symbol.dispose) Gone.prototype[Symbol.dispose] = Gone.prototype.free;\n",
            "",
        );
        assert!(drop_classes(&wasm, &other, &["Gone"]).is_err());
        // No export of the class in the wasm.
        assert!(drop_classes(&module(&["main"]), JS, &["Gone"]).is_err());
    }
}
