use gemini::pricing::PriceTable;
use leptos::prelude::*;

use crate::model::cost::Price;
use crate::model::labels::tokens_line;
use crate::model::Tokens;
use crate::state::site::Site;

/// Token counts and, beside them, the estimated price in US dollars ("est.
/// $0.067", "price unknown"; nothing when the site hides prices), with how it
/// was estimated as a tooltip.
#[component]
pub fn Usage<T, P>(
    /// "This turn", "Conversation".
    what: &'static str,
    /// The class of the line.
    class: &'static str,
    /// The tokens counted (tracked).
    tokens: T,
    /// The price with the site's table (tracked).
    price: P,
) -> impl IntoView
where
    T: Fn() -> Tokens + Send + Sync + 'static,
    P: Fn(&PriceTable) -> Price + Send + Sync + 'static,
{
    let site = expect_context::<Site>();
    move || {
        let line = tokens_line(tokens(), what);
        let (label, why) = site.with_prices(|table| {
            let p = price(table);
            (p.label(), p.explanation(table))
        });
        view! {
            <span class=class>
                {line}
                {label.map(|l| view! { <span class="usage__price" title=why>{format!(" · {l}")}</span> })}
            </span>
        }
    }
}
