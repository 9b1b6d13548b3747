//! What turns and conversations probably cost, in US dollars, from the answers'
//! token counts and a price table (`gemini::pricing`): Google's published prices
//! compiled in, or the site's own from `config.json`.
//!
//! Every answer counts: each variant of a turn was a request the API billed.

use std::sync::OnceLock;

use gemini::pricing::{self, Estimate, Micros, PriceTable, Unknown};

use super::labels::count;
use super::{TurnData, Variant};

/// The compiled-in table (`gemini/data/prices.json`), read once.
pub fn builtin() -> &'static PriceTable {
    static TABLE: OnceLock<PriceTable> = OnceLock::new();
    TABLE.get_or_init(PriceTable::builtin)
}

/// What some answers cost, added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Price {
    /// The estimate of the answers that have one.
    pub usd: Micros,
    /// Answers with an estimate.
    pub priced: usize,
    /// Answers without one (a model the table has no price for, or an answer
    /// without token counts).
    pub unpriced: usize,
    /// Some answer had no token breakdown: its image tokens are the table's.
    pub guessed: bool,
    /// The deployment hides prices.
    pub hidden: bool,
}

impl Price {
    /// This price with one more answer's estimate.
    pub fn with(self, e: Estimate) -> Price {
        match e {
            Estimate::Hidden => Price {
                hidden: true,
                ..self
            },
            Estimate::Unknown(Unknown::NoPrice | Unknown::NoUsage) => Price {
                unpriced: self.unpriced + 1,
                ..self
            },
            Estimate::Usd(c) => Price {
                usd: self.usd + c.total,
                priced: self.priced + 1,
                guessed: self.guessed || c.image_tokens_estimated,
                ..self
            },
        }
    }

    pub fn sum(self, o: Price) -> Price {
        Price {
            usd: self.usd + o.usd,
            priced: self.priced + o.priced,
            unpriced: self.unpriced + o.unpriced,
            guessed: self.guessed || o.guessed,
            hidden: self.hidden || o.hidden,
        }
    }

    /// What the page shows beside the tokens: `est. $0.067`, `price unknown`,
    /// `est. $0.134 (1 answer without a price)`; `None` when prices are hidden
    /// or there is nothing to price.
    pub fn label(&self) -> Option<String> {
        if self.hidden || self.priced + self.unpriced == 0 {
            return None;
        }
        Some(match (self.priced, self.unpriced) {
            (0, _) => "price unknown".to_owned(),
            (_, 0) => format!("est. {}", self.usd),
            (_, n) => format!("est. {} ({} without a price)", self.usd, count(n, "answer")),
        })
    }

    /// How the estimate was made, for a tooltip.
    pub fn explanation(&self, table: &PriceTable) -> Option<String> {
        if self.hidden || self.priced + self.unpriced == 0 {
            return None;
        }
        let mut s = String::from("Estimated from the answers' token counts and the price table");
        if let Some(src) = &table.source {
            s.push_str(&format!(" ({src})"));
        }
        s.push_str("; Google Search is billed apart and not included.");
        if self.guessed {
            s.push_str(" Some answers had no token breakdown: their image tokens are the table's for the size asked.");
        }
        if self.unpriced > 0 {
            s.push_str(" The price table has no price for a custom model id, or an answer had no token counts.");
        }
        Some(s)
    }
}

/// The estimate of every answer of `turn` (every variant was paid for).
pub fn turn_price<I>(turn: &TurnData<I>, table: &PriceTable) -> Price {
    let answers = turn.variants.iter().filter_map(|v| match v {
        Variant::Done(a) => Some(a),
        Variant::Failed(_) => None,
    });
    answers.fold(Price::default(), |p, a| {
        p.with(table.estimate(
            &turn.settings.model,
            &pricing::Answer {
                usage: a.usage.as_ref(),
                has_image: true,
                image_size: turn.settings.image_size,
            },
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::turn::tests::turn;
    use serde_json::json;

    #[test]
    fn every_answer_of_a_turn_is_priced() {
        // Each answer of the test turn: 10 prompt, 1120 output (no breakdown),
        // 5 thinking tokens, on 3.1 Flash at 1K: 1120 image tokens at $60/M
        // = $0.0672, 10 at $0.25/M and 5 at $1.50/M: $0.0000025 + $0.0000075.
        let one = turn_price(&turn("p", &[true]), builtin());
        assert_eq!(one.usd, Micros(67_210));
        assert_eq!((one.priced, one.unpriced), (1, 0));
        assert!(one.guessed);
        assert_eq!(one.label().as_deref(), Some("est. $0.067"));
        let three = turn_price(&turn("p", &[true, false, true]), builtin());
        assert_eq!(three.usd, Micros(134_420));
        assert_eq!(three.priced, 2, "a failed variant has no answer to price");
        assert_eq!(three.label().as_deref(), Some("est. $0.134"));
    }

    #[test]
    fn a_custom_model_says_price_unknown() {
        let mut t = turn("p", &[true]);
        t.settings.model = "my-own-model".into();
        let p = turn_price(&t, builtin());
        assert_eq!((p.priced, p.unpriced), (0, 1));
        assert_eq!(p.label().as_deref(), Some("price unknown"));
        let total = p.sum(turn_price(&turn("q", &[true]), builtin()));
        assert_eq!(
            total.label().as_deref(),
            Some("est. $0.067 (1 answer without a price)")
        );
        assert!(total
            .explanation(builtin())
            .unwrap()
            .contains("custom model"));
    }

    #[test]
    fn hidden_prices_and_nothing_to_price_show_nothing() {
        let hidden = turn_price(&turn("p", &[true]), &PriceTable::hidden());
        assert!(hidden.hidden);
        assert_eq!(hidden.label(), None);
        assert_eq!(hidden.sum(Price::default()).label(), None);
        assert_eq!(Price::default().label(), None);
        assert_eq!(turn_price(&turn("p", &[false]), builtin()).label(), None);
    }

    #[test]
    fn a_site_table_replaces_the_builtin_one() {
        let table = PriceTable::from_json(&json!({"models": {
            "gemini-3.1-flash-image-preview": {
                "inputPerMillion": 0, "outputTextPerMillion": 0,
                "outputImagePerImage": {"default": 0.5}
            }
        }}))
        .unwrap();
        let p = turn_price(&turn("p", &[true, true]), &table);
        assert_eq!(p.usd, Micros(1_000_000));
        assert_eq!(p.label().as_deref(), Some("est. $1.00"));
    }
}
