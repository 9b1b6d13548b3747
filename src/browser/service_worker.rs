//! The service worker (`sw.js`, beside index.html): registering it, hearing
//! that a new version is installed and waiting, and switching to it when the
//! person chooses Reload. Also whether the browser is online.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    RegistrationOptions, ServiceWorker, ServiceWorkerRegistration, ServiceWorkerState,
    ServiceWorkerUpdateViaCache,
};

/// Whether the browser says it is online (`navigator.onLine`; true when it
/// cannot tell).
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Registers `sw.js` (resolved against the page's base, so a build under a
/// sub-path registers its own) and calls `on_update` when a new version is
/// installed and waits. Nothing happens where service workers are not
/// available (an insecure origin, a private window of some browsers).
pub async fn register(on_update: impl Fn() + Clone + 'static) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let navigator = window.navigator();
    if js_sys::Reflect::get(&navigator, &"serviceWorker".into())
        .map(|v| v.is_undefined())
        .unwrap_or(true)
    {
        return Ok(());
    }
    let container = navigator.service_worker();
    let base = window
        .document()
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    let url = web_sys::Url::new_with_base("sw.js", &base).map_err(|e| super::js_error_text(&e))?;
    let options = RegistrationOptions::new();
    // The browser checks sw.js itself for a new version, never an HTTP cache.
    options.set_update_via_cache(ServiceWorkerUpdateViaCache::None);
    let registration = JsFuture::from(container.register_with_options(&url.href(), &options))
        .await
        .map_err(|e| super::js_error_text(&e))?;
    // Some environments answer with nothing (an automation that blocks
    // workers, an extension): then there is no worker, and nothing to follow.
    let Ok(registration) = registration.dyn_into::<ServiceWorkerRegistration>() else {
        return Ok(());
    };
    // Only an update of a page already run by a worker is offered: the first
    // install just starts caching.
    let controlled = move || {
        web_sys::window().is_some_and(|w| w.navigator().service_worker().controller().is_some())
    };
    if controlled() && registration.waiting().is_some() {
        on_update();
    }
    let reg = registration.clone();
    let found = Closure::<dyn Fn()>::new(move || {
        let Some(worker) = reg.installing() else {
            return;
        };
        let w = worker.clone();
        let on_update = on_update.clone();
        let changed = Closure::<dyn Fn()>::new(move || {
            if w.state() == ServiceWorkerState::Installed && controlled() {
                on_update();
            }
        });
        worker.set_onstatechange(Some(changed.as_ref().unchecked_ref()));
        changed.forget();
    });
    registration.set_onupdatefound(Some(found.as_ref().unchecked_ref()));
    found.forget();
    Ok(())
}

/// Switches to the waiting version and reloads the page once it runs it.
pub async fn apply_update() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let reload = Closure::<dyn Fn()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    reload.forget();
    let waiting: Option<ServiceWorker> = match JsFuture::from(container.get_registration()).await {
        Ok(r) if !r.is_undefined() => r.unchecked_into::<ServiceWorkerRegistration>().waiting(),
        _ => None,
    };
    match waiting {
        Some(worker) => {
            let _ = worker.post_message(&JsValue::from_str("skipWaiting"));
        }
        // Nothing waits any more (another tab switched already): reload.
        None => {
            let _ = window.location().reload();
        }
    }
}
