use gemini::models::{caps, Thinking};
use gemini::{AspectRatio, ImageSize, ThinkingLevel};
use leptos::prelude::*;

use crate::components::ui::CheckboxField;
use crate::state::AppState;

/// Image only, aspect ratio, image size, thinking, thoughts and Google Search.
/// What the model does not take is disabled with the reason.
#[component]
pub fn OutputFields() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let model_caps = move || settings.with(|s| caps(&s.model));
    view! {
        <CheckboxField
            id="image-only"
            label="Image only"
            checked=Signal::derive(move || settings.with(|s| s.image_only))
            on_change=move |on| settings.update(|s| s.image_only = on)
            hint=Signal::stored("Ask for the image without any text.".to_owned())
        />

        <AspectRatioField />
        <ImageSizeField />
        <ThinkingField />

        <CheckboxField
            id="include-thoughts"
            label="Include thoughts"
            checked=Signal::derive(move || settings.with(|s| s.include_thoughts))
            on_change=move |on| settings.update(|s| s.include_thoughts = on)
            disabled=Signal::derive(move || model_caps().thoughts_unavailable().is_some())
            hint=Signal::derive(move || {
                model_caps()
                    .thoughts_unavailable()
                    .map(|w| format!("{w}."))
                    .unwrap_or_else(|| "Show the model's reasoning and draft images.".to_owned())
            })
        />

        <CheckboxField
            id="google-search"
            label="Google Search"
            checked=Signal::derive(move || settings.with(|s| s.google_search))
            on_change=move |on| settings.update(|s| s.google_search = on)
            hint=Signal::stored("Ground the image in current information (weather, events).".to_owned())
        />
    }
}

/// The aspect ratio; those the model does not take are disabled.
#[component]
fn AspectRatioField() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let model_caps = move || settings.with(|s| caps(&s.model));
    view! {
    <div class="field">
        <label for="aspect-ratio">"Aspect ratio"</label>
        <select
            id="aspect-ratio"
            on:change:target=move |ev| {
                let v = ev.target().value();
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
    }
}

/// The image size, with what it costs in time.
#[component]
fn ImageSizeField() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let model_caps = move || settings.with(|s| caps(&s.model));
    view! {
    <div class="field">
        <label for="image-size">"Image size"</label>
        <select
            id="image-size"
            aria-describedby="image-size-hint"
            disabled=move || model_caps().image_sizes.is_empty()
            on:change:target=move |ev| {
                let v = ev.target().value();
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
    }
}

/// The thinking level, where the model lets it be chosen.
#[component]
fn ThinkingField() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let model_caps = move || settings.with(|s| caps(&s.model));
    view! {
    <div class="field">
        <label for="thinking-level">"Thinking level"</label>
        <select
            id="thinking-level"
            aria-describedby="thinking-hint"
            disabled=move || model_caps().thinking_level_unavailable().is_some()
            on:change:target=move |ev| {
                let v = ev.target().value();
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
    }
}
