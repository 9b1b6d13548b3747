//! Block structure: a line-by-line pass per container level. Containers (quotes,
//! list items) collect their lines, strip their markers and parse them again one level
//! deeper, at most `MAX_DEPTH` levels: linear in the input times that cap.

use super::inline::parse_inlines;
use super::{Block, MAX_DEPTH};

pub(super) fn parse_document(input: &str) -> Vec<Block> {
    let lines: Vec<String> = input
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).replace('\0', "\u{FFFD}"))
        .collect();
    parse_blocks(&lines, 0)
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Columns of leading whitespace, tabs to the next multiple of 4.
fn indent_of(line: &str) -> usize {
    let mut col = 0;
    for b in line.bytes() {
        match b {
            b' ' => col += 1,
            b'\t' => col += 4 - col % 4,
            _ => break,
        }
    }
    col
}

/// `line` without its first `n` columns of leading whitespace (a tab cut in the middle
/// leaves its remaining columns as spaces).
fn strip_cols(line: &str, n: usize) -> String {
    let mut col = 0;
    for (i, b) in line.bytes().enumerate() {
        if col >= n {
            return line.get(i..).unwrap_or("").to_owned();
        }
        match b {
            b' ' => col += 1,
            b'\t' => {
                let next = col + 4 - col % 4;
                if next > n {
                    let mut s = " ".repeat(next - n);
                    s.push_str(line.get(i + 1..).unwrap_or(""));
                    return s;
                }
                col = next;
            }
            _ => return line.get(i..).unwrap_or("").to_owned(),
        }
    }
    String::new()
}

fn trim_ws(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

fn trim_start_ws(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListKind {
    Bullet(u8),
    Ordered(u8),
}

#[derive(Clone, Copy, Debug)]
struct Marker {
    kind: ListKind,
    start: u32,
    /// Bytes of the marker itself (`-`, `12.`).
    marker_len: usize,
    /// Columns of spaces between the marker and the content.
    spaces: usize,
    /// Columns from the line start to the item's content.
    width: usize,
    /// Nothing after the marker on its line.
    empty: bool,
}

/// A list item marker at the start of `line` (indent up to 3 columns).
fn list_marker(line: &str) -> Option<Marker> {
    let indent = indent_of(line);
    if indent > 3 {
        return None;
    }
    let rest = trim_start_ws(line);
    let bytes = rest.as_bytes();
    let (kind, start, marker_len) = match bytes.first()? {
        b @ (b'-' | b'+' | b'*') => (ListKind::Bullet(*b), 1, 1),
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 {
                return None;
            }
            let delim = *bytes.get(digits)?;
            if delim != b'.' && delim != b')' {
                return None;
            }
            let start = rest.get(..digits)?.parse().ok()?;
            (ListKind::Ordered(delim), start, digits + 1)
        }
        _ => return None,
    };
    let after = rest.get(marker_len..)?;
    if is_blank(after) {
        return Some(Marker {
            kind,
            start,
            marker_len,
            spaces: 1,
            width: indent + marker_len + 1,
            empty: true,
        });
    }
    if !after.starts_with([' ', '\t']) {
        return None;
    }
    let spaces = indent_of(after);
    let spaces = if spaces >= 5 { 1 } else { spaces };
    Some(Marker {
        kind,
        start,
        marker_len,
        spaces,
        width: indent + marker_len + spaces,
        empty: false,
    })
}

/// The content of an item's first line: after the marker and its spaces.
fn item_first_line(line: &str, marker: &Marker) -> String {
    if marker.empty {
        return String::new();
    }
    let after = trim_start_ws(line).get(marker.marker_len..).unwrap_or("");
    strip_cols(after, marker.spaces)
}

/// `***`, `- - -`, `___`: three or more of one of `*-_`, spaces between.
fn is_thematic_break(line: &str) -> bool {
    if indent_of(line) > 3 {
        return false;
    }
    let rest = trim_ws(line);
    let Some(&c) = rest.as_bytes().first() else {
        return false;
    };
    matches!(c, b'*' | b'-' | b'_')
        && rest.bytes().filter(|&b| b == c).count() >= 3
        && rest.bytes().all(|b| b == c || b == b' ' || b == b'\t')
}

/// `# Title ##` → (1, "Title").
fn atx_heading(line: &str) -> Option<(u8, &str)> {
    if indent_of(line) > 3 {
        return None;
    }
    let rest = trim_start_ws(line);
    let level = rest.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let after = rest.get(level..)?;
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    let mut text = trim_ws(after);
    // A closing run of #s, if preceded by a space (or the whole text).
    let without = text.trim_end_matches('#');
    if without.is_empty() {
        text = "";
    } else if without.ends_with([' ', '\t']) {
        text = trim_ws(without);
    }
    Some((level as u8, text))
}

/// `===` or `---` under a paragraph: its level.
fn setext_level(line: &str) -> Option<u8> {
    if indent_of(line) > 3 {
        return None;
    }
    let rest = trim_ws(line);
    let c = *rest.as_bytes().first()?;
    if (c == b'=' || c == b'-') && rest.bytes().all(|b| b == c) {
        Some(if c == b'=' { 1 } else { 2 })
    } else {
        None
    }
}

/// An opening code fence: (fence char, length, info string).
fn fence_open(line: &str) -> Option<(u8, usize, &str)> {
    if indent_of(line) > 3 {
        return None;
    }
    let rest = trim_start_ws(line);
    let c = *rest.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == c).count();
    if len < 3 {
        return None;
    }
    let info = trim_ws(rest.get(len..)?);
    if c == b'`' && info.contains('`') {
        return None;
    }
    Some((c, len, info))
}

fn fence_closes(line: &str, c: u8, len: usize) -> bool {
    if indent_of(line) > 3 {
        return false;
    }
    let rest = trim_ws(line);
    rest.len() >= len && rest.bytes().all(|b| b == c)
}

/// Whether `line` starts a block that may interrupt a paragraph (so it is not a lazy
/// continuation line).
fn interrupts_paragraph(line: &str, depth: usize) -> bool {
    if indent_of(line) > 3 {
        return false;
    }
    let rest = trim_start_ws(line);
    atx_heading(line).is_some()
        || fence_open(line).is_some()
        || is_thematic_break(line)
        || (rest.starts_with('>') && depth < MAX_DEPTH)
        || (depth < MAX_DEPTH
            && list_marker(line).is_some_and(|m| {
                !m.empty && (matches!(m.kind, ListKind::Bullet(_)) || m.start == 1)
            }))
}

pub(super) fn parse_blocks(lines: &[String], depth: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        if is_blank(line) {
            flush_paragraph(&mut para, &mut blocks);
            i += 1;
            continue;
        }
        let indent = indent_of(line);
        if indent >= 4 {
            if !para.is_empty() {
                para.push(trim_start_ws(line));
                i += 1;
                continue;
            }
            i = indented_code(lines, i, &mut blocks);
            continue;
        }
        if let Some((c, len, info)) = fence_open(line) {
            flush_paragraph(&mut para, &mut blocks);
            i = fenced_code(lines, i + 1, indent, c, len, info, &mut blocks);
            continue;
        }
        if let Some((level, text)) = atx_heading(line) {
            flush_paragraph(&mut para, &mut blocks);
            blocks.push(Block::Heading {
                level,
                content: parse_inlines(text),
            });
            i += 1;
            continue;
        }
        if !para.is_empty() {
            if let Some(level) = setext_level(line) {
                let text = para.join("\n");
                para.clear();
                blocks.push(Block::Heading {
                    level,
                    content: parse_inlines(trim_ws(&text)),
                });
                i += 1;
                continue;
            }
        }
        if is_thematic_break(line) {
            flush_paragraph(&mut para, &mut blocks);
            blocks.push(Block::ThematicBreak);
            i += 1;
            continue;
        }
        if depth < MAX_DEPTH && trim_start_ws(line).starts_with('>') {
            flush_paragraph(&mut para, &mut blocks);
            i = block_quote(lines, i, depth, &mut blocks);
            continue;
        }
        if depth < MAX_DEPTH {
            if let Some(marker) = list_marker(line) {
                let may_interrupt = !marker.empty
                    && (matches!(marker.kind, ListKind::Bullet(_)) || marker.start == 1);
                if para.is_empty() || may_interrupt {
                    flush_paragraph(&mut para, &mut blocks);
                    i = list(lines, i, marker, depth, &mut blocks);
                    continue;
                }
            }
        }
        para.push(trim_start_ws(line));
        i += 1;
    }
    flush_paragraph(&mut para, &mut blocks);
    blocks
}

fn flush_paragraph(para: &mut Vec<&str>, blocks: &mut Vec<Block>) {
    if para.is_empty() {
        return;
    }
    let text = para.join("\n");
    para.clear();
    let text = text.trim_end_matches([' ', '\t']);
    blocks.push(Block::Paragraph(parse_inlines(text)));
}

/// Lines indented 4+ columns (blank lines inside kept); returns the next line index.
fn indented_code(lines: &[String], start: usize, blocks: &mut Vec<Block>) -> usize {
    let mut code: Vec<String> = Vec::new();
    let mut i = start;
    while let Some(line) = lines.get(i) {
        if !is_blank(line) && indent_of(line) < 4 {
            break;
        }
        code.push(strip_cols(line, 4));
        i += 1;
    }
    while code.last().is_some_and(|l| is_blank(l)) {
        code.pop();
    }
    blocks.push(Block::CodeBlock {
        info: String::new(),
        code: join_code(&code),
    });
    i
}

fn fenced_code(
    lines: &[String],
    start: usize,
    indent: usize,
    c: u8,
    len: usize,
    info: &str,
    blocks: &mut Vec<Block>,
) -> usize {
    let mut code: Vec<String> = Vec::new();
    let mut i = start;
    while let Some(line) = lines.get(i) {
        i += 1;
        if fence_closes(line, c, len) {
            break;
        }
        code.push(strip_cols(line, indent));
    }
    blocks.push(Block::CodeBlock {
        info: info.to_owned(),
        code: join_code(&code),
    });
    i
}

fn join_code(lines: &[String]) -> String {
    let mut code = String::new();
    for l in lines {
        code.push_str(l);
        code.push('\n');
    }
    code
}

fn block_quote(lines: &[String], start: usize, depth: usize, blocks: &mut Vec<Block>) -> usize {
    let mut inner: Vec<String> = Vec::new();
    let mut i = start;
    let mut lazy_ok = false;
    while let Some(line) = lines.get(i) {
        let rest = trim_start_ws(line);
        if indent_of(line) <= 3 && rest.starts_with('>') {
            let after = rest.get(1..).unwrap_or("");
            let after = after.strip_prefix(' ').unwrap_or(after);
            lazy_ok = !is_blank(after) && fence_open(after).is_none() && indent_of(after) < 4;
            inner.push(after.to_owned());
        } else if lazy_ok && !is_blank(line) && !interrupts_paragraph(line, depth) {
            inner.push(line.clone());
        } else {
            break;
        }
        i += 1;
    }
    blocks.push(Block::BlockQuote(parse_blocks(&inner, depth + 1)));
    i
}

fn list(
    lines: &[String],
    start: usize,
    first: Marker,
    depth: usize,
    blocks: &mut Vec<Block>,
) -> usize {
    let mut items: Vec<Vec<Block>> = Vec::new();
    let mut tight = true;
    let mut i = start;
    let mut marker = first;
    while let Some(line) = lines.get(i) {
        let mut item: Vec<String> = Vec::new();
        item.push(item_first_line(line, &marker));
        i += 1;
        let mut lazy_ok = !marker.empty;
        let mut fenced = fence_open(item.first().map_or("", String::as_str)).is_some();
        while let Some(line) = lines.get(i) {
            if is_blank(line) {
                // An item that starts with a blank line ends at the next blank line.
                if item.len() == 1 && item.first().is_some_and(|l| l.is_empty()) {
                    break;
                }
                item.push(String::new());
                lazy_ok = false;
            } else if indent_of(line) >= marker.width {
                let content = strip_cols(line, marker.width);
                if fence_open(&content).is_some() {
                    fenced = !fenced;
                }
                lazy_ok = !fenced && indent_of(&content) < 4;
                item.push(content);
            } else if lazy_ok && !interrupts_paragraph(line, depth) && list_marker(line).is_none() {
                // A lazy continuation of the item's paragraph (any marker here starts a
                // sibling item or ends the list instead).
                item.push(trim_start_ws(line).to_owned());
            } else {
                break;
            }
            i += 1;
        }
        let mut trailing_blank = false;
        while item.len() > 1 && item.last().is_some_and(|l| is_blank(l)) {
            item.pop();
            trailing_blank = true;
        }
        let inner_blank = item.iter().skip(1).any(|l| is_blank(l));
        let parsed = parse_blocks(&item, depth + 1);
        if inner_blank && parsed.len() > 1 {
            tight = false;
        }
        items.push(parsed);
        // Blank lines at the end of an item may precede the next item.
        let mut j = i;
        while lines.get(j).is_some_and(|l| is_blank(l)) {
            j += 1;
            trailing_blank = true;
        }
        match lines
            .get(j)
            .and_then(|l| (!is_thematic_break(l)).then(|| list_marker(l)).flatten())
        {
            Some(next) if next.kind == marker.kind => {
                if trailing_blank {
                    tight = false;
                }
                marker = next;
                i = j;
            }
            _ => break,
        }
    }
    blocks.push(match first.kind {
        ListKind::Bullet(_) => Block::BulletList { tight, items },
        ListKind::Ordered(_) => Block::OrderedList {
            start: first.start,
            tight,
            items,
        },
    });
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_tabs() {
        assert_eq!(indent_of("\tx"), 4);
        assert_eq!(indent_of("  \tx"), 4);
        assert_eq!(indent_of("     x"), 5);
        assert_eq!(strip_cols("\tx", 2), "  x");
        assert_eq!(strip_cols("    x", 2), "  x");
        assert_eq!(strip_cols("  ", 4), "");
        assert_eq!(strip_cols("x", 4), "x");
    }

    #[test]
    fn markers() {
        let m = list_marker("- a").unwrap();
        assert_eq!(
            (m.kind, m.width, m.empty),
            (ListKind::Bullet(b'-'), 2, false)
        );
        let m = list_marker("12) a").unwrap();
        assert_eq!((m.kind, m.start, m.width), (ListKind::Ordered(b')'), 12, 4));
        assert!(list_marker("-a").is_none());
        assert!(list_marker("1234567890. a").is_none());
        assert!(list_marker("    - a").is_none());
        assert!(list_marker("-").unwrap().empty);
        assert_eq!(list_marker("-      code").unwrap().width, 2);
    }
}
