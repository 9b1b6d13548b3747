//! Inline content: CommonMark's delimiter-run algorithm (emphasis and links) over a
//! flat list of items, then one pass that builds the tree with a depth cap.

use std::collections::HashMap;

use super::{Inline, LINK_SCAN_LIMIT, MAX_INLINE_DEPTH};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Emphasis,
    Strong,
}

#[derive(Debug)]
struct Delim {
    ch: u8,
    /// Characters not (yet) used by a match.
    count: usize,
    /// The run's length in the source (for the rule of 3).
    orig: usize,
    can_open: bool,
    can_close: bool,
    /// Matches this run opens (innermost first) and closes (innermost first).
    opens: Vec<(Kind, usize, u32)>,
    closes: Vec<(Kind, usize, u32)>,
}

#[derive(Debug)]
enum Item {
    Text(String),
    Code(String),
    Break,
    Delim(Delim),
    /// `[`: a link start once its `]` and destination are found.
    Bracket(Option<(String, u32)>),
    LinkEnd(u32),
}

/// The delimiter stack: a linked list over the `Delim` items, so removing a range is
/// O(1) per element and each element is removed once.
#[derive(Default)]
struct Stack {
    /// (item index, previous entry, next entry)
    entries: Vec<(usize, Option<usize>, Option<usize>)>,
    top: Option<usize>,
}

impl Stack {
    fn push(&mut self, item: usize) {
        let id = self.entries.len();
        self.entries.push((item, self.top, None));
        if let Some(t) = self.top {
            if let Some(e) = self.entries.get_mut(t) {
                e.2 = Some(id);
            }
        }
        self.top = Some(id);
    }

    fn prev(&self, e: usize) -> Option<usize> {
        self.entries.get(e).and_then(|x| x.1)
    }

    fn next(&self, e: usize) -> Option<usize> {
        self.entries.get(e).and_then(|x| x.2)
    }

    fn item(&self, e: usize) -> usize {
        self.entries.get(e).map_or(usize::MAX, |x| x.0)
    }

    fn remove(&mut self, e: usize) {
        let (prev, next) = (self.prev(e), self.next(e));
        if let Some(p) = prev {
            if let Some(x) = self.entries.get_mut(p) {
                x.2 = next;
            }
        }
        if let Some(n) = next {
            if let Some(x) = self.entries.get_mut(n) {
                x.1 = prev;
            }
        }
        if self.top == Some(e) {
            self.top = prev;
        }
    }

    /// The first entry above `bottom` (exclusive; `None` = the whole stack).
    fn first_above(&self, bottom: Option<usize>) -> Option<usize> {
        match bottom {
            Some(b) => self.next(b),
            None => {
                let mut e = self.top?;
                while let Some(p) = self.prev(e) {
                    e = p;
                }
                Some(e)
            }
        }
    }

    /// Drops every entry above `bottom`.
    fn truncate(&mut self, bottom: Option<usize>) {
        if let Some(b) = bottom {
            if let Some(x) = self.entries.get_mut(b) {
                x.2 = None;
            }
        }
        self.top = bottom;
    }
}

struct Parser<'a> {
    src: &'a str,
    items: Vec<Item>,
    text: String,
    stack: Stack,
    /// Open brackets: (item index, delimiter stack top when pushed).
    brackets: Vec<(usize, Option<usize>)>,
    /// Brackets below this index may no longer form links (no links in links).
    active_floor: usize,
    next_id: u32,
    /// Start positions of backtick runs, by run length.
    backticks: HashMap<usize, Vec<usize>>,
}

pub(super) fn parse_inlines(src: &str) -> Vec<Inline> {
    let mut p = Parser {
        src,
        items: Vec::new(),
        text: String::new(),
        stack: Stack::default(),
        brackets: Vec::new(),
        active_floor: 0,
        next_id: 0,
        backticks: backtick_runs(src),
    };
    p.scan();
    p.flush();
    p.process_emphasis(None);
    build(p.items)
}

fn backtick_runs(src: &str) -> HashMap<usize, Vec<usize>> {
    let mut runs: HashMap<usize, Vec<usize>> = HashMap::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'`') {
            let len = b
                .get(i..)
                .map_or(0, |r| r.iter().take_while(|&&c| c == b'`').count());
            runs.entry(len).or_default().push(i);
            i += len;
        } else {
            i += 1;
        }
    }
    runs
}

fn is_punct(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

impl Parser<'_> {
    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.items.push(Item::Text(std::mem::take(&mut self.text)));
        }
    }

    fn rest(&self, i: usize) -> &str {
        self.src.get(i..).unwrap_or("")
    }

    fn scan(&mut self) {
        let b = self.src.as_bytes();
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            match c {
                b'\\' => i = self.backslash(i),
                b'`' => i = self.code_span(i),
                b'*' | b'_' => i = self.delimiter_run(i, c),
                b'[' => {
                    self.flush();
                    self.brackets.push((self.items.len(), self.stack.top));
                    self.items.push(Item::Bracket(None));
                    i += 1;
                }
                b']' => i = self.close_bracket(i),
                b'<' => i = self.autolink(i),
                b'\n' => i = self.line_end(i),
                _ => {
                    // Copy up to the next special byte (all are ASCII: char boundaries).
                    let run = self
                        .rest(i)
                        .bytes()
                        .take_while(|c| !b"\\`*_[]<\n".contains(c))
                        .count()
                        .max(1);
                    let piece = self.src.get(i..i + run).unwrap_or("");
                    self.text.push_str(piece);
                    i += run.max(piece.len());
                }
            }
        }
    }

    fn backslash(&mut self, i: usize) -> usize {
        match self.src.as_bytes().get(i + 1) {
            Some(b'\n') => {
                self.trim_trailing_spaces();
                self.flush();
                self.items.push(Item::Break);
                self.skip_leading_spaces(i + 2)
            }
            Some(&n) if n.is_ascii_punctuation() => {
                self.text.push(char::from(n));
                i + 2
            }
            _ => {
                self.text.push('\\');
                i + 1
            }
        }
    }

    fn trim_trailing_spaces(&mut self) {
        let kept = self.text.trim_end_matches(' ').len();
        self.text.truncate(kept);
    }

    fn skip_leading_spaces(&self, mut i: usize) -> usize {
        while matches!(self.src.as_bytes().get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    }

    fn line_end(&mut self, i: usize) -> usize {
        let spaces = self.text.len() - self.text.trim_end_matches(' ').len();
        self.trim_trailing_spaces();
        if spaces >= 2 {
            self.flush();
            self.items.push(Item::Break);
        } else {
            self.text.push('\n');
        }
        self.skip_leading_spaces(i + 1)
    }

    fn code_span(&mut self, i: usize) -> usize {
        let len = self.rest(i).bytes().take_while(|&c| c == b'`').count();
        let closer = self.backticks.get(&len).and_then(|starts| {
            let k = starts.partition_point(|&s| s <= i);
            starts.get(k).copied()
        });
        match closer {
            Some(end) => {
                let content = self.src.get(i + len..end).unwrap_or("").replace('\n', " ");
                let content = match content.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                    Some(inner) if !content.bytes().all(|b| b == b' ') => inner.to_owned(),
                    _ => content,
                };
                self.flush();
                self.items.push(Item::Code(content));
                end + len
            }
            None => {
                self.text.push_str(self.src.get(i..i + len).unwrap_or(""));
                i + len
            }
        }
    }

    fn delimiter_run(&mut self, i: usize, ch: u8) -> usize {
        let len = self.rest(i).bytes().take_while(|&c| c == ch).count();
        let before = self.src.get(..i).and_then(|s| s.chars().next_back());
        let after = self.src.get(i + len..).and_then(|s| s.chars().next());
        let ws_before = before.is_none_or(char::is_whitespace);
        let ws_after = after.is_none_or(char::is_whitespace);
        let punct_before = before.is_some_and(is_punct);
        let punct_after = after.is_some_and(is_punct);
        let left = !ws_after && (!punct_after || ws_before || punct_before);
        let right = !ws_before && (!punct_before || ws_after || punct_after);
        let (can_open, can_close) = if ch == b'_' {
            (
                left && (!right || punct_before),
                right && (!left || punct_after),
            )
        } else if left
            && right
            && before.is_some_and(|c| c.is_ascii_alphanumeric())
            && after.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            // `2*3*4`, `a*b`: text (see the module documentation).
            (false, false)
        } else {
            (left, right)
        };
        self.flush();
        if can_open || can_close {
            self.stack.push(self.items.len());
        }
        self.items.push(Item::Delim(Delim {
            ch,
            count: len,
            orig: len,
            can_open,
            can_close,
            opens: Vec::new(),
            closes: Vec::new(),
        }));
        i + len
    }

    fn close_bracket(&mut self, i: usize) -> usize {
        let Some(&(item, bottom)) = self.brackets.last() else {
            self.text.push(']');
            return i + 1;
        };
        let active = self.brackets.len() > self.active_floor;
        let dest = if active {
            link_destination(self.src, i + 1)
        } else {
            None
        };
        self.brackets.pop();
        self.active_floor = self.active_floor.min(self.brackets.len());
        let Some((url, end)) = dest else {
            self.text.push(']');
            return i + 1;
        };
        self.flush();
        self.process_emphasis(bottom);
        let id = self.new_id();
        if let Some(slot) = self.items.get_mut(item) {
            *slot = Item::Bracket(Some((url, id)));
        }
        self.items.push(Item::LinkEnd(id));
        self.active_floor = self.brackets.len();
        end
    }

    fn autolink(&mut self, i: usize) -> usize {
        let rest = self.rest(i + 1);
        let scheme = rest
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'))
            .count();
        let starts_alpha = rest.bytes().next().is_some_and(|c| c.is_ascii_alphabetic());
        if starts_alpha && (2..=32).contains(&scheme) && rest.as_bytes().get(scheme) == Some(&b':')
        {
            let len = rest
                .bytes()
                .take(LINK_SCAN_LIMIT)
                .take_while(|&c| c > b' ' && c != b'<' && c != b'>' && c != 0x7f)
                .count();
            if rest.as_bytes().get(len) == Some(&b'>') {
                let url = rest.get(..len).unwrap_or("").to_owned();
                self.flush();
                let id = self.new_id();
                self.items.push(Item::Bracket(Some((url.clone(), id))));
                self.items.push(Item::Text(url));
                self.items.push(Item::LinkEnd(id));
                return i + 1 + len + 1;
            }
        }
        self.text.push('<');
        i + 1
    }

    fn new_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    fn delim(&mut self, e: usize) -> Option<&mut Delim> {
        match self.items.get_mut(self.stack.item(e)) {
            Some(Item::Delim(d)) => Some(d),
            _ => None,
        }
    }

    /// CommonMark's "process emphasis" over the delimiters above `bottom`, which are
    /// then dropped from the stack.
    fn process_emphasis(&mut self, bottom: Option<usize>) {
        // Keyed by (char is '_', closer length % 3, closer can open).
        let mut openers_bottom = [[[bottom; 2]; 3]; 2];
        let mut current = self.stack.first_above(bottom);
        while let Some(closer) = current {
            let Some(c) = self.delim(closer) else {
                current = self.stack.next(closer);
                continue;
            };
            if !c.can_close {
                current = self.stack.next(closer);
                continue;
            }
            let (ch, c_orig, c_open) = (c.ch, c.orig, c.can_open);
            let key = (usize::from(ch == b'_'), c_orig % 3, usize::from(c_open));
            let floor = openers_bottom[key.0][key.1][key.2];
            let mut found = None;
            let mut cursor = self.stack.prev(closer);
            while let Some(o) = cursor {
                if Some(o) == bottom || Some(o) == floor {
                    break;
                }
                if let Some(d) = self.delim(o) {
                    let odd = (d.can_close || c_open)
                        && (d.orig + c_orig) % 3 == 0
                        && !(d.orig % 3 == 0 && c_orig % 3 == 0);
                    if d.ch == ch && d.can_open && d.count > 0 && !odd {
                        found = Some(o);
                        break;
                    }
                }
                cursor = self.stack.prev(o);
            }
            let Some(opener) = found else {
                openers_bottom[key.0][key.1][key.2] = self.stack.prev(closer);
                let next = self.stack.next(closer);
                if !c_open {
                    self.stack.remove(closer);
                }
                current = next;
                continue;
            };
            let o_count = self.delim(opener).map_or(0, |d| d.count);
            let c_count = self.delim(closer).map_or(0, |d| d.count);
            let used = if o_count >= 2 && c_count >= 2 { 2 } else { 1 };
            let kind = if used == 2 {
                Kind::Strong
            } else {
                Kind::Emphasis
            };
            let id = self.new_id();
            if let Some(d) = self.delim(opener) {
                d.count = d.count.saturating_sub(used);
                d.opens.push((kind, used, id));
            }
            let mut closer_left = 0;
            if let Some(d) = self.delim(closer) {
                d.count = d.count.saturating_sub(used);
                d.closes.push((kind, used, id));
                closer_left = d.count;
            }
            // Delimiters between the two can no longer match anything.
            let mut between = self.stack.next(opener);
            while let Some(b) = between {
                if b == closer {
                    break;
                }
                between = self.stack.next(b);
                self.stack.remove(b);
            }
            if o_count == used {
                self.stack.remove(opener);
            }
            if closer_left == 0 {
                current = self.stack.next(closer);
                self.stack.remove(closer);
            }
        }
        self.stack.truncate(bottom);
    }
}

/// After `]` at `at`: `(destination "title")`. Returns the URL and where the link ends.
fn link_destination(src: &str, at: usize) -> Option<(String, usize)> {
    let window = src.get(at..)?;
    let window = window
        .get(..LINK_SCAN_LIMIT.min(window.len()))
        .unwrap_or(window);
    let b = window.as_bytes();
    if b.first() != Some(&b'(') {
        return None;
    }
    let mut i = skip_space(b, 1)?;
    let mut url = String::new();
    if b.get(i) == Some(&b'<') {
        i += 1;
        loop {
            match *b.get(i)? {
                b'>' => {
                    i += 1;
                    break;
                }
                b'\n' | b'<' => return None,
                b'\\' if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                    url.push(char::from(*b.get(i + 1)?));
                    i += 2;
                }
                _ => {
                    let ch = window.get(i..)?.chars().next()?;
                    url.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
    } else {
        let mut depth = 0usize;
        loop {
            let &c = b.get(i)?;
            match c {
                b'(' => {
                    depth += 1;
                    if depth > 32 {
                        return None;
                    }
                }
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                _ if c <= b' ' || c == 0x7f => break,
                _ => {}
            }
            if c == b'\\' && b.get(i + 1).is_some_and(u8::is_ascii_punctuation) {
                url.push(char::from(*b.get(i + 1)?));
                i += 2;
                continue;
            }
            let ch = window.get(i..)?.chars().next()?;
            url.push(ch);
            i += ch.len_utf8();
        }
        if depth != 0 {
            return None;
        }
    }
    let before_title = i;
    i = skip_space(b, i)?;
    if i > before_title {
        if let Some(&q) = b.get(i).filter(|q| matches!(q, b'"' | b'\'' | b'(')) {
            let close = if q == b'(' { b')' } else { q };
            i += 1;
            loop {
                match *b.get(i)? {
                    c if c == close => {
                        i += 1;
                        break;
                    }
                    b'(' if q == b'(' => return None,
                    b'\\' => i += 2,
                    _ => i += 1,
                }
            }
            i = skip_space(b, i)?;
        }
    }
    if b.get(i) != Some(&b')') {
        return None;
    }
    Some((url, at + i + 1))
}

/// Skips spaces and tabs with at most one line ending.
fn skip_space(b: &[u8], mut i: usize) -> Option<usize> {
    let mut newline = false;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' => {}
            b'\n' if !newline => newline = true,
            b'\n' => return None,
            _ => break,
        }
        i += 1;
    }
    Some(i)
}

struct Frame {
    /// `None` for the root.
    node: Option<Open>,
    id: u32,
    children: Vec<Inline>,
}

enum Open {
    Em(Kind),
    Link(String),
}

fn push_text(children: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(t)) = children.last_mut() {
        t.push_str(s);
    } else {
        children.push(Inline::Text(s.to_owned()));
    }
}

/// Builds the tree from the flat items. Past `MAX_INLINE_DEPTH`, an opening becomes
/// its marker as text in the current frame and its closing likewise (O(1) each), so
/// the tree never gets deeper and nothing is copied twice.
fn build(items: Vec<Item>) -> Vec<Inline> {
    let mut frames: Vec<Frame> = vec![Frame {
        node: None,
        id: 0,
        children: Vec::new(),
    }];
    // Openings past the cap: (id, text to emit at the closing).
    let mut capped: Vec<(u32, String)> = Vec::new();
    let text = |frames: &mut Vec<Frame>, s: &str| {
        if let Some(f) = frames.last_mut() {
            push_text(&mut f.children, s);
        }
    };
    let open = |frames: &mut Vec<Frame>,
                capped: &mut Vec<(u32, String)>,
                node: Open,
                id: u32,
                marks: String| {
        if frames.len() > MAX_INLINE_DEPTH {
            let closing = match &node {
                Open::Em(_) => marks.clone(),
                Open::Link(url) => format!(" ({url})"),
            };
            if let (Open::Em(_), Some(f)) = (&node, frames.last_mut()) {
                push_text(&mut f.children, &marks);
            }
            capped.push((id, closing));
        } else {
            frames.push(Frame {
                node: Some(node),
                id,
                children: Vec::new(),
            });
        }
    };
    let close = |frames: &mut Vec<Frame>, capped: &mut Vec<(u32, String)>, id: u32| {
        if capped.last().is_some_and(|(c, _)| *c == id) {
            if let (Some((_, closing)), Some(f)) = (capped.pop(), frames.last_mut()) {
                push_text(&mut f.children, &closing);
            }
            return;
        }
        if frames.len() < 2 || frames.last().map(|f| f.id) != Some(id) {
            return; // not well nested: cannot happen; the markers are simply dropped
        }
        let Some(frame) = frames.pop() else { return };
        let Some(parent) = frames.last_mut() else {
            return;
        };
        match frame.node {
            Some(Open::Em(Kind::Strong)) => parent.children.push(Inline::Strong(frame.children)),
            Some(Open::Em(Kind::Emphasis)) => {
                parent.children.push(Inline::Emphasis(frame.children))
            }
            Some(Open::Link(url)) => parent.children.push(Inline::Link {
                content: frame.children,
                url,
            }),
            None => {}
        }
    };
    for item in items {
        match item {
            Item::Text(t) => text(&mut frames, &t),
            Item::Code(c) => {
                if let Some(f) = frames.last_mut() {
                    f.children.push(Inline::Code(c));
                }
            }
            Item::Break => {
                if let Some(f) = frames.last_mut() {
                    f.children.push(Inline::LineBreak);
                }
            }
            Item::Delim(d) => {
                let marks = |n: usize| char::from(d.ch).to_string().repeat(n);
                for &(_, _, id) in &d.closes {
                    close(&mut frames, &mut capped, id);
                }
                if d.count > 0 {
                    text(&mut frames, &marks(d.count));
                }
                for &(kind, n, id) in d.opens.iter().rev() {
                    open(&mut frames, &mut capped, Open::Em(kind), id, marks(n));
                }
            }
            Item::Bracket(None) => text(&mut frames, "["),
            Item::Bracket(Some((url, id))) => {
                open(&mut frames, &mut capped, Open::Link(url), id, String::new())
            }
            Item::LinkEnd(id) => close(&mut frames, &mut capped, id),
        }
    }
    // Well-nested input leaves only the root; anything else folds into its parent.
    while frames.len() > 1 {
        let Some(frame) = frames.pop() else { break };
        if let Some(parent) = frames.last_mut() {
            parent.children.extend(frame.children);
        }
    }
    frames.pop().map(|f| f.children).unwrap_or_default()
}
