use formats::markdown::{self, Block, Inline};
use leptos::prelude::*;

/// The model's Markdown (an answer, a thought) as real formatting: headings,
/// bold, italics, lists, quotes and code, every piece of it a text node, never
/// HTML. HTML in the text shows as text; a link shows its address as text and
/// is not clickable (model output is not trusted to send a person anywhere).
#[component]
pub fn Markdown(
    /// The text as the model wrote it.
    #[prop(into)]
    text: String,
    /// The class of the wrapping element (besides `markdown`).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let blocks = markdown::parse(&text);
    view! { <div class=format!("markdown {class}")>{blocks_view(blocks, false)}</div> }
}

/// Blocks as elements; in a tight list item, paragraphs are their inlines alone.
fn blocks_view(blocks: Vec<Block>, tight: bool) -> Vec<AnyView> {
    blocks.into_iter().map(|b| block_view(b, tight)).collect()
}

fn block_view(block: Block, tight: bool) -> AnyView {
    match block {
        // The page has its own headings: the model's sit below them, for
        // assistive technology too (an answer's `#` is level 3).
        Block::Heading { level, content } => view! {
            <p class=format!("markdown__h markdown__h{level}") role="heading" attr:aria-level=(level + 2).min(6)>
                {inlines_view(content)}
            </p>
        }
        .into_any(),
        Block::Paragraph(content) if tight => view! { <span class="markdown__tight">{inlines_view(content)}</span> }.into_any(),
        Block::Paragraph(content) => view! { <p>{inlines_view(content)}</p> }.into_any(),
        Block::BulletList { tight, items } => view! {
            <ul>{items.into_iter().map(|item| view! { <li>{blocks_view(item, tight)}</li> }).collect_view()}</ul>
        }
        .into_any(),
        Block::OrderedList { start, tight, items } => view! {
            <ol start=start>
                {items.into_iter().map(|item| view! { <li>{blocks_view(item, tight)}</li> }).collect_view()}
            </ol>
        }
        .into_any(),
        Block::CodeBlock { code, .. } => view! {
            <pre class="markdown__code">
                <code>{code}</code>
            </pre>
        }
        .into_any(),
        Block::BlockQuote(inner) => view! { <blockquote>{blocks_view(inner, false)}</blockquote> }.into_any(),
        Block::ThematicBreak => view! { <hr /> }.into_any(),
    }
}

fn inlines_view(inlines: Vec<Inline>) -> Vec<AnyView> {
    inlines.into_iter().map(inline_view).collect()
}

fn inline_view(inline: Inline) -> AnyView {
    match inline {
        Inline::Text(t) => t.into_any(),
        Inline::Strong(inner) => view! { <strong>{inlines_view(inner)}</strong> }.into_any(),
        Inline::Emphasis(inner) => view! { <em>{inlines_view(inner)}</em> }.into_any(),
        Inline::Code(c) => view! { <code>{c}</code> }.into_any(),
        Inline::LineBreak => view! { <br /> }.into_any(),
        Inline::Link { content, url } => view! {
            <span class="markdown__link">
                {inlines_view(content)}
                <span class="markdown__url">{format!(" ({url})")}</span>
            </span>
        }
        .into_any(),
    }
}
