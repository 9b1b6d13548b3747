//! The model's Markdown (answers and thought summaries) as a small tree, for the app
//! to render as elements built from text nodes: never as HTML.
//!
//! Blocks: ATX and setext headings (1–6), paragraphs, bullet and ordered lists (with
//! their start number and tightness), fenced and indented code blocks, block quotes,
//! thematic breaks. Inlines: text, strong, emphasis (`*` and `_`, with CommonMark's
//! delimiter-run rules), code spans, hard line breaks, links (inline `[text](url)` and
//! autolinks `<https://…>`) kept as their text plus the URL, so the renderer shows the
//! URL as text and no link from model output is clickable.
//!
//! Deliberately not Markdown: HTML (blocks, inline tags, `<script>`) stays literal
//! text; entities (`&amp;`) stay as written; link reference definitions, tables and
//! footnotes stay text. One deviation from CommonMark: a `*` run with an ASCII letter
//! or digit on both sides (`2*3*4`, `a*b*c`) is text, as `_` already is in
//! `snake_case_name`, because models write arithmetic and identifiers far more often
//! than intra-word emphasis.
//!
//! Limits: containers (quotes, lists) nest at most [`MAX_DEPTH`] deep and inlines
//! (emphasis, links) at most [`MAX_INLINE_DEPTH`]; deeper markers are text. Parsing is
//! linear in the input (times the nesting cap): no backtracking, code spans found by
//! an index of backtick runs, link destinations scanned at most
//! [`LINK_SCAN_LIMIT`] bytes.
//!
//! Why hand-written: `pulldown-cmark` is far too big for the wasm app, and regexes
//! would bring both size and super-linear traps. The tree types are plain data.

mod block;
mod inline;

/// How deep block quotes and lists may nest; deeper markers are paragraph text.
pub const MAX_DEPTH: usize = 32;
/// How deep emphasis, strong and links may nest; deeper delimiters are text.
pub const MAX_INLINE_DEPTH: usize = 32;
/// How far after `](` a link destination and title are looked for.
pub const LINK_SCAN_LIMIT: usize = 2048;

/// A block of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// `level` is 1–6.
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// Each item is a list of blocks. A tight list's items were not separated by blank
    /// lines: render their paragraphs without paragraph spacing.
    BulletList {
        tight: bool,
        items: Vec<Vec<Block>>,
    },
    OrderedList {
        start: u32,
        tight: bool,
        items: Vec<Vec<Block>>,
    },
    /// `info` is the fence's info string (usually a language), empty for indented
    /// code; `code` ends with a newline unless empty.
    CodeBlock {
        info: String,
        code: String,
    },
    BlockQuote(Vec<Block>),
    ThematicBreak,
}

/// Inline content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Text to show as it is; a `\n` inside is a soft line break (shown as a space,
    /// or kept with `white-space: pre-wrap`).
    Text(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Code(String),
    /// A hard line break (two spaces or a backslash at the end of a line).
    LineBreak,
    /// Show `content`, then `url` as text; never make it clickable.
    Link {
        content: Vec<Inline>,
        url: String,
    },
}

/// Parses Markdown into blocks. Never fails: anything not understood is text.
pub fn parse(input: &str) -> Vec<Block> {
    block::parse_document(input)
}

/// Parses one line of inline Markdown (no blocks), e.g. a title.
pub fn parse_inline(text: &str) -> Vec<Inline> {
    inline::parse_inlines(text)
}

/// The text a person would read, without markup: for copying, accessible names and
/// search. Blocks are separated by blank lines, list items by newlines, and link
/// URLs follow their text in parentheses.
pub fn plain_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        block_text(b, &mut out);
    }
    out
}

fn block_text(block: &Block, out: &mut String) {
    match block {
        Block::Heading { content, .. } | Block::Paragraph(content) => inline_text(content, out),
        Block::BulletList { items, .. } | Block::OrderedList { items, .. } => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&plain_text(item));
            }
        }
        Block::CodeBlock { code, .. } => out.push_str(code.strip_suffix('\n').unwrap_or(code)),
        Block::BlockQuote(inner) => out.push_str(&plain_text(inner)),
        Block::ThematicBreak => out.push_str("---"),
    }
}

fn inline_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Strong(c) | Inline::Emphasis(c) => inline_text(c, out),
            Inline::LineBreak => out.push('\n'),
            Inline::Link { content, url } => {
                let before = out.len();
                inline_text(content, out);
                if out.get(before..) != Some(url.as_str()) {
                    out.push_str(" (");
                    out.push_str(url);
                    out.push(')');
                }
            }
        }
    }
}
