//! Views the first screen does not need, loaded on first use (issue 17): the
//! open history panel (chunk `history`; its Export and Import are in
//! `archive`), the Get code dialog (chunk `code`, with its generator), the
//! image tools (chunk `editor`: viewer, region edit, annotate, with Download
//! all), the other dialogs (chunk `dialogs`: prompt library, share,
//! keyboard shortcuts), and what comes right after the first paint (chunk
//! `later`): the turns' view, the conversation bar and its total, the
//! history panel's summary, the top bar's tools, the reference images'
//! thumbnails, and the parts shown only when there is something to show
//! (Request settings, the connection's fields, the site's message, the share
//! offer, the key-destination question, the last visit's draft, an alert's
//! Save and Try again buttons, the new-version notice). See
//! `crate::commands::lazy` for how a split point works in both builds.
//!
//! Where such a view is used, [`lazy_view!`] declares its split point and
//! [`OnFirstUse`] mounts it the first time it is wanted; it then stays
//! mounted. Each of these views opens and closes itself from the state
//! (`sync_dialog`, the panel's `open`), so one mounted late opens just as one
//! mounted at start.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::commands::lazy::{said_while, NotLoaded};
use crate::commands::show;
use crate::error::AppError;
use crate::state::AppState;

/// A view's code being loaded.
pub type Loading = Pin<Box<dyn Future<Output = Result<AnyView, NotLoaded>>>>;

/// `lazy_view!(chunk, name, View)`: a module `name` whose `name::load` loads
/// `<View />` from the wasm chunk `chunk` (in the split build), for
/// [`OnFirstUse`]. The split point's name is `name` as written where it is
/// used, which keeps the split points' link names apart.
macro_rules! lazy_view {
    ($chunk:ident, $name:ident, $view:ident) => {
        mod $name {
            use leptos::prelude::*;

            use super::$view;
            use $crate::commands::lazy::{load as load_chunk, split_point, NotLoaded};

            split_point!(
                $chunk,
                fn $name() -> AnyView {
                    view! { <$view /> }.into_any()
                }
            );

            pub fn load() -> $crate::components::lazy::Loading {
                Box::pin(async { load_chunk!($name()) })
            }
        }
    };
}
pub(crate) use lazy_view;

/// Nothing until `when` is first true; then the view `load` loads, kept
/// mounted. If its code does not load, that is said (with Reload), `close`
/// puts the state back as if it had not been asked for, and the next time it
/// is wanted it is loaded again.
#[component]
pub fn OnFirstUse(
    /// What the person asked for, as the alert names it ("Get code").
    what: &'static str,
    /// Loads the view (a `lazy_view!`'s `load`).
    load: fn() -> Loading,
    /// Whether it is wanted now.
    when: Signal<bool>,
    /// Undoes the request that wanted it (when it could not be loaded).
    close: Callback<()>,
    /// Loaded before anyone asked for it (right after the first paint):
    /// nobody waits, so "<what>: loading…" is not said, and if it does not
    /// load, an alert already saying code did not load stays (one alert
    /// for the views of a chunk that did not load).
    #[prop(optional)]
    unasked: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let wanted = RwSignal::new(false);
    Effect::new(move |_| {
        if when.get() && !wanted.get_untracked() {
            wanted.set(true);
        }
    });
    move || {
        wanted.get().then(|| {
            // One thread here: the Send a `Suspend` asks for holds trivially.
            Suspend::new(SendWrapper::new(async move {
                // The styles of what comes after the first paint, if not
                // asked for yet (a view wanted before the paint).
                crate::browser::page::enable_styles();
                let loaded = if unasked {
                    load().await
                } else {
                    said_while(state, what, load()).await
                };
                match loaded {
                    Ok(view) => view,
                    Err(NotLoaded) => {
                        close.run(());
                        wanted.set(false);
                        // Loaded before anyone asked: an alert that already
                        // says code did not load (another view of the same
                        // chunk) stays, one alert with Reload.
                        let said = state
                            .alert
                            .with_untracked(|a| a.as_ref().is_some_and(|a| a.reload));
                        if !(unasked && said) {
                            show(state, AppError::NotLoaded(what));
                        }
                        ().into_any()
                    }
                }
            }))
        })
    }
}
