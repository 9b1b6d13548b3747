//! Entry names: what is safe to write and to read, and a portable name from a prompt.

use super::NameError;

/// The longest name [`safe_name`] returns, in bytes (without the extension the caller adds).
pub const SAFE_NAME_MAX_BYTES: usize = 64;

/// Checks a file entry's name (`/` separates folders). Refused: empty names, absolute
/// paths (`/x`, `C:x`), `..`, `.` or empty components, backslashes, control characters,
/// names ending with `/`, names over 65 535 bytes.
pub fn validate_name(name: &str) -> Result<(), NameError> {
    validate(name, false)
}

/// As [`validate_name`]; with `folder_ok`, a single trailing `/` (a folder entry) is fine.
pub(crate) fn validate(name: &str, folder_ok: bool) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > usize::from(u16::MAX) {
        return Err(NameError::TooLong);
    }
    let bytes = name.as_bytes();
    if bytes.first() == Some(&b'/')
        || matches!(bytes, [letter, b':', ..] if letter.is_ascii_alphabetic())
    {
        return Err(NameError::Absolute);
    }
    if name.contains('\\') {
        return Err(NameError::Backslash);
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    let path = match name.strip_suffix('/') {
        Some(_) if !folder_ok => return Err(NameError::Folder),
        Some(folder) => folder,
        None => name,
    };
    for component in path.split('/') {
        match component {
            ".." => return Err(NameError::ParentDirectory),
            "" | "." => return Err(NameError::EmptyComponent),
            _ => {}
        }
    }
    Ok(())
}

/// A portable file name from anything (typically a prompt): letters and digits of any
/// script are kept, `-`, `_` and `.` too; every other run of characters becomes one
/// `-`. Leading and trailing `-` and `.` are trimmed, the result is cut to
/// [`SAFE_NAME_MAX_BYTES`] on a character boundary, Windows device names (`CON`,
/// `NUL`, `COM1`…) get a leading `_`, and an empty result is `untitled`. The caller
/// adds the extension. The result always passes [`validate_name`].
///
/// `"A red fox, at dawn!"` → `A-red-fox-at-dawn`; `"../../etc/passwd"` → `etc-passwd`.
pub fn safe_name(proposed: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in proposed.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
        if !keep {
            pending_dash = true;
            continue;
        }
        let dash = usize::from(pending_dash && !out.is_empty());
        if out.len() + dash + c.len_utf8() > SAFE_NAME_MAX_BYTES {
            break;
        }
        if dash == 1 {
            out.push('-');
        }
        pending_dash = false;
        out.push(c);
    }
    let trimmed = out.trim_matches(['-', '.']);
    let mut name = if trimmed.is_empty() {
        String::from("untitled")
    } else {
        trimmed.to_owned()
    };
    if is_windows_device(&name) {
        name.insert(0, '_');
        if name.len() > SAFE_NAME_MAX_BYTES {
            name.truncate(SAFE_NAME_MAX_BYTES);
        }
    }
    name
}

/// `CON`, `aux.txt`, `Com1`…: names Windows refuses whatever their extension.
fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    match stem.as_bytes() {
        b"CON" | b"PRN" | b"AUX" | b"NUL" => true,
        [b'C', b'O', b'M', d] | [b'L', b'P', b'T', d] => d.is_ascii_digit() && *d != b'0',
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_nested_names() {
        for ok in [
            "a.png",
            "images/2026/fox.png",
            "Café über 東京.webp",
            "..hidden",
            "a..b",
            "ab:c",
            "manifest.json",
        ] {
            assert_eq!(validate_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(validate("folder/", true), Ok(()));
        assert_eq!(validate("a/b/", true), Ok(()));
    }

    #[test]
    fn refuses_hostile_names() {
        let cases: &[(&str, NameError)] = &[
            ("", NameError::Empty),
            ("/etc/passwd", NameError::Absolute),
            ("C:evil.exe", NameError::Absolute),
            ("c:/x", NameError::Absolute),
            ("../x", NameError::ParentDirectory),
            ("a/../../x", NameError::ParentDirectory),
            ("a/..", NameError::ParentDirectory),
            ("..", NameError::ParentDirectory),
            ("a\\b", NameError::Backslash),
            ("..\\..\\x", NameError::Backslash),
            ("a\0b", NameError::Control),
            ("a\nb", NameError::Control),
            ("a\u{7f}", NameError::Control),
            ("a\u{85}", NameError::Control),
            ("a//b", NameError::EmptyComponent),
            ("./a", NameError::EmptyComponent),
            ("a/./b", NameError::EmptyComponent),
            ("folder/", NameError::Folder),
        ];
        for (name, want) in cases {
            assert_eq!(validate_name(name), Err(*want), "{name:?}");
        }
        assert_eq!(validate("a//", true), Err(NameError::EmptyComponent));
        assert_eq!(validate_name(&"x".repeat(65_536)), Err(NameError::TooLong));
    }

    #[test]
    fn safe_names_from_prompts() {
        assert_eq!(safe_name("A red fox, at dawn!"), "A-red-fox-at-dawn");
        assert_eq!(safe_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_name("C:\\Windows\\system32"), "C-Windows-system32");
        assert_eq!(safe_name("Café über straße 東京"), "Café-über-straße-東京");
        assert_eq!(
            safe_name("  \t\n<script>alert(1)</script>"),
            "script-alert-1-script"
        );
        assert_eq!(safe_name(""), "untitled");
        assert_eq!(safe_name("!!! ... ???"), "untitled");
        assert_eq!(safe_name("con"), "_con");
        assert_eq!(safe_name("LPT9.txt"), "_LPT9.txt");
        assert_eq!(safe_name("COM0"), "COM0");
        assert_eq!(safe_name("console"), "console");
        assert_eq!(safe_name("v1.2 model."), "v1.2-model");
        assert_eq!(safe_name("a\0b\u{202e}c"), "a-b-c");
    }

    #[test]
    fn safe_names_are_short_valid_and_cut_on_char_boundaries() {
        let long = safe_name(&"word ".repeat(100));
        assert!(long.len() <= SAFE_NAME_MAX_BYTES, "{long}");
        assert!(!long.ends_with('-'), "{long}");
        let cjk = safe_name(&"東".repeat(100));
        assert!(cjk.len() <= SAFE_NAME_MAX_BYTES && cjk.chars().all(|c| c == '東'));
        for proposed in ["..", "/", "a/b", "\\", "x\u{0}", "-.-", "é", "a..b"] {
            let name = safe_name(proposed);
            assert_eq!(validate_name(&name), Ok(()), "{proposed:?} -> {name:?}");
        }
    }
}
