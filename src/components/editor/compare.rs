//! Compare: a turn's image over the one before it, a slider (role `slider`,
//! name "Compare") showing how much of each; or both side by side.

use leptos::prelude::*;

use crate::components::ui::{Button, Look, Size};

/// The turn's image (`after`, on the left of the divide) over `before`; the
/// slider moves the divide (pointer anywhere on the images, or the arrow
/// keys); **Side by side** shows both whole (wide screens).
#[component]
pub fn CompareView(
    /// The earlier image's URL (the previous turn's, or the first reference image).
    before: String,
    /// What the earlier image is, for its alt text.
    before_label: &'static str,
    /// This turn's image URL.
    after: String,
) -> impl IntoView {
    let position = RwSignal::new(50.0_f64);
    let side = RwSignal::new(false);
    let stage = NodeRef::<leptos::html::Div>::new();
    let slider = NodeRef::<leptos::html::Input>::new();
    let dragging = StoredValue::new(false);
    // A pointer (mouse, pen, finger) anywhere on the images moves the divide
    // to it, and keeps moving it while held.
    let follow = move |ev: &leptos::ev::PointerEvent| {
        if let Some(s) = stage.get_untracked() {
            let r = s.get_bounding_client_rect();
            if r.width() > 0.0 {
                let at = (f64::from(ev.client_x()) - r.left()) / r.width() * 100.0;
                position.set(at.round().clamp(0.0, 100.0));
            }
        }
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        if side.get_untracked() || ev.button() != 0 {
            return;
        }
        dragging.set_value(true);
        if let Some(s) = stage.get_untracked() {
            let _ = s.set_pointer_capture(ev.pointer_id());
        }
        follow(&ev);
        if let Some(i) = slider.get_untracked() {
            let _ = i.focus();
        }
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if dragging.get_value() {
            follow(&ev);
        }
    };
    let on_up = move |_: leptos::ev::PointerEvent| dragging.set_value(false);
    view! {
        <div class="compare" class:compare--side=move || side.get()>
            <div
                class="compare__stage"
                node_ref=stage
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
            >
                <img class="compare__before" src=before alt=before_label draggable="false" />
                <img
                    class="compare__after"
                    src=after
                    alt="This turn's image"
                    draggable="false"
                    style:clip-path=move || {
                        if side.get() {
                            "none".to_owned()
                        } else {
                            format!("inset(0 {:.2}% 0 0)", 100.0 - position.get())
                        }
                    }
                />
                <div
                    class="compare__line"
                    aria-hidden="true"
                    style:left=move || format!("{:.2}%", position.get())
                ></div>
                <input
                    node_ref=slider
                    class="compare__slider"
                    type="range"
                    min="0"
                    max="100"
                    step="1"
                    aria-label="Compare"
                    aria-valuetext=move || {
                        format!("{:.0}% this turn, {:.0}% before", position.get(), 100.0 - position.get())
                    }
                    prop:value=move || position.get().to_string()
                    on:input:target=move |ev| {
                        if let Ok(v) = ev.target().value().parse::<f64>() {
                            position.set(v.clamp(0.0, 100.0));
                        }
                    }
                />
            </div>
            <div class="compare__bar">
                <span class="turn__meta">"Left: this turn · right: " {before_label}</span>
                <span class="compare__side">
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:aria-pressed=move || side.get().to_string()
                        on:click=move |_| side.update(|s| *s = !*s)
                    >
                        "Side by side"
                    </Button>
                </span>
            </div>
        </div>
    }
}
