//! Keeping the API key out of anything shown, logged or exported.
//!
//! An endpoint may echo the key back: verbatim, in a URL (percent-encoded, `+`
//! for space), inside JSON (`\"`, `\\`, `\u00e9`, surrogate pairs), or in part
//! (a proxy's log line that cuts it). [`scrub`] hides every run of
//! [`MIN_RUN`] or more consecutive characters of the key, read through each of
//! those encodings (and JSON holding a URL), behind [`HIDDEN`].

/// What a hidden key (or a piece of it) is shown as.
pub const HIDDEN: &str = "[key hidden]";

/// The fewest consecutive characters of the key that are hidden on their own.
/// A key shorter than this is hidden only where it appears whole and verbatim.
pub const MIN_RUN: usize = 8;

/// `text` with the key hidden wherever it appears: verbatim, URL-encoded
/// (`%XX` in either case, `+` for a space), JSON-escaped, and any run of
/// [`MIN_RUN`] or more of its consecutive characters. Neighbouring hidden
/// runs become one [`HIDDEN`]. An empty key hides nothing.
///
/// Time is linear in `text` (times how often a byte repeats in the key).
pub fn scrub(text: &str, key: &str) -> String {
    if key.is_empty() {
        return text.to_owned();
    }
    let chars = KeyChars::new(key);
    if chars.total < MIN_RUN {
        return text.replace(key, HIDDEN);
    }
    let mut hidden = vec![false; text.len()];
    let raw: Vec<Unit> = text
        .bytes()
        .enumerate()
        .map(|(i, b)| Unit {
            byte: b,
            alt: None,
            start: i,
            end: i + 1,
        })
        .collect();
    let url_escapes = |units: &[Unit]| units.iter().any(|u| u.byte == b'%' || u.byte == b'+');
    mark(&raw, key.as_bytes(), &chars, &mut hidden);
    if url_escapes(&raw) {
        mark(&url_decoded(&raw), key.as_bytes(), &chars, &mut hidden);
    }
    if text.contains('\\') {
        let json = json_unescaped(&raw);
        mark(&json, key.as_bytes(), &chars, &mut hidden);
        if url_escapes(&json) {
            mark(&url_decoded(&json), key.as_bytes(), &chars, &mut hidden);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut in_hidden = false;
    for (i, c) in text.char_indices() {
        let hide = hidden
            .get(i..i + c.len_utf8())
            .is_some_and(|bytes| bytes.iter().any(|h| *h));
        if hide {
            if !in_hidden {
                out.push_str(HIDDEN);
            }
        } else {
            out.push(c);
        }
        in_hidden = hide;
    }
    out
}

/// One byte of a decoded view of the text, and the bytes of the text it came
/// from (`start..end`).
#[derive(Clone, Copy, Debug)]
struct Unit {
    byte: u8,
    /// Another byte it may stand for (`+` is a space in a query, or itself).
    alt: Option<u8>,
    start: usize,
    end: usize,
}

/// Where the key's characters begin, to count whole characters in a run of its
/// bytes.
struct KeyChars {
    /// `before[j]`: characters wholly in `key[..j]`.
    before: Vec<usize>,
    /// `up[j]`: the first character boundary at or after `j`.
    up: Vec<usize>,
    total: usize,
}

impl KeyChars {
    fn new(key: &str) -> Self {
        let n = key.len();
        let mut before = vec![0; n + 1];
        let mut count = 0;
        for (j, slot) in before.iter_mut().enumerate() {
            if key.is_char_boundary(j) {
                *slot = count;
                count += 1;
            } else {
                *slot = count - 1;
            }
        }
        let mut up = vec![n; n + 1];
        let mut next = n;
        for j in (0..=n).rev() {
            if key.is_char_boundary(j) {
                next = j;
            }
            if let Some(slot) = up.get_mut(j) {
                *slot = next;
            }
        }
        Self {
            before,
            up,
            total: key.chars().count(),
        }
    }

    /// Whole characters in `key[a..e]`.
    fn whole_in(&self, a: usize, e: usize) -> usize {
        let start = self.up.get(a).copied().unwrap_or(usize::MAX);
        let before_e = self.before.get(e).copied().unwrap_or(0);
        let before_start = self.before.get(start).copied().unwrap_or(usize::MAX);
        before_e.saturating_sub(before_start)
    }
}

/// Marks the text bytes of every run of [`MIN_RUN`]+ key characters in `units`:
/// the longest common substring table, one row at a time, touching only the
/// key positions that hold the unit's byte (so a key whose bytes differ costs
/// one step per unit).
fn mark(units: &[Unit], key: &[u8], chars: &KeyChars, hidden: &mut [bool]) {
    let k = key.len();
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); 256];
    for (j, b) in key.iter().enumerate() {
        if let Some(list) = at.get_mut(usize::from(*b)) {
            list.push(j);
        }
    }
    let none: &[usize] = &[];
    let positions = |b: u8| at.get(usize::from(b)).map_or(none, Vec::as_slice);
    // prev[j + 1]: the run of units ending at the previous unit and of key
    // bytes ending at key[j]; `prev_set` lists its non-zero entries.
    let (mut prev, mut cur) = (vec![0usize; k + 1], vec![0usize; k + 1]);
    let (mut prev_set, mut cur_set) = (Vec::new(), Vec::new());
    // best[i]: the longest hidden run of units ending at unit i.
    let mut best = vec![0usize; units.len()];
    for (i, u) in units.iter().enumerate() {
        let mut longest = 0;
        let alt = u.alt.map_or(none, positions);
        for &j in positions(u.byte).iter().chain(alt) {
            let len = prev.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = len;
                cur_set.push(j + 1);
            }
            if len > longest && chars.whole_in(j + 1 - len, j + 1) >= MIN_RUN {
                longest = len;
            }
        }
        if let Some(slot) = best.get_mut(i) {
            *slot = longest;
        }
        for j in prev_set.drain(..) {
            if let Some(slot) = prev.get_mut(j) {
                *slot = 0;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
        std::mem::swap(&mut prev_set, &mut cur_set);
    }
    let mut left = 0usize;
    for (i, u) in units.iter().enumerate().rev() {
        left = left.max(best.get(i).copied().unwrap_or(0));
        if left > 0 {
            for h in hidden.get_mut(u.start..u.end).into_iter().flatten() {
                *h = true;
            }
            left -= 1;
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The view with `%XX` (either case) decoded and `+` read as a space (or itself).
fn url_decoded(units: &[Unit]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(units.len());
    let mut i = 0;
    while let Some(u) = units.get(i) {
        let escape = match (u.byte, units.get(i + 1), units.get(i + 2)) {
            (b'%', Some(h), Some(l)) => hex(h.byte)
                .zip(hex(l.byte))
                .map(|(h1, l1)| (h1 << 4 | l1, l.end)),
            _ => None,
        };
        match escape {
            Some((byte, end)) => {
                out.push(Unit {
                    byte,
                    alt: None,
                    start: u.start,
                    end,
                });
                i += 3;
            }
            None => {
                out.push(if u.byte == b'+' {
                    Unit {
                        byte: b' ',
                        alt: Some(b'+'),
                        ..*u
                    }
                } else {
                    *u
                });
                i += 1;
            }
        }
    }
    out
}

/// The view with JSON string escapes decoded: `\"`, `\\`, `\/`, `\b`, `\f`,
/// `\n`, `\r`, `\t` and `\uXXXX` (a surrogate pair as one character, its UTF-8
/// bytes each spanning the whole escape). Anything else stays as it is.
fn json_unescaped(units: &[Unit]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(units.len());
    let mut i = 0;
    let code_unit = |at: usize| -> Option<u16> {
        let u = units.get(at..at + 6)?;
        if u.first()?.byte != b'\\' || u.get(1)?.byte != b'u' {
            return None;
        }
        u.get(2..)?
            .iter()
            .try_fold(0u16, |acc, d| Some(acc << 4 | u16::from(hex(d.byte)?)))
    };
    while let Some(u) = units.get(i) {
        let next = units.get(i + 1).map(|n| n.byte);
        let short = match (u.byte, next) {
            (b'\\', Some(b'"')) => Some(b'"'),
            (b'\\', Some(b'\\')) => Some(b'\\'),
            (b'\\', Some(b'/')) => Some(b'/'),
            (b'\\', Some(b'b')) => Some(0x08),
            (b'\\', Some(b'f')) => Some(0x0c),
            (b'\\', Some(b'n')) => Some(b'\n'),
            (b'\\', Some(b'r')) => Some(b'\r'),
            (b'\\', Some(b't')) => Some(b'\t'),
            _ => None,
        };
        if let (Some(byte), Some(n)) = (short, units.get(i + 1)) {
            out.push(Unit {
                byte,
                alt: None,
                start: u.start,
                end: n.end,
            });
            i += 2;
            continue;
        }
        let decoded = code_unit(i).and_then(|hi| {
            if (0xD800..0xDC00).contains(&hi) {
                let lo = code_unit(i + 6).filter(|lo| (0xDC00..0xE000).contains(lo))?;
                let c = 0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                Some((char::from_u32(c)?, 12))
            } else {
                Some((char::from_u32(u32::from(hi))?, 6))
            }
        });
        match decoded {
            Some((c, len)) => {
                let end = units.get(i + len - 1).map_or(u.end, |l| l.end);
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push(Unit {
                        byte: b,
                        alt: None,
                        start: u.start,
                        end,
                    });
                }
                i += len;
            }
            None => {
                out.push(*u);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY";

    /// Every byte as `%XX`, upper or lower case.
    fn percent_all(s: &str, lower: bool) -> String {
        s.bytes()
            .map(|b| {
                if lower {
                    format!("%{b:02x}")
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    /// A form encoder: unreserved bytes as they are, space as `+`, the rest `%XX`.
    fn form(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b' ' => "+".to_owned(),
                b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => (b as char).to_string(),
                b => format!("%{b:02X}"),
            })
            .collect()
    }

    /// JSON with every non-ASCII character (and some ASCII) as `\uXXXX`.
    fn json_ascii(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '/' => out.push_str("\\/"),
                c if c.is_ascii_alphanumeric() => out.push(c),
                c => {
                    let mut buf = [0u16; 2];
                    for u in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{u:04X}"));
                    }
                }
            }
        }
        out
    }

    /// Whether any run of `MIN_RUN` characters of `key` is in `text` verbatim.
    fn has_run(text: &str, key: &str) -> bool {
        let chars: Vec<char> = key.chars().collect();
        chars
            .windows(MIN_RUN)
            .any(|w| text.contains(&w.iter().collect::<String>()))
    }

    fn hides(key: &str, encoded: &str) {
        // `<` and `>` are in none of the keys: the run cannot grow into them.
        let text = format!("before <{encoded}> after");
        assert_eq!(
            scrub(&text, key),
            format!("before <{HIDDEN}> after"),
            "key {key:?} as {encoded:?}"
        );
    }

    const ADVERSARIAL: [&str; 6] = [
        KEY,
        r".*+?^${}()|[]\/ a.*",
        "ключ-🔑-秘密-Ünïcödé-0123",
        "abababababab",
        "pass word+with%25&=?#\"quotes\"\\",
        "\u{0}\u{1f}\t\n\r\u{7f}\u{ffff}\u{10ffff}xyz",
    ];

    #[test]
    fn every_encoding_of_every_key_is_hidden() {
        for key in ADVERSARIAL {
            hides(key, key);
            hides(key, &percent_all(key, false));
            hides(key, &percent_all(key, true));
            hides(key, &form(key));
            hides(key, serde_json::to_string(key).unwrap().trim_matches('"'));
            hides(key, &json_ascii(key));
            // A URL inside JSON: the query string's `%` kept, `/` escaped.
            hides(key, &form(key).replace('/', "\\/"));
            hides(key, &json_ascii(&form(key)));
        }
    }

    #[test]
    fn partial_echoes_of_eight_characters_or_more_are_hidden() {
        for key in ADVERSARIAL {
            let chars: Vec<char> = key.chars().collect();
            for len in [MIN_RUN, MIN_RUN + 3] {
                for at in [0, chars.len() - len, (chars.len() - len) / 2] {
                    let run: String = chars[at..at + len].iter().collect();
                    hides(key, &run);
                    hides(key, &percent_all(&run, true));
                    hides(key, &json_ascii(&run));
                }
            }
        }
        // Seven characters of a long key are not a leak on their own.
        assert_eq!(scrub("id AIzaSyD here", KEY), "id AIzaSyD here");
        let seven: String = "ключ-🔑-".to_owned();
        assert_eq!(seven.chars().count(), 7);
        assert_eq!(scrub(&seven, ADVERSARIAL[2]), seven);
    }

    #[test]
    fn overlapping_and_repeated_keys_leave_nothing() {
        let key = "abababababab";
        assert_eq!(
            scrub("xabababababababababababy", key),
            format!("x{HIDDEN}y")
        );
        assert_eq!(scrub("abababa", key), "abababa", "seven characters stay");
        assert_eq!(
            scrub("aaaaaaaaaaaaaaaaaaaaaa!", "aaaaaaaaaa"),
            format!("{HIDDEN}!")
        );
        assert_eq!(
            scrub(&format!("{KEY}{KEY}%41{}", &KEY[1..]), KEY),
            HIDDEN,
            "neighbouring echoes are one marker"
        );
        assert_eq!(
            scrub(&format!("{KEY}%41{KEY}"), KEY),
            format!("{HIDDEN}%41{HIDDEN}")
        );
        assert_eq!(
            scrub(&format!("{KEY} and {KEY}"), KEY),
            format!("{HIDDEN} and {HIDDEN}")
        );
        // The key's end glued to its start.
        let text = format!("{}{}", &KEY[30..], &KEY[..10]);
        assert_eq!(scrub(&text, KEY), HIDDEN);
    }

    #[test]
    fn short_keys_are_hidden_only_verbatim() {
        assert_eq!(
            scrub("k=a.c* and a.c*", "a.c*"),
            format!("k={HIDDEN} and {HIDDEN}")
        );
        assert_eq!(scrub("k=a%2Ec%2A", "a.c*"), "k=a%2Ec%2A");
        assert_eq!(scrub("ab", "abc"), "ab");
        assert_eq!(scrub("x\u{1F511}y", "\u{1F511}"), format!("x{HIDDEN}y"));
        assert_eq!(scrub("anything", ""), "anything");
    }

    #[test]
    fn text_without_the_key_is_unchanged() {
        for text in [
            "",
            "plain",
            "100% + 50% = \\u00e9 \\\" %zz %4 \\ud83d lone \\uDC00 %F0%9F",
            "ключ 🔑 AIzaSyQ-AAAA",
            "\\u0041\\u0049\\u007a\\u0061",
        ] {
            assert_eq!(scrub(text, KEY), text, "{text:?}");
        }
    }

    #[test]
    fn no_run_survives_in_mixed_texts() {
        // Random texts made of pieces of the keys (in random encodings) and noise.
        let mut seed = 0x2545F4914F6CDD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let noise = [
            "x", " ", "%", "+", "\\", "\\u", "é", "%2", "a", "b", "\"", "🔑",
        ];
        for key in ADVERSARIAL {
            let chars: Vec<char> = key.chars().collect();
            for _ in 0..300 {
                let mut text = String::new();
                for _ in 0..(next() % 6) {
                    let at = (next() as usize) % chars.len();
                    let len = (next() as usize) % (chars.len() - at + 1);
                    let piece: String = chars[at..at + len].iter().collect();
                    match next() % 4 {
                        0 => text.push_str(&piece),
                        1 => text.push_str(&percent_all(&piece, next() % 2 == 0)),
                        2 => text.push_str(&json_ascii(&piece)),
                        _ => text.push_str(&form(&piece)),
                    }
                    text.push_str(noise[(next() as usize) % noise.len()]);
                }
                let out = scrub(&text, key);
                // Verbatim runs are gone, and so are encoded ones: decoding the
                // output the same ways finds none either.
                assert!(!has_run(&out, key), "{key:?} in {out:?} from {text:?}");
                let again = scrub(&out, key);
                assert_eq!(again, out, "nothing more to hide: {text:?}");
            }
        }
    }
}
