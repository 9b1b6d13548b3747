//! Precompressed copies of the release build's files (issue 17): beside each
//! file the page loads at start, `<file>.gz`, compressed with Zopfli: the
//! gzip format every browser reads, about 5 % smaller than `gzip -9` (the
//! main module: 8 KB less to wait for, 40 ms on slow 4G). nginx serves them
//! with `gzip_static on` (deploy/nginx/gemini-studio.conf), as do other
//! servers that look for `.gz` files; hosts that compress themselves ignore
//! them.
//!
//! Only the wasm, JS, CSS and SVG files, which nobody edits after the build.
//! Not index.html: a site may edit its Content Security Policy there by hand
//! (README, "Content Security Policy"), and nginx would go on serving a stale
//! `.gz` of it (gzip_static does not compare the files); it is 2 KB. Not
//! sw.js (a test rewrites it in place to stand for a new build), nor what a
//! site adds (config.json).

use std::fs;
use std::path::Path;

use crate::Result;

/// Whether `name` (a file of the build's top folder) gets a `.gz` copy.
fn wanted(name: &str) -> bool {
    let loaded = [".wasm", ".js", ".css", ".svg"]
        .iter()
        .any(|ext| name.ends_with(ext));
    loaded && name != "sw.js"
}

/// The gzip (RFC 1952) encoding of `data`, as small as Zopfli makes it.
pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 3);
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        data,
        &mut out,
    )
    .map_err(|e| format!("zopfli: {e}"))?;
    Ok(out)
}

/// Writes `<file>.gz` beside every file of `dist` that [`wanted`] names
/// (replacing any from before; a file whose encoding would not be smaller
/// gets none), and removes `.gz` files left beside files that are gone or
/// no longer wanted. Returns the (raw, compressed) bytes of what it wrote.
pub fn write(dist: &Path) -> Result<(u64, u64)> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", dist.display()))?;
        if entry.path().is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let mut total = (0, 0);
    for name in &names {
        let path = dist.join(name);
        if let Some(of) = name.strip_suffix(".gz") {
            if !(wanted(of) && names.iter().any(|n| n == of)) {
                fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            continue;
        }
        if !wanted(name) {
            continue;
        }
        let data = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let packed = gzip(&data)?;
        let out = dist.join(format!("{name}.gz"));
        if packed.len() < data.len() {
            fs::write(&out, &packed).map_err(|e| format!("{}: {e}", out.display()))?;
            total.0 += data.len() as u64;
            total.1 += packed.len() as u64;
        } else if out.exists() {
            fs::remove_file(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .expect("a valid gzip stream");
        out
    }

    #[test]
    fn the_encoding_is_gzip_that_decodes_to_the_file() {
        let text = "body { color: red }\n".repeat(200);
        let packed = gzip(text.as_bytes()).unwrap();
        assert_eq!(&packed[..2], &[0x1f, 0x8b], "the gzip magic");
        assert!(packed.len() < text.len() / 10);
        assert_eq!(gunzip(&packed), text.as_bytes());
        assert_eq!(gunzip(&gzip(b"").unwrap()), b"");
    }

    #[test]
    fn only_files_loaded_at_start_get_a_copy_and_old_copies_go() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("assets")).unwrap();
        let big = "let a = 1; ".repeat(300);
        for name in [
            "index.html",
            "studio-0123456789abcdef.js",
            "studio-0123456789abcdef_bg.wasm",
            "studio-0123456789abcdef.css",
            "sw.js",
            "config.json",
            "_headers",
        ] {
            fs::write(dir.join(name), &big).unwrap();
        }
        fs::write(dir.join("icon.svg"), "<svg/>").unwrap(); // too small to gain
        fs::write(dir.join("icon.svg.gz"), "stale").unwrap();
        fs::write(dir.join("sw.js.gz"), "stale").unwrap();
        fs::write(dir.join("index.html.gz"), "stale").unwrap();
        fs::write(dir.join("gone-0123456789abcdef.js.gz"), "stale").unwrap();
        let (raw, packed) = write(&dir).unwrap();
        assert_eq!(raw, 3 * big.len() as u64);
        assert!(packed < raw / 10);
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".gz"))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "studio-0123456789abcdef.css.gz",
                "studio-0123456789abcdef.js.gz",
                "studio-0123456789abcdef_bg.wasm.gz",
            ]
        );
        let gz = fs::read(dir.join("studio-0123456789abcdef_bg.wasm.gz")).unwrap();
        assert_eq!(gunzip(&gz), big.as_bytes());
        fs::remove_dir_all(&dir).unwrap();
    }
}
