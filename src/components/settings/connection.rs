use gemini::KeyHeader;
use leptos::prelude::*;

use crate::commands::settings::{handle_forget_key, handle_key_header, request_base};
use crate::components::ui::{Button, CheckboxField, Look, Size};
use crate::config::validate_base;
use crate::state::site::{ChangeSource, Site};
use crate::state::AppState;

/// Where requests go and the key: the base URL, the key header, the key and
/// whether this browser remembers it. Behind a key-holding proxy, a line
/// saying so instead.
#[component]
pub fn ConnectionSettings() -> impl IntoView {
    let site = expect_context::<Site>();
    view! {
        <Show when=move || !site.proxy_holds_key() fallback=ProxyNote>
            <BaseUrlField />
            <KeyHeaderField />
            <ApiKeyField />
        </Show>
    }
}

/// The proxy adds the key: this browser holds none.
#[component]
fn ProxyNote() -> impl IntoView {
    let conn = expect_context::<AppState>().connection;
    view! {
        <p class="hint proxy-note">
            {move || {
                let base = conn.with(|c| c.base_url.clone());
                let target = if base.is_empty() { "this site's /v1beta/ proxy".to_owned() } else { base };
                format!(
                    "This site's proxy adds the API key: this browser holds no key and sends none. Requests go to {target}.",
                )
            }}
        </p>
    }
}

/// The API base URL, checked when changed; another origin asks first when a
/// key is held.
#[component]
fn BaseUrlField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let conn = state.connection;
    let error = RwSignal::new(None::<String>);
    // While a change waits for confirmation, the field shows it.
    let shown = move || {
        site.pending
            .with(|p| {
                p.as_ref()
                    .filter(|p| p.source == ChangeSource::User)
                    .map(|p| p.base_url.clone())
            })
            .unwrap_or_else(|| conn.with(|c| c.base_url.clone()))
    };
    view! {
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
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=shown
                on:change:target=move |ev| {
                    match validate_base(&ev.target().value()) {
                        Ok(base) => {
                            error.set(None);
                            let header = conn.with_untracked(|c| c.key_header);
                            request_base(state, site, base, header, ChangeSource::User);
                        }
                        Err(why) => {
                            error.set(Some(format!("Not used: {why}. Requests still go to the previous address.")))
                        }
                    }
                }
            />
            {move || error.get().map(|e| view! { <p class="hint hint--error" role="alert">{e}</p> })}
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
    }
}

/// Which header carries the key.
#[component]
fn KeyHeaderField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    view! {
        <div class="field">
            <label for="key-header">"Key header"</label>
            <select
                id="key-header"
                on:change:target=move |ev| {
                    handle_key_header(state, site, KeyHeader::from_id(&ev.target().value()))
                }
            >
                {KeyHeader::ALL
                    .into_iter()
                    .map(|h| {
                        view! {
                            <option
                                value=h.id()
                                selected=move || state.connection.with(|c| c.key_header == h)
                            >
                                {h.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The key (hidden unless shown), whether this browser remembers it, and
/// Forget key.
#[component]
fn ApiKeyField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let conn = state.connection;
    let show_key = RwSignal::new(false);
    view! {
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
                    on:input:target=move |ev| {
                        let v = ev.target().value();
                        conn.update(|c| c.api_key = v);
                    }
                />
                <Button
                    look=Look::Ghost
                    size=Size::Small
                    attr:aria-pressed=move || show_key.get().to_string()
                    on:click=move |_| show_key.update(|v| *v = !*v)
                >
                    {move || if show_key.get() { "Hide" } else { "Show" }}
                </Button>
            </div>
            <p class="hint">"Sent only to the API base URL, in the header above."</p>
        </div>
        <CheckboxField
            id="remember-session"
            label="Remember for this session"
            checked=Signal::derive(move || conn.with(|c| c.remember_session && !c.remember))
            on_change=move |on| {
                conn.update(|c| {
                    c.remember_session = on;
                    if on {
                        c.remember = false;
                    }
                })
            }
            hint=Signal::stored(
                "Keeps the key while this tab is open (sessionStorage): the safer choice on a shared computer."
                    .to_owned(),
            )
        />
        <CheckboxField
            id="remember-key"
            label="Remember on this device"
            checked=Signal::derive(move || conn.with(|c| c.remember))
            on_change=move |on| {
                conn.update(|c| {
                    c.remember = on;
                    if on {
                        c.remember_session = false;
                    }
                })
            }
            hint=Signal::stored(
                "Stores the key in this browser's local storage until you forget it. With neither box ticked the key is kept in memory only and is gone when the tab closes. A remembered key can be read by anything running on this site."
                    .to_owned(),
            )
        />
        <Show when=move || conn.with(|c| c.remember || c.remember_session || !c.api_key.is_empty())>
            <Button look=Look::Ghost size=Size::Small on:click=move |_| handle_forget_key(state)>
                "Forget key"
            </Button>
        </Show>
    }
}
