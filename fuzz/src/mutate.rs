//! Making inputs: a valid sample with stacked mutations, or random bytes.
//!
//! Each case draws 512 bytes from a SplitMix64 stream keyed by the seed and the
//! case number; [`arbitrary::Unstructured`] reads every choice from them.

use arbitrary::{Result, Unstructured};

/// Inputs are cut to this size, so that a case stays fast.
pub const MAX_LEN: usize = 64 * 1024;

/// Tokens any JSON parser should see: structure, escapes, edge values.
const JSON_TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"\\",
    b"null",
    b"true",
    b"false",
    b"-0",
    b"1e999999",
    b"-1e-999999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"0.000000000000000000000000000000000000000000000001",
    b"\"\\ud800\"",
    b"\"\\udc00\\ud800\"",
    b"\"\\u0000\"",
    b"\"\\\"\"",
    b"\"\\/\"",
    b"\"\\x\"",
    b"{}",
    b"[]",
    b"\"\"",
    b" \t\r\n",
    b"\xEF\xBB\xBF",
    b"{\"error\":{\"code\":500,\"message\":\"m\",\"status\":\"INTERNAL\"}}",
];

/// Byte sequences that are not UTF-8.
const INVALID_UTF8: &[&[u8]] = &[
    b"\xFF",
    b"\x80",
    b"\xC0\x80",
    b"\xC3",
    b"\xE2\x82",
    b"\xED\xA0\x80",
    b"\xF4\x90\x80\x80",
    b"\xF0\x9F\x98",
];

const INTERESTING_BYTES: &[u8] = b"\x00\xFF\"\\{}[],:\n\r 0-.e+%#/\x7F\x80";

/// SplitMix64: the loop's random bytes.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The input of case `case` of `seed`.
pub fn input(seeds: &[Vec<u8>], dictionary: &[&[u8]], seed: u64, case: u64) -> Vec<u8> {
    let mut rng = SplitMix(seed ^ case.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let entropy: Vec<u8> = (0..64).flat_map(|_| rng.next().to_le_bytes()).collect();
    let mut u = Unstructured::new(&entropy);
    let mut out = make(&mut u, seeds, dictionary).unwrap_or_default();
    out.truncate(MAX_LEN);
    out
}

fn make(u: &mut Unstructured<'_>, seeds: &[Vec<u8>], dictionary: &[&[u8]]) -> Result<Vec<u8>> {
    // One case in ten: random bytes.
    if seeds.is_empty() || u.ratio(1u8, 10u8)? {
        let len = u.int_in_range(0..=512usize)?;
        return Ok((0..len).map(|_| u.arbitrary::<u8>().unwrap_or(0)).collect());
    }
    let mut data = u.choose(seeds)?.clone();
    // One case in twenty: the sample as it is.
    if u.ratio(1u8, 20u8)? {
        return Ok(data);
    }
    for _ in 0..u.int_in_range(1..=6u8)? {
        mutate(u, &mut data, seeds, dictionary)?;
        if data.len() > MAX_LEN {
            data.truncate(MAX_LEN);
        }
    }
    Ok(data)
}

/// A position in `0..=len`.
fn pos(u: &mut Unstructured<'_>, len: usize) -> Result<usize> {
    u.int_in_range(0..=len)
}

/// A range of `data`, mostly short.
fn range(u: &mut Unstructured<'_>, len: usize) -> Result<(usize, usize)> {
    let start = pos(u, len)?;
    let most = (len - start).min(if u.ratio(1u8, 8u8)? { len } else { 64 });
    let n = u.int_in_range(0..=most)?;
    Ok((start, start + n))
}

/// The positions of `b` in `data`, one picked.
fn find(u: &mut Unstructured<'_>, data: &[u8], b: u8) -> Result<Option<usize>> {
    let at: Vec<usize> = data
        .iter()
        .enumerate()
        .filter(|(_, x)| **x == b)
        .map(|(i, _)| i)
        .collect();
    if at.is_empty() {
        return Ok(None);
    }
    Ok(Some(*u.choose(&at)?))
}

fn mutate(
    u: &mut Unstructured<'_>,
    data: &mut Vec<u8>,
    seeds: &[Vec<u8>],
    dictionary: &[&[u8]],
) -> Result<()> {
    let len = data.len();
    match u.int_in_range(0..=12u8)? {
        // Truncate: the answer cut off.
        0 => data.truncate(pos(u, len)?),
        // Flip a bit.
        1 if len > 0 => {
            let i = u.int_in_range(0..=len - 1)?;
            let bit = u.int_in_range(0..=7u8)?;
            if let Some(b) = data.get_mut(i) {
                *b ^= 1 << bit;
            }
        }
        // An interesting byte in place of one.
        2 if len > 0 => {
            let i = u.int_in_range(0..=len - 1)?;
            let b = *u.choose(INTERESTING_BYTES)?;
            if let Some(slot) = data.get_mut(i) {
                *slot = b;
            }
        }
        // Random bytes inserted.
        3 => {
            let at = pos(u, len)?;
            let n = u.int_in_range(1..=16usize)?;
            let bytes: Vec<u8> = (0..n).map(|_| u.arbitrary::<u8>().unwrap_or(0)).collect();
            data.splice(at..at, bytes);
        }
        // A range deleted.
        4 => {
            let (a, b) = range(u, len)?;
            data.drain(a..b);
        }
        // A range duplicated elsewhere.
        5 => {
            let (a, b) = range(u, len)?;
            let copy = data.get(a..b).unwrap_or_default().to_vec();
            let at = pos(u, len)?;
            data.splice(at..at, copy);
        }
        // Spliced with another sample: this one's start, that one's end.
        6 => {
            let other = u.choose(seeds)?;
            let cut = pos(u, len)?;
            let from = pos(u, other.len())?;
            data.truncate(cut);
            data.extend_from_slice(other.get(from..).unwrap_or_default());
        }
        // A token inserted.
        7 => {
            let token: &[u8] = if !dictionary.is_empty() && u.ratio(2u8, 3u8)? {
                u.choose(dictionary)?
            } else {
                u.choose(JSON_TOKENS)?
            };
            let at = pos(u, len)?;
            data.splice(at..at, token.iter().copied());
        }
        // A duplicate key: a `"name": value,` right after some `{`.
        8 => {
            if let Some(at) = find(u, data, b'{')? {
                let key: &[u8] = if dictionary.is_empty() {
                    b"\"a\""
                } else {
                    u.choose(dictionary)?
                };
                let value: &[u8] = u.choose(JSON_TOKENS)?;
                let mut ins = key.to_vec();
                ins.push(b':');
                ins.extend_from_slice(value);
                ins.push(b',');
                data.splice(at + 1..at + 1, ins);
            }
        }
        // Deep nesting around the whole, or at a point.
        9 => {
            let depth = u.int_in_range(1..=3000usize)?;
            let (open, close): (&[u8], &[u8]) = match u.int_in_range(0..=2u8)? {
                0 => (b"[", b"]"),
                1 => (b"{\"a\":", b"}"),
                _ => (b"{\"candidates\":[{\"content\":", b"}]}"),
            };
            let at = if u.ratio(1u8, 2u8)? { 0 } else { pos(u, len)? };
            let end = if at == 0 { data.len() } else { at };
            let closing: Vec<u8> = close.repeat(depth);
            data.splice(end..end, closing);
            data.splice(at..at, open.repeat(depth));
        }
        // A huge or odd number in place of a digit run.
        10 => {
            if let Some(i) = data.iter().position(u8::is_ascii_digit).map(|first| {
                let skip = pos(u, 8).unwrap_or(0);
                data.iter()
                    .enumerate()
                    .skip(first)
                    .filter(|(_, b)| b.is_ascii_digit())
                    .nth(skip)
                    .map_or(first, |(i, _)| i)
            }) {
                let end = data
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(data.len(), |n| i + n);
                let big: Vec<u8> = match u.int_in_range(0..=3u8)? {
                    0 => "9".repeat(u.int_in_range(20..=400usize)?).into_bytes(),
                    1 => b"1e400".to_vec(),
                    2 => b"-1".to_vec(),
                    _ => b"4294967296".to_vec(),
                };
                data.splice(i..end, big);
            }
        }
        // Bytes that are not UTF-8.
        11 => {
            let bad = u.choose(INVALID_UTF8)?;
            let at = pos(u, len)?;
            data.splice(at..at, bad.iter().copied());
        }
        // A long string, or escapes, after some quote.
        _ => {
            if let Some(at) = find(u, data, b'"')? {
                let ins: Vec<u8> = match u.int_in_range(0..=2u8)? {
                    0 => "A".repeat(u.int_in_range(1..=20_000usize)?).into_bytes(),
                    1 => b"\\ud83d\\ude00\\u00e9\\n\\\"".to_vec(),
                    _ => "\u{1F511}\u{0}\u{7F}".as_bytes().to_vec(),
                };
                data.splice(at + 1..at + 1, ins);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_case_is_the_same_input() {
        let seeds = vec![b"{\"a\": [1, 2, \"x\"]}".to_vec()];
        for case in 0..200 {
            assert_eq!(
                input(&seeds, &[], 7, case),
                input(&seeds, &[], 7, case),
                "case {case}"
            );
        }
        let distinct: std::collections::HashSet<Vec<u8>> =
            (0..200).map(|c| input(&seeds, &[], 7, c)).collect();
        assert!(distinct.len() > 150, "{}", distinct.len());
    }
}
