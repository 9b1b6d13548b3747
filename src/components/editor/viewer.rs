//! The image viewer: a modal dialog that shows one of the conversation's
//! images, zoomed (buttons, wheel, pinch) and panned (drag), stepping through
//! the conversation's images with the arrow keys.

use std::collections::BTreeMap;

use leptos::ev;
use leptos::prelude::*;

use crate::components::ui::{sync_dialog, Button, Look, Size as ButtonSize};
use crate::model::labels::alt_text;
use crate::model::viewer::{
    actual_size, caption, fit, pan, step, transform, wheel_factor, zoom_at, Size, View, ZOOM_STEP,
};
use crate::state::editor::EditorState;
use crate::state::{AppState, Turn, Variant};

/// Every shown answer image of the conversation, in order: (object URL, alt).
fn gallery(turns: &[Turn]) -> Vec<(String, String)> {
    turns
        .iter()
        .filter(|t| t.damaged.is_none())
        .flat_map(|t| {
            let many = t.data.variants.len() > 1;
            let alt = alt_text(&t.data.prompt);
            t.data
                .variants
                .iter()
                .enumerate()
                .filter_map(move |(i, v)| match v {
                    Variant::Done(a) => Some((
                        a.image.as_str().to_owned(),
                        if many {
                            format!("{alt} (variant {})", i + 1)
                        } else {
                            alt.clone()
                        },
                    )),
                    Variant::Failed(_) => None,
                })
        })
        .collect()
}

/// "Image viewer": Zoom in, Zoom out, Fit, Actual size, Previous, Next and
/// Close; the wheel zooms about the pointer, two fingers pinch, a drag pans,
/// ←/→ step through the conversation's images, Escape closes (focus goes back
/// to the image that opened it).
#[component]
pub fn ImageViewer() -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = expect_context::<EditorState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let area = NodeRef::<leptos::html::Div>::new();
    let image = NodeRef::<leptos::html::Img>::new();
    let view_at = RwSignal::new(View::default());
    let natural = RwSignal::new(Size::new(0.0, 0.0));
    let images = Memo::new(move |_| state.turns.with(|t| gallery(t)));
    let index = Memo::new(move |_| {
        editor.viewing.with(|url| {
            url.as_ref()
                .and_then(|u| images.with(|all| all.iter().position(|(x, _)| x == u)))
        })
    });
    // An image that is not among the answers (a region edit's composite) is
    // shown alone.
    let shown = move || match index.get() {
        Some(i) => images.with(|all| all.get(i).cloned()),
        None => editor
            .viewing
            .get()
            .map(|u| (u, "Generated image (region edit)".to_owned())),
    };
    sync_dialog(dialog, move || editor.viewing.with(Option::is_some));
    let viewport = move || {
        area.get_untracked()
            .map(|a| Size::new(f64::from(a.client_width()), f64::from(a.client_height())))
            .unwrap_or(Size::new(0.0, 0.0))
    };
    let centre = move || {
        let v = viewport();
        (v.w / 2.0, v.h / 2.0)
    };
    let zoom = move |factor: f64| {
        let (cx, cy) = centre();
        view_at.update(|v| *v = zoom_at(*v, factor, cx, cy));
    };
    let go = move |forward: bool| {
        let len = images.with_untracked(Vec::len);
        if let Some(i) = index.get_untracked() {
            let next = step(i, len, forward);
            if next != i {
                if let Some((url, _)) = images.with_untracked(|all| all.get(next).cloned()) {
                    editor.viewing.set(Some(url));
                }
            }
        }
    };
    let on_load = move |_| {
        if let Some(img) = image.get_untracked() {
            let size = Size::new(
                f64::from(img.natural_width()),
                f64::from(img.natural_height()),
            );
            natural.set(size);
            view_at.set(fit(size, viewport()));
        }
    };
    let on_key = move |ev: ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowLeft" | "ArrowUp" | "PageUp" => {
            ev.prevent_default();
            go(false);
        }
        "ArrowRight" | "ArrowDown" | "PageDown" => {
            ev.prevent_default();
            go(true);
        }
        "+" | "=" => zoom(ZOOM_STEP),
        "-" => zoom(1.0 / ZOOM_STEP),
        _ => {}
    };
    let on_wheel = move |ev: ev::WheelEvent| {
        ev.prevent_default();
        let Some(a) = area.get_untracked() else {
            return;
        };
        let r = a.get_bounding_client_rect();
        let (px, py) = (
            f64::from(ev.client_x()) - r.left(),
            f64::from(ev.client_y()) - r.top(),
        );
        let factor = wheel_factor(ev.delta_y());
        view_at.update(|v| *v = zoom_at(*v, factor, px, py));
    };
    // Pointers down on the image area: one drags, two pinch.
    let pointers = StoredValue::new(BTreeMap::<i32, (f64, f64)>::new());
    let on_down = move |ev: ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        if let Some(a) = area.get_untracked() {
            let _ = a.set_pointer_capture(ev.pointer_id());
        }
        pointers.update_value(|p| {
            p.insert(
                ev.pointer_id(),
                (f64::from(ev.client_x()), f64::from(ev.client_y())),
            );
        });
    };
    let on_move = move |ev: ev::PointerEvent| {
        let id = ev.pointer_id();
        let now = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let Some((before, other)) = pointers.with_value(|p| {
            p.get(&id)
                .map(|b| (*b, p.iter().find(|(k, _)| **k != id).map(|(_, v)| *v)))
        }) else {
            return;
        };
        match other {
            None => view_at.update(|v| *v = pan(*v, now.0 - before.0, now.1 - before.1)),
            Some(o) => {
                let d0 = (before.0 - o.0).hypot(before.1 - o.1);
                let d1 = (now.0 - o.0).hypot(now.1 - o.1);
                if d0 > 0.0 {
                    if let Some(a) = area.get_untracked() {
                        let r = a.get_bounding_client_rect();
                        let (mx, my) = (
                            (now.0 + o.0) / 2.0 - r.left(),
                            (now.1 + o.1) / 2.0 - r.top(),
                        );
                        view_at.update(|v| *v = zoom_at(*v, d1 / d0, mx, my));
                    }
                }
            }
        }
        pointers.update_value(|p| {
            p.insert(id, now);
        });
    };
    let on_up = move |ev: ev::PointerEvent| {
        pointers.update_value(|p| {
            p.remove(&ev.pointer_id());
        });
    };
    let small = ButtonSize::Small;
    view! {
        <dialog
            node_ref=dialog
            class="dialog dialog--viewer"
            aria-labelledby="image-viewer-title"
            on:close=move |_| {
                editor.viewing.set(None);
                editor.refocus();
            }
            on:keydown=on_key
        >
            <div class="viewer__bar">
                <h2 id="image-viewer-title" class="dialog__title">
                    "Image viewer"
                </h2>
                <span class="viewer__caption" aria-live="polite">
                    {move || {
                        index
                            .get()
                            .map(|i| caption(i, images.with(Vec::len), view_at.get().scale))
                    }}
                </span>
                <span class="viewer__tools">
                    <Button look=Look::Ghost size=small on:click=move |_| go(false) attr:disabled=move || index.get() == Some(0)>
                        "Previous"
                    </Button>
                    <Button
                        look=Look::Ghost
                        size=small
                        on:click=move |_| go(true)
                        attr:disabled=move || index.get().map(|i| i + 1) == Some(images.with(Vec::len))
                    >
                        "Next"
                    </Button>
                    <Button size=small on:click=move |_| zoom(ZOOM_STEP)>
                        "Zoom in"
                    </Button>
                    <Button size=small on:click=move |_| zoom(1.0 / ZOOM_STEP)>
                        "Zoom out"
                    </Button>
                    <Button size=small on:click=move |_| view_at.set(fit(natural.get_untracked(), viewport()))>
                        "Fit"
                    </Button>
                    <Button size=small on:click=move |_| view_at.set(actual_size(natural.get_untracked(), viewport()))>
                        "Actual size"
                    </Button>
                    <Button look=Look::Ghost size=small on:click=move |_| editor.viewing.set(None)>
                        "Close"
                    </Button>
                </span>
            </div>
            <div
                node_ref=area
                class="viewer__area"
                on:wheel=on_wheel
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
            >
                {move || {
                    shown()
                        .map(|(url, alt)| {
                            view! {
                                <img
                                    node_ref=image
                                    class="viewer__image"
                                    src=url
                                    alt=alt
                                    draggable="false"
                                    style:transform=move || transform(view_at.get())
                                    on:load=on_load
                                />
                            }
                        })
                }}
            </div>
        </dialog>
    }
}
