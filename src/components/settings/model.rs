use gemini::models::caps;
use leptos::prelude::*;

use crate::commands::settings::handle_model_change;
use crate::state::site::Site;
use crate::state::AppState;

const CUSTOM: &str = "__custom";

/// The model: those the site offers, or a custom id.
#[component]
pub fn ModelField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let settings = state.settings;
    // The site's config.json may restrict the models offered.
    let offered = move || site.config.with(|c| c.offered_models());
    let allow_custom = move || site.config.with(|c| c.allow_custom_model);
    let is_custom = move || settings.with(|s| !site.config.with(|c| c.offers(&s.model)));
    let selected = move || {
        if is_custom() {
            CUSTOM.to_owned()
        } else {
            settings.with(|s| s.model.clone())
        }
    };
    view! {
        <div class="field">
            <label for="model">"Model"</label>
            <select
                id="model"
                on:change:target=move |ev| {
                    let v = ev.target().value();
                    handle_model_change(state, if v == CUSTOM { String::new() } else { v });
                }
            >
                {move || {
                    offered()
                        .into_iter()
                        .map(|(id, label)| {
                            let value = id.clone();
                            view! {
                                <option value=value selected=move || selected() == id>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()
                }}
                <Show when=allow_custom>
                    <option value=CUSTOM selected=is_custom>
                        "Custom model id…"
                    </option>
                </Show>
            </select>
            <Show when=move || is_custom() && allow_custom()>
                <label for="custom-model" class="sub-label">
                    "Custom model id"
                </label>
                <input
                    id="custom-model"
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder="e.g. my-endpoint-image-model"
                    prop:value=move || settings.with(|s| s.model.clone())
                    on:change:target=move |ev| {
                        handle_model_change(state, ev.target().value().trim().to_owned())
                    }
                />
                <p class="hint">"Options are not checked for a custom model: the endpoint decides."</p>
            </Show>
            {move || {
                settings
                    .with(|s| caps(&s.model).retired)
                    .map(|date| {
                        view! {
                            <p class="hint hint--warn">
                                {format!("Shut down by Google on {date}; only compatible endpoints still serve it.")}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
