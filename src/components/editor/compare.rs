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
    view! {
        <div class="compare" class:compare--side=move || side.get()>
            <div class="compare__stage">
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
