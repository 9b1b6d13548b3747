//! Short import names for the main module (a step of the split pipeline).
//!
//! wasm-bindgen imports each JS function under a name such as
//! `__wbg_writeText_6b6a85b68a7dd3eb`, from a module named after the JS file
//! (`./studio-<hash>_bg.js`): 367 such names are written twice on the first
//! screen, in the wasm's import section and as the keys of the JS imports
//! object, about 11 KB gzip of the main module and its JS. Only the two must
//! agree, so this step renames each to a short name in both (`a`, `b`, …),
//! and the module to `w`.
//!
//! A name is renamed only where the JS holds it exactly once, as an object
//! key (`name:`), and the module only where its string is there exactly once:
//! anything else is left as wasm-bindgen wrote it. Every other byte of the
//! wasm is copied as it is.

use crate::Result;

/// The module name the imports object's key and the wasm's imports share.
const MODULE: &str = "w";

/// Renames the imports of `module` in `wasm` and the matching keys in `js`
/// (the JS wasm-bindgen wrote for it). Returns the new wasm and JS, and how
/// many names were shortened.
pub fn shorten(wasm: &[u8], js: &str, module: &str) -> Result<(Vec<u8>, String, usize)> {
    let sections = sections(wasm)?;
    let Some(&(_, import_body)) = sections.iter().find(|(id, _)| *id == 2) else {
        return Ok((wasm.to_vec(), js.to_string(), 0));
    };
    let imports = parse_imports(import_body)?;

    let quoted = format!("\"{module}\"");
    let rename_module = js.matches(&quoted).count() == 1;
    let mut js = js.to_string();
    if rename_module {
        js = js.replacen(&quoted, &format!("\"{MODULE}\""), 1);
    }
    // Each name once: a field imported twice keeps the short name it got.
    let mut short_of = std::collections::HashMap::<&[u8], String>::new();
    let mut body = leb(imports.len() as u64);
    for import in &imports {
        let (mut m, mut f) = (import.module, import.field);
        if import.module == module.as_bytes() {
            if rename_module {
                m = MODULE.as_bytes();
            }
            if let Some(short) = short_of.get(import.field) {
                f = short.as_bytes();
            } else if let Some(at) = std::str::from_utf8(import.field)
                .ok()
                .and_then(|name| only_key(&js, name))
            {
                let short = name_for(short_of.len());
                js.replace_range(at..at + import.field.len(), &short);
                f = short_of.entry(import.field).or_insert(short).as_bytes();
            }
        }
        body.extend(leb(m.len() as u64));
        body.extend_from_slice(m);
        body.extend(leb(f.len() as u64));
        body.extend_from_slice(f);
        body.extend_from_slice(import.desc);
    }

    Ok((with_section(wasm, &sections, 2, &body), js, short_of.len()))
}

/// The module `wasm` (split into `sections`) with section `id`'s body
/// replaced by `body`; every other byte as it was.
pub(super) fn with_section(wasm: &[u8], sections: &[(u8, &[u8])], id: u8, body: &[u8]) -> Vec<u8> {
    let mut out = wasm[..8].to_vec();
    for &(section_id, section) in sections {
        out.push(section_id);
        let bytes = if section_id == id { body } else { section };
        out.extend(leb(bytes.len() as u64));
        out.extend_from_slice(bytes);
    }
    out
}

/// Where `name` is in `js`, if it is there exactly once as a whole word (not
/// counting longer names it is a part of), followed by `:` (an object key).
fn only_key(js: &str, name: &str) -> Option<usize> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
    let mut whole = js.match_indices(name).map(|(at, _)| at).filter(|&at| {
        !word(js[..at].chars().next_back()) && !word(js[at + name.len()..].chars().next())
    });
    let at = whole.next()?;
    if whole.next().is_some() {
        return None;
    }
    js[at + name.len()..]
        .trim_start()
        .starts_with(':')
        .then_some(at)
}

/// `a` … `z`, `A` … `Z`, `aa`, `ab`, …: never `__proto__` nor any other
/// name wasm-bindgen writes.
fn name_for(mut i: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[i % LETTERS.len()]);
        i /= LETTERS.len();
        if i == 0 {
            break;
        }
        i -= 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

struct Import<'a> {
    module: &'a [u8],
    field: &'a [u8],
    /// The import's kind and type, as written.
    desc: &'a [u8],
}

/// The sections of a wasm module: (id, body).
pub(super) fn sections(wasm: &[u8]) -> Result<Vec<(u8, &[u8])>> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err("not a wasm module".into());
    }
    let mut at = 8;
    let mut out = Vec::new();
    while at < wasm.len() {
        let id = wasm[at];
        let (len, body) = read_leb(wasm, at + 1)?;
        let end = body
            .checked_add(len as usize)
            .filter(|&e| e <= wasm.len())
            .ok_or("a wasm section runs past the end of the file")?;
        out.push((id, &wasm[body..end]));
        at = end;
    }
    Ok(out)
}

fn parse_imports(body: &[u8]) -> Result<Vec<Import<'_>>> {
    let (count, mut at) = read_leb(body, 0)?;
    let mut out = Vec::new();
    for _ in 0..count {
        let (module, next) = read_name(body, at)?;
        let (field, next) = read_name(body, next)?;
        let start = next;
        let kind = *body.get(start).ok_or("import section cut short")?;
        let mut p = start + 1;
        match kind {
            // A function or a tag's type index (a tag after its attribute).
            0 => p = read_leb(body, p)?.1,
            4 => p = read_leb(body, p + 1)?.1,
            // A table: its element type, then its limits.
            1 => p = limits(body, value_type(body, p)?)?,
            2 => p = limits(body, p)?,
            // A global: its value type and mutability.
            3 => p = value_type(body, p)? + 1,
            other => return Err(format!("an import of unknown kind {other}")),
        }
        if p > body.len() {
            return Err("import section cut short".into());
        }
        out.push(Import {
            module,
            field,
            desc: &body[start..p],
        });
        at = p;
    }
    if at != body.len() {
        return Err("the import section has bytes after its imports".into());
    }
    Ok(out)
}

/// Skips limits: a flags byte, the minimum, the maximum if flagged (0x01),
/// the page size's exponent if flagged (0x08, custom page sizes). Shared
/// (0x02) and 64-bit (0x04) limits are written the same way.
fn limits(body: &[u8], at: usize) -> Result<usize> {
    let flags = *body.get(at).ok_or("import section cut short")?;
    if flags & !0x0f != 0 {
        return Err(format!("limits with unknown flags {flags:#x}"));
    }
    let (_, mut p) = read_leb(body, at + 1)?;
    if flags & 0x01 != 0 {
        p = read_leb(body, p)?.1;
    }
    if flags & 0x08 != 0 {
        p = read_leb(body, p)?.1;
    }
    Ok(p)
}

/// Skips a one-byte value or reference type (numbers, `v128`, `funcref`,
/// `externref` and the other abbreviations); the longer typed references are
/// an error rather than a misread.
fn value_type(body: &[u8], at: usize) -> Result<usize> {
    match body.get(at) {
        Some(0x63 | 0x64) => Err("an import with a typed reference (not read here)".into()),
        Some(0x69..=0x7f) => Ok(at + 1),
        Some(other) => Err(format!("an import with unknown value type {other:#x}")),
        None => Err("import section cut short".into()),
    }
}

pub(super) fn read_name(b: &[u8], at: usize) -> Result<(&[u8], usize)> {
    let (len, start) = read_leb(b, at)?;
    let end = start
        .checked_add(len as usize)
        .filter(|&e| e <= b.len())
        .ok_or("a name runs past its section")?;
    Ok((&b[start..end], end))
}

/// An unsigned LEB128 at `at`: (value, the index after it).
pub(super) fn read_leb(b: &[u8], mut at: usize) -> Result<(u64, usize)> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(at).ok_or("a number runs past the end")?;
        at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    Err("a number longer than 64 bits".into())
}

pub(super) fn leb(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Vec<u8> {
        let mut v = leb(s.len() as u64);
        v.extend_from_slice(s.as_bytes());
        v
    }

    /// A module importing two functions and a memory from `./app_bg.js`, a
    /// function from the split loader, with a type and a custom section
    /// around the imports.
    fn module(imports: &[(&str, &str, &[u8])]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        let types = [1u8, 0x60, 0, 0];
        wasm.push(1);
        wasm.extend(leb(types.len() as u64));
        wasm.extend_from_slice(&types);
        let mut body = leb(imports.len() as u64);
        for (m, f, desc) in imports {
            body.extend(name(m));
            body.extend(name(f));
            body.extend_from_slice(desc);
        }
        wasm.push(2);
        wasm.extend(leb(body.len() as u64));
        wasm.extend(body);
        let mut custom = name("producers");
        custom.extend_from_slice(b"xyz");
        wasm.push(0);
        wasm.extend(leb(custom.len() as u64));
        wasm.extend(custom);
        wasm
    }

    const JS: &str = "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n        __wbg_log_0123456789abcdef: function(arg0) {\n            console.log(arg0);\n        },\n        __wbg_twice_fedcba9876543210: function() {},\n        __wbindgen_init_externref_table: function() {\n            wasm.__wbindgen_init_externref_table_x;\n        },\n    };\n    return {\n        __proto__: null,\n        \"./app_bg.js\": import0,\n        \"./__wasm_split.js\": import1,\n    };\n}\n// __wbg_twice_fedcba9876543210 is named twice\n";

    fn imports_of(wasm: &[u8]) -> Vec<(String, String, Vec<u8>)> {
        let s = sections(wasm).unwrap();
        let (_, body) = s.iter().find(|(id, _)| *id == 2).unwrap();
        parse_imports(body)
            .unwrap()
            .iter()
            .map(|i| {
                (
                    String::from_utf8(i.module.to_vec()).unwrap(),
                    String::from_utf8(i.field.to_vec()).unwrap(),
                    i.desc.to_vec(),
                )
            })
            .collect()
    }

    #[test]
    fn names_held_once_as_keys_are_shortened_in_both_and_the_rest_is_kept() {
        let memory: &[u8] = &[2, 1, 17, 0x80, 1];
        let wasm = module(&[
            ("./app_bg.js", "__wbg_log_0123456789abcdef", &[0, 0]),
            ("./app_bg.js", "__wbg_twice_fedcba9876543210", &[0, 0]),
            ("./app_bg.js", "__wbindgen_init_externref_table", &[0, 0]),
            ("./app_bg.js", "memory", memory),
            ("./__wasm_split.js", "__wasm_split_load_later", &[0, 0]),
        ]);
        let (out, js, renamed) = shorten(&wasm, JS, "./app_bg.js").unwrap();
        assert_eq!(renamed, 2);
        assert_eq!(
            imports_of(&out),
            vec![
                ("w".into(), "a".into(), vec![0, 0]),
                // Named twice in the JS: kept.
                (
                    "w".into(),
                    "__wbg_twice_fedcba9876543210".into(),
                    vec![0, 0]
                ),
                ("w".into(), "b".into(), vec![0, 0]),
                // Not in the JS as a key: kept.
                ("w".into(), "memory".into(), memory.to_vec()),
                (
                    "./__wasm_split.js".into(),
                    "__wasm_split_load_later".into(),
                    vec![0, 0]
                ),
            ]
        );
        assert!(js.contains("\n        a: function(arg0) {"), "{js}");
        assert!(
            js.contains(
                "\n        b: function() {\n            wasm.__wbindgen_init_externref_table_x;"
            ),
            "{js}"
        );
        assert!(js.contains("\"w\": import0,"), "{js}");
        assert!(js.contains("\"./__wasm_split.js\": import1,"), "{js}");
        assert!(
            js.contains("__wbg_twice_fedcba9876543210: function() {}"),
            "{js}"
        );
        // The other sections as they were, in order.
        let (before, after) = (sections(&wasm).unwrap(), sections(&out).unwrap());
        assert_eq!(before.len(), after.len());
        for ((a, x), (b, y)) in before.iter().zip(&after) {
            assert_eq!(a, b);
            if *a != 2 {
                assert_eq!(x, y);
            }
        }
        assert!(out.len() < wasm.len());
    }

    #[test]
    fn every_kind_of_import_is_read_and_a_name_imported_twice_gets_one_short_name() {
        let table: &[u8] = &[1, 0x70, 0, 3];
        let global: &[u8] = &[3, 0x7f, 1];
        let tag: &[u8] = &[4, 0, 0];
        let shared_memory: &[u8] = &[2, 3, 1, 2];
        let custom_pages: &[u8] = &[2, 0x08, 1, 0];
        let wasm = module(&[
            ("./app_bg.js", "__wbg_log_0123456789abcdef", &[0, 0]),
            ("./app_bg.js", "t", table),
            ("./app_bg.js", "g", global),
            ("./app_bg.js", "e", tag),
            ("./app_bg.js", "m", shared_memory),
            ("./app_bg.js", "p", custom_pages),
            ("./app_bg.js", "__wbg_log_0123456789abcdef", &[0, 0]),
        ]);
        let (out, js, renamed) = shorten(&wasm, JS, "./app_bg.js").unwrap();
        assert_eq!(renamed, 1);
        let fields: Vec<String> = imports_of(&out).into_iter().map(|i| i.1).collect();
        assert_eq!(fields, ["a", "t", "g", "e", "m", "p", "a"]);
        let descs: Vec<Vec<u8>> = imports_of(&out).into_iter().map(|i| i.2).collect();
        assert_eq!(
            descs[1..6],
            [table, global, tag, shared_memory, custom_pages].map(<[u8]>::to_vec)
        );
        assert!(js.contains("\n        a: function(arg0) {"), "{js}");
        // A typed reference is refused, not misread.
        let typed = module(&[("./app_bg.js", "g", &[3, 0x63, 0x70, 0])]);
        assert!(shorten(&typed, JS, "./app_bg.js").is_err());
    }

    #[test]
    fn short_names_are_distinct_letters_only() {
        let names: Vec<String> = (0..3000).map(name_for).collect();
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(names
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_alphabetic())));
        assert_eq!(
            (&names[0][..], &names[51][..], &names[52][..]),
            ("a", "Z", "aa")
        );
    }

    #[test]
    fn a_module_string_twice_in_the_js_keeps_the_module_name() {
        let wasm = module(&[("./app_bg.js", "__wbg_log_0123456789abcdef", &[0, 0])]);
        let js = format!("{JS}\"./app_bg.js\"");
        let (out, _, _) = shorten(&wasm, &js, "./app_bg.js").unwrap();
        assert_eq!(imports_of(&out)[0].0, "./app_bg.js");
    }

    #[test]
    fn a_broken_module_is_an_error_not_a_panic() {
        let wasm = module(&[("./app_bg.js", "__wbg_log_0123456789abcdef", &[0, 0])]);
        for cut in [3, 9, 12, wasm.len() - 4] {
            assert!(
                shorten(&wasm[..cut], JS, "./app_bg.js").is_err(),
                "cut at {cut}"
            );
        }
        let mut unknown = module(&[("./app_bg.js", "f", &[9, 0])]);
        assert!(shorten(&unknown, JS, "./app_bg.js").is_err());
        unknown.truncate(8);
        assert!(shorten(&unknown, JS, "./app_bg.js").unwrap().2 == 0);
    }
}
