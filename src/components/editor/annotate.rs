//! "Annotate": draw marks the model should follow (pen, arrow, box, text) on
//! a copy of an image, then add the flattened copy to the composer.

use leptos::ev;
use leptos::prelude::*;

use crate::commands::editor::handle_add_annotated;
use crate::components::ui::{Button, Look, Size};
use crate::model::annotate::{arrow_head, font_size, line_width, rect, svg_points, Shape, COLOURS};
use crate::state::editor::EditorState;
use crate::state::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Pen,
    Arrow,
    Box,
    Text,
}

/// The Annotate dialog: the image with the marks over it (SVG, in image
/// pixels), the tools, Colour, Undo, Add to composer and Cancel (or Escape).
#[component]
pub fn Annotator() -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = expect_context::<EditorState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let image = NodeRef::<leptos::html::Img>::new();
    let tool = RwSignal::new(Tool::Pen);
    let colour = RwSignal::new(0usize);
    let label = RwSignal::new(String::new());
    let shapes = RwSignal::new(Vec::<Shape>::new());
    let natural = RwSignal::new((0u32, 0u32));
    let drawing = StoredValue::new(false);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        let open = editor.annotating.with(Option::is_some);
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                shapes.set(Vec::new());
                busy.set(false);
                let _ = d.show_modal();
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    let at = move |ev: &ev::PointerEvent| -> Option<(f64, f64)> {
        let img = image.get_untracked()?;
        let r = img.get_bounding_client_rect();
        let (w, h) = super::known_size(image, natural)?;
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return None;
        }
        Some((
            (f64::from(ev.client_x()) - r.left()) * f64::from(w) / r.width(),
            (f64::from(ev.client_y()) - r.top()) * f64::from(h) / r.height(),
        ))
    };
    let on_down = move |ev: ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        let Some(p) = at(&ev) else {
            return;
        };
        ev.prevent_default();
        let colour = colour.get_untracked();
        let shape = match tool.get_untracked() {
            Tool::Pen => Shape::Pen {
                points: vec![p],
                colour,
            },
            Tool::Arrow => Shape::Arrow {
                from: p,
                to: p,
                colour,
            },
            Tool::Box => Shape::Box { a: p, b: p, colour },
            Tool::Text => {
                let text = label.get_untracked();
                if !text.trim().is_empty() {
                    shapes.update(|s| {
                        s.push(Shape::Text {
                            at: p,
                            text: text.trim().to_owned(),
                            colour,
                        })
                    });
                }
                return;
            }
        };
        if let Some(target) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drawing.set_value(true);
        shapes.update(|s| s.push(shape));
    };
    let on_move = move |ev: ev::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        let Some(p) = at(&ev) else {
            return;
        };
        shapes.update(|s| match s.last_mut() {
            Some(Shape::Pen { points, .. }) => points.push(p),
            Some(Shape::Arrow { to, .. }) => *to = p,
            Some(Shape::Box { b, .. }) => *b = p,
            _ => {}
        });
    };
    let on_up = move |_: ev::PointerEvent| drawing.set_value(false);
    let on_load = move |_| {
        if let Some(img) = image.get_untracked() {
            natural.set((img.natural_width(), img.natural_height()));
        }
    };
    let add = move |_| {
        let Some(source) = editor.annotating.get_untracked() else {
            return;
        };
        busy.set(true);
        handle_add_annotated(
            state,
            source,
            shapes.get_untracked(),
            Callback::new(move |added: bool| {
                busy.set(false);
                if added {
                    editor.annotating.set(None);
                }
            }),
        );
    };
    let marks = move || {
        let (w, h) = natural.get();
        let width = format!("{:.1}", line_width(w, h));
        let size = format!("{:.0}", font_size(w, h));
        shapes.with(|all| {
            all.iter()
                .map(|s| {
                    let c = s.colour();
                    match s {
                        Shape::Pen { points, .. } => view! {
                            <polyline points=svg_points(points) fill="none" stroke=c stroke-width=width.clone() stroke-linecap="round" stroke-linejoin="round" />
                        }
                        .into_any(),
                        Shape::Arrow { from, to, .. } => {
                            let head = arrow_head(*from, *to, line_width(w, h));
                            view! {
                                <g>
                                    <polyline points=svg_points(&[*from, *to]) fill="none" stroke=c stroke-width=width.clone() stroke-linecap="round" />
                                    <polygon points=svg_points(&head) fill=c />
                                </g>
                            }
                            .into_any()
                        }
                        Shape::Box { a, b, .. } => {
                            let (x, y, bw, bh) = rect(*a, *b);
                            view! {
                                <rect x=x y=y width=bw height=bh fill="none" stroke=c stroke-width=width.clone() stroke-linejoin="round" />
                            }
                            .into_any()
                        }
                        Shape::Text { at, text, .. } => view! {
                            <text x=at.0 y=at.1 fill=c font-size=size.clone() font-weight="bold" dominant-baseline="hanging" font-family="system-ui, sans-serif">
                                {text.clone()}
                            </text>
                        }
                        .into_any(),
                    }
                })
                .collect_view()
        })
    };
    let tool_button = move |t: Tool, name: &'static str| {
        view! {
            <Button
                look=Look::Ghost
                size=Size::Small
                attr:aria-pressed=move || (tool.get() == t).to_string()
                on:click=move |_| tool.set(t)
            >
                {name}
            </Button>
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog dialog--region"
            aria-labelledby="annotate-title"
            on:close=move |_| {
                editor.annotating.set(None);
                editor.refocus();
            }
        >
            <h2 id="annotate-title" class="dialog__title">
                "Annotate"
            </h2>
            <p class="hint">
                "Draw what the model should follow (then ask, e.g., \u{201c}remove what is boxed in red\u{201d}). The image itself is not changed: a marked copy goes to the composer."
            </p>
            <div class="region__tools">
                <span role="group" aria-label="Drawing tool" class="region__group">
                    {tool_button(Tool::Pen, "Pen")}
                    {tool_button(Tool::Arrow, "Arrow")}
                    {tool_button(Tool::Box, "Box")}
                    {tool_button(Tool::Text, "Text")}
                </span>
                <label for="annotate-colour">"Colour"</label>
                <select
                    id="annotate-colour"
                    on:change:target=move |ev| {
                        if let Ok(i) = ev.target().value().parse::<usize>() {
                            colour.set(i);
                        }
                    }
                >
                    {COLOURS
                        .iter()
                        .enumerate()
                        .map(|(i, (name, _))| {
                            view! {
                                <option value=i.to_string() selected=move || colour.get() == i>
                                    {*name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <label for="annotate-text">"Text to place"</label>
                <input
                    id="annotate-text"
                    type="text"
                    prop:value=move || label.get()
                    on:input:target=move |ev| label.set(ev.target().value())
                />
                <Button
                    look=Look::Ghost
                    size=Size::Small
                    attr:disabled=move || shapes.with(Vec::is_empty)
                    on:click=move |_| shapes.update(|s| {
                        s.pop();
                    })
                >
                    "Undo"
                </Button>
            </div>
            <div class="region__stage">
                {move || {
                    editor
                        .annotating
                        .get()
                        .map(|src| {
                            view! {
                                <img
                                    node_ref=image
                                    class="region__image"
                                    src=src.as_str().to_owned()
                                    alt="Image to annotate"
                                    draggable="false"
                                    on:load=on_load
                                />
                            }
                        })
                }}
                <svg
                    class="region__overlay"
                    aria-hidden="true"
                    viewBox=move || {
                        let (w, h) = natural.get();
                        format!("0 0 {} {}", w.max(1), h.max(1))
                    }
                    preserveAspectRatio="none"
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=on_up
                >
                    {marks}
                </svg>
            </div>
            <div class="dialog__buttons">
                <Button look=Look::Ghost on:click=move |_| editor.annotating.set(None)>
                    "Cancel"
                </Button>
                <Button
                    look=Look::Primary
                    attr:disabled=move || busy.get() || shapes.with(Vec::is_empty)
                    on:click=add
                >
                    "Add to composer"
                </Button>
            </div>
        </dialog>
    }
}
