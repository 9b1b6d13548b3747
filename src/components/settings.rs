use gemini::models::{caps, Thinking};
use gemini::{AspectRatio, ImageSize, ThinkingLevel};
use leptos::prelude::*;

use crate::actions::handle_model_change;
use crate::browser::http::KeyHeader;
use crate::config::validate_base;
use crate::site::{handle_key_header, request_base, ChangeSource, Site};
use crate::state::AppState;

const CUSTOM: &str = "__custom";

/// Connection and generation settings. Every option of the API is here; an option
/// the chosen model does not take is disabled with the reason beside it.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let settings = state.settings;
    let conn = state.connection;
    let model_caps = move || settings.with(|s| caps(&s.model));
    // The site's config.json may restrict the models offered.
    let offered = move || site.config.with(|c| c.offered_models());
    let allow_custom = move || site.config.with(|c| c.allow_custom_model);
    let is_custom = move || {
        settings.with(|s| {
            site.config
                .with(|c| !c.offered_models().iter().any(|(id, _)| *id == s.model))
        })
    };
    let show_key = RwSignal::new(false);
    let base_error = RwSignal::new(None::<String>);

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
                        {move || {
                            offered()
                                .into_iter()
                                .map(|(id, label)| {
                                    let value = id.clone();
                                    view! {
                                        <option value=value selected=move || model_select_value() == id>
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

            // Open while there is no key to enter, and while one is remembered (so
            // "Forget key" is in sight).
            <details
                class="settings__group"
                open=conn.with_untracked(|c| c.api_key.is_empty() || c.remember)
            >
                <summary>"Connection"</summary>
                <Show
                    when=move || !site.proxy_holds_key()
                    fallback=move || {
                        view! {
                            <p class="hint proxy-note">
                                {move || {
                                    let base = conn.with(|c| c.base_url.clone());
                                    let target = if base.is_empty() {
                                        "this site's /v1beta/ proxy".to_owned()
                                    } else {
                                        base
                                    };
                                    format!(
                                        "This site's proxy adds the API key: this browser holds no key and sends none. Requests go to {target}.",
                                    )
                                }}
                            </p>
                        }
                    }
                >
                    <div class="field">
                        <label for="base-url">"API base URL"</label>
                        <input
                            id="base-url"
                            type="text"
                            inputmode="url"
                            spellcheck="false"
                            autocomplete="off"
                            placeholder="empty = this site's proxy"
                            aria-describedby="base-url-hint"
                            aria-invalid=move || base_error.with(Option::is_some).to_string()
                            prop:value=move || {
                                site.pending
                                    .with(|p| {
                                        p.as_ref()
                                            .filter(|p| p.source == ChangeSource::User)
                                            .map(|p| p.base_url.clone())
                                    })
                                    .unwrap_or_else(|| conn.with(|c| c.base_url.clone()))
                            }
                            on:change=move |ev| {
                                match validate_base(&event_target_value(&ev)) {
                                    Ok(base) => {
                                        base_error.set(None);
                                        let header = conn.with_untracked(|c| c.key_header);
                                        request_base(state, site, base, header, ChangeSource::User);
                                    }
                                    Err(why) => {
                                        base_error.set(Some(format!("Not used: {why}. Requests still go to the previous address.")))
                                    }
                                }
                            }
                        />
                        {move || {
                            base_error.get().map(|e| view! { <p class="hint hint--error" role="alert">{e}</p> })
                        }}
                        {move || {
                            conn.with(|c| site.blocked_origin(&c.base_url))
                                .map(|origin| {
                                    view! {
                                        <p class="hint hint--warn">
                                            {format!(
                                                "This page's security policy does not allow requests to {origin}: the browser will block them. Whoever hosts this page can allow it (cargo xtask dist --api-origin {origin}).",
                                            )}
                                        </p>
                                    }
                                })
                        }}
                        <p class="hint" id="base-url-hint">
                            "Leave empty to use this site's proxy. Or e.g. https://api.cometapi.com, https://generativelanguage.googleapis.com."
                        </p>
                    </div>
                    <div class="field">
                        <label for="key-header">"Key header"</label>
                        <select
                            id="key-header"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                handle_key_header(state, site, KeyHeader::from_id(&v));
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
                </Show>
            </details>
        </aside>
    }
}
