use leptos::prelude::*;

use crate::components::ui::CheckboxField;
use crate::model::requests::{time_limit_label, TIME_LIMITS_S};
use crate::state::AppState;

/// How requests are sent: automatic retries, the time limit, streaming.
#[component]
pub fn RequestSettings() -> impl IntoView {
    let requests = expect_context::<AppState>().requests;
    view! {
        <div class="field">
            <label for="retries">"Retries"</label>
            <select
                id="retries"
                aria-describedby="retries-hint"
                on:change:target=move |ev| {
                    if let Ok(n) = ev.target().value().parse::<u8>() {
                        requests.update(|r| r.retries = n.min(gemini::retry::MAX_RETRIES));
                    }
                }
            >
                {(0..=gemini::retry::MAX_RETRIES)
                    .map(|n| {
                        view! {
                            <option value=n.to_string() selected=move || requests.with(|r| r.retries == n)>
                                {n.to_string()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="hint" id="retries-hint">
                "A request that is rate limited, overloaded or cut off before any answer is sent again, waiting as long as the server asks."
            </p>
        </div>
        <div class="field">
            <label for="time-limit">"Time limit"</label>
            <select
                id="time-limit"
                aria-describedby="time-limit-hint"
                on:change:target=move |ev| {
                    if let Ok(s) = ev.target().value().parse::<u32>() {
                        requests.update(|r| r.time_limit_s = s);
                    }
                }
            >
                {TIME_LIMITS_S
                    .into_iter()
                    .map(|s| {
                        view! {
                            <option value=s.to_string() selected=move || requests.with(|r| r.time_limit_s == s)>
                                {time_limit_label(s)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="hint" id="time-limit-hint">
                "How long to wait for the answer to start; an answer that stops arriving for 60 s is also given up."
            </p>
        </div>
        <CheckboxField
            id="stream"
            label="Stream"
            checked=Signal::derive(move || requests.with(|r| r.stream))
            on_change=move |on| requests.update(|r| r.stream = on)
            hint=Signal::stored(
                "Show the model's thinking and drafts as they arrive (streamGenerateContent).".to_owned(),
            )
        />
    }
}
