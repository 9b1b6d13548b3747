//! Small shared parts: buttons and fields, so a look is named once instead of
//! spelled as class strings at every use. Attributes and events given to them
//! (`on:click`, `attr:disabled`, `attr:aria-label`, …) go to their element.

use leptos::prelude::*;

/// How a button looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Look {
    #[default]
    Plain,
    /// The one main action (Generate).
    Primary,
    /// A quiet action among others.
    Ghost,
    /// Stops or destroys something.
    Danger,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Size {
    #[default]
    Normal,
    Small,
}

/// The classes of an element that looks like a button (also a link or a
/// label that opens a file chooser).
pub fn button_class(look: Look, size: Size) -> &'static str {
    match (look, size) {
        (Look::Plain, Size::Normal) => "button",
        (Look::Plain, Size::Small) => "button button--small",
        (Look::Primary, Size::Normal) => "button button--primary",
        (Look::Primary, Size::Small) => "button button--primary button--small",
        (Look::Ghost, Size::Normal) => "button button--ghost",
        (Look::Ghost, Size::Small) => "button button--ghost button--small",
        (Look::Danger, Size::Normal) => "button button--danger",
        (Look::Danger, Size::Small) => "button button--danger button--small",
    }
}

/// A button (`type="button"` unless `submit`).
#[component]
pub fn Button(
    /// How it looks.
    #[prop(optional)]
    look: Look,
    /// Its size.
    #[prop(optional)]
    size: Size,
    /// Submits its form.
    #[prop(optional)]
    submit: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <button type=if submit { "submit" } else { "button" } class=button_class(look, size)>
            {children()}
        </button>
    }
}

/// A small square button showing a symbol; `label` is its accessible name.
#[component]
pub fn IconButton(
    /// What it does, for people who cannot see the symbol.
    #[prop(into)]
    label: String,
    children: Children,
) -> impl IntoView {
    view! {
        <button type="button" class="icon-button" aria-label=label>
            {children()}
        </button>
    }
}

/// A labelled control: the label above it, the control (and any hint) below.
#[component]
pub fn Field(
    /// The control's id.
    id: &'static str,
    /// Its label.
    label: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {children()}
        </div>
    }
}

/// A checkbox with its label and a hint that describes it.
#[component]
pub fn CheckboxField(
    /// The checkbox's id (its hint is `{id}-hint`).
    id: &'static str,
    /// Its label.
    label: &'static str,
    /// Whether it is ticked.
    #[prop(into)]
    checked: Signal<bool>,
    /// Called with the new state.
    #[prop(into)]
    on_change: Callback<bool>,
    /// Whether it cannot be changed now.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// What it does (or why it is disabled).
    #[prop(into)]
    hint: Signal<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field field--check">
            <input
                id=id
                type="checkbox"
                aria-describedby=hint_id.clone()
                disabled=move || disabled.get()
                prop:checked=move || checked.get()
                on:change:target=move |ev| on_change.run(ev.target().checked())
            />
            <label for=id>{label}</label>
            <p class="hint" id=hint_id>
                {move || hint.get()}
            </p>
        </div>
    }
}

/// Opens (`show_modal`) or closes a modal `<dialog>` as `open` says: the
/// page behind it is inert, Escape closes it, the focus returns to its opener.
pub fn sync_dialog(dialog: NodeRef<leptos::html::Dialog>, open: impl Fn() -> bool + 'static) {
    Effect::new(move |_| {
        let open = open();
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                let _ = d.show_modal();
            } else if !open && d.open() {
                d.close();
            }
        }
    });
}
