//! Web Locks (`navigator.locks`): one tab at a time does a thing, such as
//! continuing a conversation. A lock is held until its [`Held`] is dropped,
//! and freed by the browser if the tab closes or crashes.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A lock this tab holds; dropping it lets it go.
pub struct Held {
    release: Function,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

/// What asking for a lock gave.
pub enum Attempt {
    Held(Held),
    /// Another tab holds it.
    Busy,
    /// This browser has no Web Locks (or not in this context).
    Unsupported,
}

fn locks() -> Option<JsValue> {
    let nav = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&nav, &"locks".into()).ok()?;
    locks.is_object().then_some(locks)
}

/// Takes lock `name` if no other tab holds it; never waits for it.
pub async fn try_hold(name: &str) -> Attempt {
    let Some(locks) = locks() else {
        return Attempt::Unsupported;
    };
    let Ok(request) =
        Reflect::get(&locks, &"request".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return Attempt::Unsupported;
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let name = JsValue::from_str(name);
    // Resolves with the release function when the lock is ours, with false
    // when another tab holds it.
    let decided = Promise::new(&mut |resolve: Function, _reject| {
        let failed = resolve.clone();
        let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            if lock.is_null() || lock.is_undefined() {
                let _ = resolve.call1(&JsValue::UNDEFINED, &JsValue::FALSE);
                return JsValue::UNDEFINED;
            }
            // The lock is held until this promise resolves.
            let mut release = None;
            let held = Promise::new(&mut |res, _| release = Some(res));
            let release: JsValue = release.map(Into::into).unwrap_or(JsValue::FALSE);
            let _ = resolve.call1(&JsValue::UNDEFINED, &release);
            held.into()
        });
        match request.call3(&locks, &name, &options, &callback) {
            // The request refused (a document not fully active, an opaque
            // origin) rejects its promise rather than throwing: said as no
            // locks here, never left waiting.
            Ok(p) => {
                if let Ok(catch) =
                    Reflect::get(&p, &"catch".into()).and_then(|f| f.dyn_into::<Function>())
                {
                    let refused = Closure::once_into_js(move |_: JsValue| {
                        let _ = failed.call1(&JsValue::UNDEFINED, &JsValue::NULL);
                    });
                    let _ = catch.call1(&p, &refused);
                }
            }
            Err(_) => {
                let _ = failed.call1(&JsValue::UNDEFINED, &JsValue::NULL);
            }
        }
    });
    match JsFuture::from(decided).await {
        Ok(v) => match v.dyn_into::<Function>() {
            Ok(release) => Attempt::Held(Held { release }),
            Err(v) if v.is_null() => Attempt::Unsupported,
            Err(_) => Attempt::Busy,
        },
        Err(_) => Attempt::Unsupported,
    }
}

/// The names of the locks held now (by any tab) that start with `prefix`.
pub async fn held_with_prefix(prefix: &str) -> Vec<String> {
    let Some(locks) = locks() else {
        return Vec::new();
    };
    let Ok(query) = Reflect::get(&locks, &"query".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return Vec::new();
    };
    let Ok(promise) = query.call0(&locks).and_then(|p| p.dyn_into::<Promise>()) else {
        return Vec::new();
    };
    let Ok(snapshot) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    let held = Reflect::get(&snapshot, &"held".into())
        .ok()
        .and_then(|h| h.dyn_into::<Array>().ok());
    held.map(|list| {
        list.iter()
            .filter_map(|l| Reflect::get(&l, &"name".into()).ok()?.as_string())
            .filter(|n| n.starts_with(prefix))
            .collect()
    })
    .unwrap_or_default()
}
