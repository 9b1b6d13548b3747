use std::sync::Arc;

use leptos::prelude::*;

use crate::commands::code::{handle_close_code, handle_copy_code, handle_download_code};
use crate::components::ui::{Button, Look};
use crate::model::code::{GotCode, Lang};
use crate::state::site::Site;
use crate::state::AppState;

/// The code of one request: a tab per language (arrow keys, Home and End move
/// between them), what the images are, Copy and Download code and images.
#[component]
pub fn CodeTabs(
    /// The programs to show.
    got: Arc<GotCode>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let proxy_note = GotCode::proxy_note(
        site.config.with_untracked(|c| c.proxy_holds_key),
        &state.connection.with_untracked(|c| c.base_url.clone()),
    );
    let selected = RwSignal::new(Lang::Curl);
    let status = RwSignal::new(String::new());
    let tab_refs = Lang::ALL.map(|_| NodeRef::<leptos::html::Button>::new());
    let select = move |lang: Lang, focus: bool| {
        selected.set(lang);
        status.set(String::new());
        if focus {
            let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
            if let Some(tab) = tab_refs.get(i).and_then(NodeRef::get_untracked) {
                let _ = tab.focus();
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let now = selected.get_untracked();
        let to = match ev.key().as_str() {
            "ArrowRight" => now.step(true),
            "ArrowLeft" => now.step(false),
            "Home" => Lang::Curl,
            "End" => Lang::JavaScript,
            _ => return,
        };
        ev.prevent_default();
        select(to, true);
    };
    let tabs = Lang::ALL
        .iter()
        .zip(tab_refs)
        .map(|(&lang, node)| {
            let is = move || selected.get() == lang;
            view! {
                <button
                    node_ref=node
                    type="button"
                    role="tab"
                    class="tabs__tab"
                    id=format!("code-tab-{}", lang.id())
                    aria-controls=format!("code-panel-{}", lang.id())
                    aria-selected=move || is().to_string()
                    tabindex=move || if is() { "0" } else { "-1" }
                    on:click=move |_| select(lang, false)
                    on:keydown=on_key
                >
                    {lang.label()}
                </button>
            }
        })
        .collect_view();
    let panels = Lang::ALL
        .iter()
        .map(|&lang| {
            let text = lang.program(&got.shown).text.clone();
            view! {
                <div
                    role="tabpanel"
                    class="code__panel"
                    id=format!("code-panel-{}", lang.id())
                    aria-labelledby=format!("code-tab-{}", lang.id())
                    hidden=move || selected.get() != lang
                >
                    <p class="hint">{lang.how_to_run()}</p>
                    <pre class="code__text" tabindex="0" aria-label=format!("{} code", lang.label())>
                        <code>{text}</code>
                    </pre>
                </div>
            }
        })
        .collect_view();
    let copy = {
        let got = got.clone();
        move |_| {
            let lang = selected.get_untracked();
            handle_copy_code(lang.program(&got.shown).text.clone(), lang.label(), status);
        }
    };
    let download = {
        let got = got.clone();
        move |_| handle_download_code(got.clone(), status)
    };
    view! {
        <p>{got.intro()}</p>
        <p class="code__target">{got.target_line()}</p>
        {proxy_note.map(|n| view! { <p class="code__note">{n}</p> })}
        <div role="tablist" aria-label="Language" class="tabs">
            {tabs}
        </div>
        {panels}
        {got.images_note().map(|n| view! { <p class="code__note">{n}</p> })}
        <p class="code__status" role="status">
            {move || status.get()}
        </p>
        <div class="dialog__buttons">
            <Button on:click=copy>"Copy"</Button>
            <Button look=Look::Primary on:click=download>
                "Download code and images"
            </Button>
            <Button look=Look::Ghost on:click=move |_| handle_close_code(state)>
                "Close"
            </Button>
        </div>
    }
}
