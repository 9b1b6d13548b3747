//! Markdown as the model writes it, and as an attacker might.

use formats::markdown::{parse, parse_inline, plain_text, Block, Inline, MAX_DEPTH};

fn t(s: &str) -> Inline {
    Inline::Text(s.into())
}
fn strong(c: Vec<Inline>) -> Inline {
    Inline::Strong(c)
}
fn em(c: Vec<Inline>) -> Inline {
    Inline::Emphasis(c)
}
fn code(s: &str) -> Inline {
    Inline::Code(s.into())
}
fn link(c: Vec<Inline>, url: &str) -> Inline {
    Inline::Link {
        content: c,
        url: url.into(),
    }
}
fn p(c: Vec<Inline>) -> Block {
    Block::Paragraph(c)
}
fn pt(s: &str) -> Block {
    p(vec![t(s)])
}
fn h(level: u8, c: Vec<Inline>) -> Block {
    Block::Heading { level, content: c }
}
fn ul(tight: bool, items: Vec<Vec<Block>>) -> Block {
    Block::BulletList { tight, items }
}
fn ol(start: u32, tight: bool, items: Vec<Vec<Block>>) -> Block {
    Block::OrderedList {
        start,
        tight,
        items,
    }
}
fn cb(info: &str, code: &str) -> Block {
    Block::CodeBlock {
        info: info.into(),
        code: code.into(),
    }
}
fn quote(b: Vec<Block>) -> Block {
    Block::BlockQuote(b)
}

fn inl(s: &str) -> Vec<Inline> {
    parse_inline(s)
}

#[test]
fn thought_summaries_as_the_model_writes_them() {
    let doc = "**Planning the composition**\n\nI'm placing the fox *low* in the frame.\n\n**Refining the light**\n\nWarm `rim light`.";
    assert_eq!(
        parse(doc),
        vec![
            p(vec![strong(vec![t("Planning the composition")])]),
            p(vec![
                t("I'm placing the fox "),
                em(vec![t("low")]),
                t(" in the frame.")
            ]),
            p(vec![strong(vec![t("Refining the light")])]),
            p(vec![t("Warm "), code("rim light"), t(".")]),
        ]
    );
}

#[test]
fn emphasis_forms() {
    assert_eq!(
        inl("*a* _b_"),
        vec![em(vec![t("a")]), t(" "), em(vec![t("b")])]
    );
    assert_eq!(
        inl("**a** __b__"),
        vec![strong(vec![t("a")]), t(" "), strong(vec![t("b")])]
    );
    assert_eq!(inl("***a***"), vec![em(vec![strong(vec![t("a")])])]);
    assert_eq!(
        inl("*a **b** c*"),
        vec![em(vec![t("a "), strong(vec![t("b")]), t(" c")])]
    );
    assert_eq!(
        inl("**a *b* c**"),
        vec![strong(vec![t("a "), em(vec![t("b")]), t(" c")])]
    );
    // The deviation: `**` between ASCII letters is text (CommonMark: nested strong).
    assert_eq!(inl("*foo**bar**baz*"), vec![em(vec![t("foo**bar**baz")])]);
    assert_eq!(
        inl("*foo **bar** baz*"),
        vec![em(vec![t("foo "), strong(vec![t("bar")]), t(" baz")])]
    );
    assert_eq!(inl("**foo*"), vec![t("*"), em(vec![t("foo")])]);
    assert_eq!(inl("*foo**"), vec![em(vec![t("foo")]), t("*")]);
    assert_eq!(
        inl("***strong** in emph*"),
        vec![em(vec![strong(vec![t("strong")]), t(" in emph")])]
    );
    assert_eq!(inl("_foo_bar_"), vec![em(vec![t("foo_bar")])]);
    // Unicode letters around `*` keep CommonMark's intra-word emphasis.
    assert_eq!(
        inl("**粗体**文字"),
        vec![strong(vec![t("粗体")]), t("文字")]
    );
    assert_eq!(
        inl("**Note:** text"),
        vec![strong(vec![t("Note:")]), t(" text")]
    );
}

#[test]
fn flanking_rules_keep_arithmetic_and_identifiers_as_text() {
    for s in [
        "2*3*4",
        "a*b*c",
        "snake_case_name",
        "is_a_name",
        "a * b * c",
        "* not emphasis *",
        "5 * 3",
        "**",
        "x**y**z",
    ] {
        let got = inl(s);
        assert_eq!(got, vec![t(s)], "{s}");
    }
    assert_eq!(inl("__init__"), vec![strong(vec![t("init")])]);
}

#[test]
fn unclosed_markers_stay_text() {
    for s in [
        "*a",
        "**a",
        "a*",
        "_a",
        "`a",
        "``a`",
        "[a",
        "a]",
        "[a](b",
        "<http://a",
        "a ***",
    ] {
        assert_eq!(plain_text(&parse(s)), s, "{s}");
    }
    assert_eq!(inl("*a **b*"), vec![t("*a *"), em(vec![t("b")])]);
}

#[test]
fn code_spans() {
    assert_eq!(inl("`a*b*c`"), vec![code("a*b*c")]);
    assert_eq!(inl("`` a`b ``"), vec![code("a`b")]);
    assert_eq!(inl("` `` `"), vec![code("``")]);
    assert_eq!(inl("`  `"), vec![code("  ")]);
    assert_eq!(inl("`a\nb`"), vec![code("a b")]);
    assert_eq!(inl("\\`not code`"), vec![t("`not code`")]);
    assert_eq!(inl("`<script>`"), vec![code("<script>")]);
    assert_eq!(inl("``a`"), vec![t("``a`")]);
}

#[test]
fn escapes_and_breaks() {
    assert_eq!(inl("\\*not\\*"), vec![t("*not*")]);
    assert_eq!(inl("a\\b"), vec![t("a\\b")]);
    assert_eq!(
        parse("a  \nb\\\nc\nd"),
        vec![p(vec![
            t("a"),
            Inline::LineBreak,
            t("b"),
            Inline::LineBreak,
            t("c\nd")
        ])]
    );
    assert_eq!(parse("a   "), vec![pt("a")]);
    assert_eq!(parse("  a\n   b"), vec![pt("a\nb")]);
}

#[test]
fn links_show_their_url_as_text() {
    assert_eq!(
        inl("see [the docs](https://example.com/a_(b)) now"),
        vec![
            t("see "),
            link(vec![t("the docs")], "https://example.com/a_(b)"),
            t(" now")
        ]
    );
    assert_eq!(
        inl("[**bold** link](<a b> \"title\")"),
        vec![link(vec![strong(vec![t("bold")]), t(" link")], "a b")]
    );
    assert_eq!(
        inl("<https://example.com/x?y=1>"),
        vec![link(
            vec![t("https://example.com/x?y=1")],
            "https://example.com/x?y=1"
        )]
    );
    assert_eq!(
        inl("[javascript](javascript:alert(1))"),
        vec![link(vec![t("javascript")], "javascript:alert(1)")]
    );
    assert_eq!(inl("[a] (b)"), vec![t("[a] (b)")]);
    assert_eq!(inl("[a][b]"), vec![t("[a][b]")]);
    assert_eq!(
        inl("![alt](img.png)"),
        vec![t("!"), link(vec![t("alt")], "img.png")]
    );
    // No links inside links: the inner one wins, the outer brackets are text.
    assert_eq!(
        inl("[a [b](c) d](e)"),
        vec![t("[a "), link(vec![t("b")], "c"), t(" d](e)")]
    );
    // Emphasis does not cross a link's edge.
    assert_eq!(
        inl("*a [b* c](d)"),
        vec![t("*a "), link(vec![t("b* c")], "d")]
    );
    assert_eq!(
        plain_text(&parse("[docs](https://x.y) and <https://z>")),
        "docs (https://x.y) and https://z"
    );
}

#[test]
fn html_stays_literal_text() {
    let s = "<script>alert('x')</script> <b>bold</b> &amp; <img src=x onerror=alert(1)>";
    assert_eq!(parse(s), vec![pt(s)]);
    assert_eq!(
        parse("<div>\n*hi*\n</div>"),
        vec![p(vec![t("<div>\n"), em(vec![t("hi")]), t("\n</div>")])]
    );
}

#[test]
fn headings() {
    assert_eq!(
        parse("# One\n## Two ##\n###### Six\n####### Seven\n#NoSpace\n#"),
        vec![
            h(1, vec![t("One")]),
            h(2, vec![t("Two")]),
            h(6, vec![t("Six")]),
            pt("####### Seven\n#NoSpace"),
            h(1, vec![]),
        ]
    );
    assert_eq!(
        parse("# a *b* #"),
        vec![h(1, vec![t("a "), em(vec![t("b")])])]
    );
    assert_eq!(parse("# C#"), vec![h(1, vec![t("C#")])]);
    assert_eq!(
        parse("Title\n=====\nSub\n---"),
        vec![h(1, vec![t("Title")]), h(2, vec![t("Sub")])]
    );
}

#[test]
fn thematic_breaks() {
    assert_eq!(
        parse("a\n\n***\n- - -\n___\nb"),
        vec![
            pt("a"),
            Block::ThematicBreak,
            Block::ThematicBreak,
            Block::ThematicBreak,
            pt("b")
        ]
    );
    assert_eq!(parse("**"), vec![pt("**")]);
}

#[test]
fn lists() {
    assert_eq!(
        parse("- one\n- two\n  continued\n- three"),
        vec![ul(
            true,
            vec![
                vec![pt("one")],
                vec![pt("two\ncontinued")],
                vec![pt("three")]
            ]
        )]
    );
    assert_eq!(
        parse("3. three\n4. four"),
        vec![ol(3, true, vec![vec![pt("three")], vec![pt("four")]])]
    );
    assert_eq!(
        parse("1) a\n\n2) b"),
        vec![ol(1, false, vec![vec![pt("a")], vec![pt("b")]])]
    );
    // A change of bullet starts a new list.
    assert_eq!(
        parse("- a\n+ b"),
        vec![ul(true, vec![vec![pt("a")]]), ul(true, vec![vec![pt("b")]])]
    );
    // Nested lists and lazy continuation.
    assert_eq!(
        parse("* a\n  * b\n    * c\nlazy"),
        vec![ul(
            true,
            vec![vec![
                pt("a"),
                ul(
                    true,
                    vec![vec![pt("b"), ul(true, vec![vec![pt("c\nlazy")]])]]
                )
            ]]
        )]
    );
    // Only a list starting at 1 interrupts a paragraph.
    assert_eq!(
        parse("The year\n1999. was"),
        vec![pt("The year\n1999. was")]
    );
    assert_eq!(
        parse("Steps:\n1. a\n2. b"),
        vec![
            pt("Steps:"),
            ol(1, true, vec![vec![pt("a")], vec![pt("b")]])
        ]
    );
    // A loose item with two paragraphs.
    assert_eq!(
        parse("- a\n\n  b\n- c"),
        vec![ul(false, vec![vec![pt("a"), pt("b")], vec![pt("c")]])]
    );
    // Code inside an item.
    assert_eq!(
        parse("1. run:\n   ```sh\n   cargo test\n   ```\n2. done"),
        vec![ol(
            1,
            true,
            vec![vec![pt("run:"), cb("sh", "cargo test\n")], vec![pt("done")]]
        )]
    );
    assert_eq!(parse("-\n  a"), vec![ul(true, vec![vec![pt("a")]])]);
    assert_eq!(parse("-\n\n  a"), vec![ul(true, vec![vec![]]), pt("a")]);
}

#[test]
fn code_blocks() {
    assert_eq!(
        parse("```rust\nfn main() {\n\n    *x* <b>\n}\n```\nafter"),
        vec![cb("rust", "fn main() {\n\n    *x* <b>\n}\n"), pt("after")]
    );
    assert_eq!(parse("~~~~\n```\n~~~~"), vec![cb("", "```\n")]);
    assert_eq!(
        parse("```\nunclosed\n\nstill code"),
        vec![cb("", "unclosed\n\nstill code\n")]
    );
    assert_eq!(parse("  ```\n  a\n b\nc\n  ```"), vec![cb("", "a\nb\nc\n")]);
    assert_eq!(
        parse("    indented\n\n    more\n\nafter"),
        vec![cb("", "indented\n\nmore\n"), pt("after")]
    );
    assert_eq!(parse("\tcode\twith tab"), vec![cb("", "code\twith tab\n")]);
    assert_eq!(parse("para\n    not code"), vec![pt("para\nnot code")]);
    assert_eq!(parse("``` a`b\n"), vec![pt("``` a`b")]);
}

#[test]
fn block_quotes() {
    assert_eq!(
        parse("> # Title\n> text\nlazy\n\n> other"),
        vec![
            quote(vec![h(1, vec![t("Title")]), pt("text\nlazy")]),
            quote(vec![pt("other")])
        ]
    );
    assert_eq!(
        parse("> a\n>> b\n> - c"),
        vec![quote(vec![
            pt("a"),
            quote(vec![pt("b")]),
            ul(true, vec![vec![pt("c")]])
        ])]
    );
    assert_eq!(parse(">"), vec![quote(vec![])]);
}

#[test]
fn line_endings_and_nul() {
    assert_eq!(parse("a\r\nb\r\n\r\nc"), vec![pt("a\nb"), pt("c")]);
    assert_eq!(parse("a\0b"), vec![pt("a\u{FFFD}b")]);
    assert_eq!(parse(""), vec![]);
    assert_eq!(parse("\n\n  \n"), vec![]);
}

fn depth(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|b| match b {
            Block::BlockQuote(inner) => 1 + depth(inner),
            Block::BulletList { items, .. } | Block::OrderedList { items, .. } => {
                1 + items.iter().map(|i| depth(i)).max().unwrap_or(0)
            }
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

fn inline_depth(inlines: &[Inline]) -> usize {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Strong(c) | Inline::Emphasis(c) => 1 + inline_depth(c),
            Inline::Link { content, .. } => 1 + inline_depth(content),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn hostile_nesting_is_capped() {
    let quotes = ">".repeat(10_000) + " deep";
    let blocks = parse(&quotes);
    assert_eq!(depth(&blocks), MAX_DEPTH);
    assert!(plain_text(&blocks).ends_with("> deep"));

    let lists = (0..500)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect::<String>();
    assert!(depth(&parse(&lists)) <= MAX_DEPTH);
    let bullets = "- ".repeat(10_000) + "x";
    assert!(depth(&parse(&bullets)) <= MAX_DEPTH);

    let stars = "*".repeat(10_000);
    assert_eq!(parse(&stars), vec![Block::ThematicBreak]);
    let stars = format!("a {} b", "*".repeat(10_000));
    assert_eq!(parse(&stars), vec![pt(&stars)]);

    let nested = format!("{}x{}", "*a ".repeat(10_000), " a*".repeat(10_000));
    let blocks = parse(&nested);
    let Some(Block::Paragraph(inlines)) = blocks.first() else {
        panic!("{:?}", blocks.first())
    };
    assert_eq!(inline_depth(inlines), formats::markdown::MAX_INLINE_DEPTH);
    assert_eq!(
        plain_text(&blocks).replace('*', ""),
        nested.replace('*', "")
    );
    assert!(
        plain_text(&blocks).contains("*a *a x a* a*"),
        "markers past the cap are text"
    );

    let brackets = format!("{}x{}", "[".repeat(10_000), "](u)".repeat(10_000));
    let _ = parse(&brackets);
    let links = "[a](b)".repeat(10_000);
    assert_eq!(
        parse(&links).first().map(|b| match b {
            Block::Paragraph(i) => i.len(),
            _ => 0,
        }),
        Some(10_000)
    );
}

#[test]
fn pathological_inputs_finish() {
    // Each of these is quadratic or worse in a naive parser; here each takes
    // milliseconds. (No timing assertion: a regression shows as a hanging test.)
    let n = 50_000;
    let cases = [
        "*a ".repeat(n),
        "a* ".repeat(n),
        "*_".repeat(n),
        "**_a".repeat(n),
        "[".repeat(n),
        "](".repeat(n),
        "[a](".repeat(n),
        "[a](b \"".repeat(n),
        "<a:".repeat(n),
        "<".repeat(n),
        (1..2000).map(|i| "`".repeat(i) + " ").collect::<String>(),
        "`".repeat(n),
        "\\".repeat(n),
        "> ".repeat(n) + "\n",
        "- ".repeat(n),
        "1. ".repeat(n),
        "- a\n".repeat(n),
        "> a\n".repeat(n),
        "```\n".repeat(n),
        "#".repeat(n),
        "a  \n".repeat(n),
        "*a _b ".repeat(n),
        "[*".repeat(n) + &"*](x)".repeat(n),
    ];
    for case in cases {
        let blocks = parse(&case);
        let _ = plain_text(&blocks);
    }
}

#[test]
fn plain_text_reads_naturally() {
    let doc = "# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n> quoted\n\n```\nx = 1\n```";
    assert_eq!(
        plain_text(&parse(doc)),
        "Title\n\nSome bold and code.\n\none\ntwo\n\nquoted\n\nx = 1"
    );
}
