//! The site's configuration as applied, and what the page knows about itself.

use gemini::KeyHeader;
use leptos::prelude::*;

use crate::config::{self, SiteConfig};
use crate::model::cost;

/// Who asked for a new base URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeSource {
    /// The user, in Settings.
    User,
    /// The site's `config.json`.
    SiteConfig,
}

/// A change of base URL that would send the key to another origin, waiting
/// for the user to confirm it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingBase {
    pub base_url: String,
    pub key_header: KeyHeader,
    /// The origin requests go to now.
    pub from: String,
    /// The origin they would go to.
    pub to: String,
    pub source: ChangeSource,
}

/// The site's configuration and the page's origin and policy. Provided once
/// by `App`.
#[derive(Clone, Copy)]
pub struct Site {
    /// `config.json` as applied (the defaults until it arrives, or if it is
    /// missing or broken).
    pub config: RwSignal<SiteConfig>,
    /// Why `config.json` was not used, for the page to say.
    pub problem: RwSignal<Option<String>>,
    /// `config.json` was read and applied (or found missing or broken): the
    /// page carries it as `data-config="read"` on its root.
    pub read: RwSignal<bool>,
    /// A base URL change waiting for confirmation.
    pub pending: RwSignal<Option<PendingBase>>,
    page_origin: StoredValue<String>,
    csp: StoredValue<Option<String>>,
}

impl Site {
    /// The defaults, for a page at `page_origin` with the meta policy `csp`.
    pub fn new(page_origin: String, csp: Option<String>) -> Self {
        Self {
            config: RwSignal::new(SiteConfig::default()),
            problem: RwSignal::new(None),
            read: RwSignal::new(false),
            pending: RwSignal::new(None),
            page_origin: StoredValue::new(page_origin),
            csp: StoredValue::new(csp),
        }
    }

    /// Whether a proxy adds the key (the page holds and sends none). Tracked.
    pub fn proxy_holds_key(&self) -> bool {
        self.config.with(|c| c.proxy_holds_key)
    }

    /// Calls `f` with the prices this site shows: its own from `config.json`, or
    /// Google's published ones. Tracked.
    pub fn with_prices<R>(&self, f: impl FnOnce(&gemini::pricing::PriceTable) -> R) -> R {
        self.config
            .with(|c| f(c.prices.as_ref().unwrap_or_else(|| cost::builtin())))
    }

    /// The origin requests to `base` go to.
    pub fn origin_of(&self, base: &str) -> String {
        self.page_origin.with_value(|p| config::origin_of(base, p))
    }

    /// The origin of `base` if this page's security policy blocks it.
    pub fn blocked_origin(&self, base: &str) -> Option<String> {
        let target = self.origin_of(base);
        let allowed = self.csp.with_value(|csp| match csp {
            Some(policy) => self
                .page_origin
                .with_value(|p| config::csp_allows_connect(policy, p, &target)),
            None => true,
        });
        (!allowed).then_some(target)
    }
}
