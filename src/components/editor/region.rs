//! "Edit region": select part of an image (Rectangle, Brush, Eraser) and say
//! what should change there. The selection shows as a translucent overlay.

use leptos::ev;
use leptos::prelude::*;

use crate::browser::canvas::paint_mask;
use crate::commands::editor::handle_apply_region_edit;
use crate::components::ui::{Button, Field, Look, Size};
use crate::model::region::{mask, Mark, Selection};
use crate::state::editor::EditorState;
use crate::state::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Rectangle,
    Brush,
    Eraser,
}

/// The overlay's colour: a translucent blue.
const OVERLAY: [u8; 4] = [64, 140, 255, 110];

/// The region editor, a modal dialog: the image ("Image to edit") under the
/// selection overlay, the tools (Tab reaches each), Brush size, Instruction,
/// Apply edit and Cancel. Escape closes it.
#[component]
pub fn RegionEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = expect_context::<EditorState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let overlay = NodeRef::<leptos::html::Canvas>::new();
    let image = NodeRef::<leptos::html::Img>::new();
    let tool = RwSignal::new(Tool::Rectangle);
    let brush = RwSignal::new(48.0_f64);
    let instruction = RwSignal::new(String::new());
    let selection = RwSignal::new(Selection::default());
    let natural = RwSignal::new((0u32, 0u32));
    let drawing = StoredValue::new(false);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        let open = editor.editing.with(Option::is_some);
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                selection.set(Selection::default());
                instruction.set(String::new());
                tool.set(Tool::Rectangle);
                busy.set(false);
                let _ = d.show_modal();
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    // The overlay follows the selection.
    Effect::new(move |_| {
        let (w, h) = natural.get();
        let m = selection.with(|s| mask(s, w, h));
        if let Some(c) = overlay.get() {
            let _ = paint_mask(&c, &m, w, h, OVERLAY);
        }
    });
    let at = move |ev: &ev::PointerEvent| -> Option<(f64, f64)> {
        let c = overlay.get_untracked()?;
        let r = c.get_bounding_client_rect();
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
        let Some((x, y)) = at(&ev) else {
            return;
        };
        ev.prevent_default();
        if let Some(c) = overlay.get_untracked() {
            let _ = c.set_pointer_capture(ev.pointer_id());
        }
        drawing.set_value(true);
        let mark = match tool.get_untracked() {
            Tool::Rectangle => Mark::Rect {
                x0: x,
                y0: y,
                x1: x,
                y1: y,
            },
            t => Mark::Stroke {
                points: vec![(x, y)],
                radius: brush.get_untracked() / 2.0,
                erase: t == Tool::Eraser,
            },
        };
        selection.update(|s| s.marks.push(mark));
    };
    let on_move = move |ev: ev::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        let Some((x, y)) = at(&ev) else {
            return;
        };
        selection.update(|s| match s.marks.last_mut() {
            Some(Mark::Rect { x1, y1, .. }) => {
                *x1 = x;
                *y1 = y;
            }
            Some(Mark::Stroke { points, .. }) => points.push((x, y)),
            None => {}
        });
    };
    let on_up = move |_: ev::PointerEvent| drawing.set_value(false);
    let on_load = move |_| {
        if let Some(img) = image.get_untracked() {
            natural.set((img.natural_width(), img.natural_height()));
        }
    };
    let apply = move |_| {
        let Some(source) = editor.editing.get_untracked() else {
            return;
        };
        busy.set(true);
        handle_apply_region_edit(
            state,
            source,
            selection.get_untracked(),
            instruction.get_untracked(),
            Callback::new(move |sent: bool| {
                busy.set(false);
                if sent {
                    editor.editing.set(None);
                }
            }),
        );
    };
    let tool_button = move |t: Tool, label: &'static str| {
        view! {
            <Button
                look=Look::Ghost
                size=Size::Small
                attr:aria-pressed=move || (tool.get() == t).to_string()
                on:click=move |_| tool.set(t)
            >
                {label}
            </Button>
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog dialog--region"
            aria-labelledby="edit-region-title"
            on:close=move |_| {
                editor.editing.set(None);
                editor.refocus();
            }
        >
            <h2 id="edit-region-title" class="dialog__title">
                "Edit region"
            </h2>
            <p class="hint">
                "Select what should change: drag a rectangle, or paint with the brush (the eraser takes away). Everything outside the selection stays exactly as it is."
            </p>
            <div class="region__tools">
                <span role="group" aria-label="Selection tool" class="region__group">
                    {tool_button(Tool::Rectangle, "Rectangle")}
                    {tool_button(Tool::Brush, "Brush")}
                    {tool_button(Tool::Eraser, "Eraser")}
                </span>
                <label for="region-brush-size">"Brush size"</label>
                <input
                    id="region-brush-size"
                    type="range"
                    min="4"
                    max="256"
                    step="4"
                    prop:value=move || brush.get().to_string()
                    on:input:target=move |ev| {
                        if let Ok(v) = ev.target().value().parse::<f64>() {
                            brush.set(v);
                        }
                    }
                />
                <Button
                    look=Look::Ghost
                    size=Size::Small
                    attr:disabled=move || selection.with(Selection::is_empty)
                    on:click=move |_| selection.set(Selection::default())
                >
                    "Clear selection"
                </Button>
            </div>
            <div class="region__stage">
                {move || {
                    editor
                        .editing
                        .get()
                        .map(|src| {
                            view! {
                                <img
                                    node_ref=image
                                    class="region__image"
                                    src=src.as_str().to_owned()
                                    alt="Image to edit"
                                    draggable="false"
                                    on:load=on_load
                                />
                            }
                        })
                }}
                <canvas
                    node_ref=overlay
                    class="region__overlay"
                    aria-hidden="true"
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=on_up
                ></canvas>
            </div>
            <Field id="region-instruction" label="Instruction">
                <textarea
                    id="region-instruction"
                    rows="2"
                    placeholder="e.g. replace the sky with a sunset"
                    prop:value=move || instruction.get()
                    on:input:target=move |ev| instruction.set(ev.target().value())
                ></textarea>
            </Field>
            <div class="dialog__buttons">
                <Button look=Look::Ghost on:click=move |_| editor.editing.set(None)>
                    "Cancel"
                </Button>
                <Button
                    look=Look::Primary
                    attr:disabled=move || {
                        busy.get() || state.running.get() || selection.with(Selection::is_empty)
                            || instruction.with(|i| i.trim().is_empty())
                    }
                    on:click=apply
                >
                    "Apply edit"
                </Button>
            </div>
        </dialog>
    }
}
