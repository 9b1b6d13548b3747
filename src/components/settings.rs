use gemini::models::{caps, Thinking, MODELS};
use gemini::{AspectRatio, ImageSize, ThinkingLevel};
use leptos::prelude::*;

use crate::actions::handle_model_change;
use crate::browser::http::KeyHeader;
use crate::state::AppState;

const CUSTOM: &str = "__custom";

/// Connection and generation settings. Every option of the API is here; an option
/// the chosen model does not take is disabled with the reason beside it.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let conn = state.connection;
    let model_caps = move || settings.with(|s| caps(&s.model));
    let is_custom = move || !model_caps().known;
    let show_key = RwSignal::new(false);

    let model_select_value = move || {
        if is_custom() {
            CUSTOM.to_owned()
        } else {
            settings.with(|s| s.model.clone())
        }
    };

    view! {
        <aside class="settings" aria-label="Settings">
            <details class="settings__group" open>
                <summary>"Model & output"</summary>
                <div class="field">
                    <label for="model">"Model"</label>
                    <select
                        id="model"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let id = if v == CUSTOM { String::new() } else { v };
                            handle_model_change(state, id);
                        }
                    >
                        {MODELS
                            .iter()
                            .map(|m| {
                                let label = match m.retired {
                                    Some(date) => format!("{} (retired {date})", m.label),
                                    None => m.label.to_owned(),
                                };
                                let id = m.id;
                                view! {
                                    <option value=id selected=move || model_select_value() == id>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                        <option value=CUSTOM selected=is_custom>
                            "Custom model id…"
                        </option>
                    </select>
                    <Show when=is_custom>
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
                            on:change=move |ev| handle_model_change(state, event_target_value(&ev).trim().to_owned())
                        />
                        <p class="hint">"Options are not checked for a custom model: the endpoint decides."</p>
                    </Show>
                    {move || {
                        model_caps()
                            .retired
                            .map(|date| {
                                view! {
                                    <p class="hint hint--warn">
                                        {format!(
                                            "Shut down by Google on {date}; only compatible endpoints still serve it.",
                                        )}
                                    </p>
                                }
                            })
                    }}
                </div>

                <div class="field field--check">
                    <input
                        id="image-only"
                        type="checkbox"
                        prop:checked=move || settings.with(|s| s.image_only)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            settings.update(|s| s.image_only = on);
                        }
                    />
                    <label for="image-only">"Image only"</label>
                    <p class="hint">"Ask for the image without any text."</p>
                </div>

                <div class="field">
                    <label for="aspect-ratio">"Aspect ratio"</label>
                    <select
                        id="aspect-ratio"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            settings.update(|s| s.aspect_ratio = AspectRatio::parse(&v));
                        }
                    >
                        <option value="" selected=move || settings.with(|s| s.aspect_ratio.is_none())>
                            "Auto (input's ratio, or 1:1)"
                        </option>
                        {AspectRatio::ALL
                            .into_iter()
                            .map(|r| {
                                let why = move || model_caps().ratio_unavailable(r);
                                view! {
                                    <option
                                        value=r.as_str()
                                        disabled=move || why().is_some()
                                        title=move || why().unwrap_or_default()
                                        selected=move || settings.with(|s| s.aspect_ratio == Some(r))
                                    >
                                        {move || match why() {
                                            Some(_) => format!("{} (not on this model)", r.as_str()),
                                            None => r.as_str().to_owned(),
                                        }}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>

                <div class="field">
                    <label for="image-size">"Image size"</label>
                    <select
                        id="image-size"
                        aria-describedby="image-size-hint"
                        disabled=move || model_caps().image_sizes.is_empty()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            settings.update(|s| s.image_size = ImageSize::parse(&v));
                        }
                    >
                        <option value="" selected=move || settings.with(|s| s.image_size.is_none())>
                            {move || format!("Default ({})", model_caps().default_size_hint)}
                        </option>
                        {ImageSize::ALL
                            .into_iter()
                            .map(|size| {
                                let why = move || model_caps().size_unavailable(size);
                                view! {
                                    <option
                                        value=size.as_str()
                                        disabled=move || why().is_some()
                                        title=move || why().unwrap_or_default()
                                        selected=move || settings.with(|s| s.image_size == Some(size))
                                    >
                                        {size.as_str()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <p class="hint" id="image-size-hint">
                        {move || {
                            let c = model_caps();
                            if c.image_sizes.is_empty() {
                                format!("{} always outputs {}.", c.label, c.default_size_hint)
                            } else if !c.takes_size(ImageSize::Px512) {
                                "512px is only on Gemini 3.1 Flash Image. 4K takes longest.".to_owned()
                            } else {
                                "4K takes a minute or more.".to_owned()
                            }
                        }}
                    </p>
                </div>

                <div class="field">
                    <label for="thinking-level">"Thinking level"</label>
                    <select
                        id="thinking-level"
                        aria-describedby="thinking-hint"
                        disabled=move || model_caps().thinking_level_unavailable().is_some()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            settings.update(|s| s.thinking_level = ThinkingLevel::parse(&v));
                        }
                    >
                        <option value="" selected=move || settings.with(|s| s.thinking_level.is_none())>
                            {move || match model_caps().thinking {
                                Thinking::Choice { default, .. } => {
                                    format!("Model default ({})", default.as_str())
                                }
                                Thinking::Fixed(level) => format!("Always {}", level.as_str()),
                                Thinking::Unsupported => "None".to_owned(),
                            }}
                        </option>
                        {[ThinkingLevel::Minimal, ThinkingLevel::High]
                            .into_iter()
                            .map(|level| {
                                view! {
                                    <option
                                        value=level.as_str()
                                        selected=move || settings.with(|s| s.thinking_level == Some(level))
                                    >
                                        {level.as_str()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <p class="hint" id="thinking-hint">
                        {move || {
                            model_caps()
                                .thinking_level_unavailable()
                                .map(|w| format!("{w}."))
                                .unwrap_or_else(|| "High thinks longer and follows complex prompts better.".to_owned())
                        }}
                    </p>
                </div>

                <div class="field field--check">
                    <input
                        id="include-thoughts"
                        type="checkbox"
                        aria-describedby="thoughts-hint"
                        disabled=move || model_caps().thoughts_unavailable().is_some()
                        prop:checked=move || settings.with(|s| s.include_thoughts)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            settings.update(|s| s.include_thoughts = on);
                        }
                    />
                    <label for="include-thoughts">"Include thoughts"</label>
                    <p class="hint" id="thoughts-hint">
                        {move || {
                            model_caps()
                                .thoughts_unavailable()
                                .map(|w| format!("{w}."))
                                .unwrap_or_else(|| "Show the model's reasoning and draft images.".to_owned())
                        }}
                    </p>
                </div>

                <div class="field field--check">
                    <input
                        id="google-search"
                        type="checkbox"
                        prop:checked=move || settings.with(|s| s.google_search)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            settings.update(|s| s.google_search = on);
                        }
                    />
                    <label for="google-search">"Google Search"</label>
                    <p class="hint">"Ground the image in current information (weather, events)."</p>
                </div>
            </details>

            <details class="settings__group" open=conn.with_untracked(|c| c.api_key.is_empty())>
                <summary>"Connection"</summary>
                <div class="field">
                    <label for="base-url">"API base URL"</label>
                    <input
                        id="base-url"
                        type="url"
                        spellcheck="false"
                        autocomplete="off"
                        placeholder="empty = this site's proxy"
                        prop:value=move || conn.with(|c| c.base_url.clone())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            conn.update(|c| c.base_url = v.trim().to_owned());
                        }
                    />
                    <p class="hint">
                        "Leave empty to use this site's proxy. Or e.g. https://api.cometapi.com, https://generativelanguage.googleapis.com."
                    </p>
                </div>
                <div class="field">
                    <label for="key-header">"Key header"</label>
                    <select
                        id="key-header"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            conn.update(|c| c.key_header = KeyHeader::from_id(&v));
                        }
                    >
                        {KeyHeader::ALL
                            .into_iter()
                            .map(|h| {
                                view! {
                                    <option value=h.id() selected=move || conn.with(|c| c.key_header == h)>
                                        {h.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="api-key">"API key"</label>
                    <div class="input-row">
                        <input
                            id="api-key"
                            type=move || if show_key.get() { "text" } else { "password" }
                            spellcheck="false"
                            autocomplete="off"
                            placeholder="not needed behind a key-holding proxy"
                            prop:value=move || conn.with(|c| c.api_key.clone())
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                conn.update(|c| c.api_key = v);
                            }
                        />
                        <button
                            type="button"
                            class="button button--ghost button--small"
                            aria-pressed=move || show_key.get().to_string()
                            on:click=move |_| show_key.update(|v| *v = !*v)
                        >
                            {move || if show_key.get() { "Hide" } else { "Show" }}
                        </button>
                    </div>
                    <p class="hint">"Sent only to the API base URL, in the header above."</p>
                </div>
                <div class="field field--check">
                    <input
                        id="remember-key"
                        type="checkbox"
                        prop:checked=move || conn.with(|c| c.remember)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            conn.update(|c| c.remember = on);
                        }
                    />
                    <label for="remember-key">"Remember on this device"</label>
                    <p class="hint">"Stores the key in this browser's local storage. Off: forgotten when the tab closes."</p>
                </div>
                <Show when=move || conn.with(|c| c.remember || !c.api_key.is_empty())>
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        on:click=move |_| {
                            conn.update(|c| {
                                c.api_key.clear();
                                c.remember = false;
                            })
                        }
                    >
                        "Forget key"
                    </button>
                </Show>
            </details>
        </aside>
    }
}
