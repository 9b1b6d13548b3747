//! A completed turn: what was sent and the model's answer(s).

use std::sync::Arc;

use gemini::naming::download_name;
use gemini::response::final_image_index;
use gemini::wire::{Content, GroundingMetadata, InlineData, UsageMetadata};
use gemini::{Generation, Settings};

use super::Alert;

/// A thought part of a model turn, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub enum Thought<I> {
    Text(String),
    Draft(I),
}

/// One answer of the model, with everything the page shows for it. `I` is how
/// an image is shown (an object URL in the browser).
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<I> {
    /// The model's content exactly as received: sent back in later requests.
    pub model: Content,
    /// The final image.
    pub image: I,
    /// The final image's size in bytes.
    pub image_size: usize,
    pub mime_type: String,
    pub download_name: String,
    pub text: String,
    pub thoughts: Vec<Thought<I>>,
    pub finish_reason: Option<String>,
    pub usage: Option<UsageMetadata>,
    pub model_version: Option<String>,
    pub grounding: Option<GroundingMetadata>,
    pub elapsed_ms: f64,
}

impl<I> Answer<I> {
    /// An answer from a generation. `image` shows the final image; `draft`
    /// shows a thought image (drafts that cannot be shown are left out).
    pub fn from_generation(
        gen: Generation,
        prompt: &str,
        now_ms: f64,
        elapsed_ms: f64,
        image: I,
        mut draft: impl FnMut(&InlineData) -> Option<I>,
    ) -> Self {
        let thoughts = gen
            .thoughts()
            .filter_map(|p| match (&p.text, &p.inline_data) {
                (Some(t), _) if !t.trim().is_empty() => Some(Thought::Text(t.clone())),
                (_, Some(d)) => draft(d).map(Thought::Draft),
                _ => None,
            })
            .collect();
        Answer {
            download_name: download_name(prompt, now_ms, gen.extension()),
            image_size: gen.image.len(),
            text: gen.text(),
            thoughts,
            finish_reason: gen.finish_reason,
            usage: gen.usage,
            model_version: gen.model_version,
            grounding: gen.grounding,
            mime_type: gen.mime_type,
            image,
            elapsed_ms,
            model: gen.content,
        }
    }

    /// The final image as the API sent it (base64) and its MIME type.
    pub fn final_image(&self) -> Option<&InlineData> {
        final_image_index(&self.model.parts)
            .and_then(|i| self.model.parts.get(i))
            .and_then(|p| p.inline_data.as_ref())
    }
}

/// One of the parallel requests of a turn.
#[derive(Clone, Debug, PartialEq)]
pub enum Variant<I> {
    Done(Arc<Answer<I>>),
    Failed(Alert),
}

/// A completed turn: what the user sent and the model's answers. Which answer
/// is the conversation's model turn (the chosen variant) is kept beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct TurnData<I> {
    pub prompt: String,
    /// What was sent, as sent (text first, then the images).
    pub user: Content,
    /// The images sent, to show.
    pub user_images: Vec<I>,
    pub settings: Settings,
    /// One per request sent; at least one is `Done`.
    pub variants: Vec<Variant<I>>,
    /// When the answers came: with the conversation and position, names the
    /// stored turn.
    pub created_ms: f64,
    /// A region edit: what was selected on the source (the first image
    /// sent). The turn's shown result is then the composite.
    pub region: Option<super::region::Selection>,
}

impl<I> TurnData<I> {
    /// Variant `index`, if it is an answer.
    pub fn answer(&self, index: usize) -> Option<&Arc<Answer<I>>> {
        match self.variants.get(index) {
            Some(Variant::Done(a)) => Some(a),
            _ => None,
        }
    }

    /// Whether variant `index` can be the conversation's model turn.
    pub fn can_choose(&self, index: usize) -> bool {
        self.answer(index).is_some()
    }

    /// The first variant that is an answer: the one chosen at first.
    pub fn first_answer(&self) -> Option<usize> {
        self.variants
            .iter()
            .position(|v| matches!(v, Variant::Done(_)))
    }

    /// `chosen` if it is an answer, else the first answer (a record from an
    /// older or damaged store may point anywhere).
    pub fn valid_choice(&self, chosen: usize) -> usize {
        if self.can_choose(chosen) {
            chosen
        } else {
            self.first_answer().unwrap_or(0)
        }
    }

    /// Token usage of every answer of this turn (every variant was paid for).
    pub fn usage(&self) -> Tokens {
        self.variants
            .iter()
            .filter_map(|v| match v {
                Variant::Done(a) => a.usage.as_ref(),
                Variant::Failed(_) => None,
            })
            .fold(Tokens::default(), |t, u| t.add(u))
    }
}

/// Token counts added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    pub prompt: u64,
    pub output: u64,
    pub thoughts: u64,
    pub total: u64,
}

impl Tokens {
    // Adds a response's usage (not another `Tokens`): not `std::ops::Add`.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, u: &UsageMetadata) -> Tokens {
        Tokens {
            prompt: self.prompt + u.prompt_token_count.unwrap_or(0),
            output: self.output + u.candidates_token_count.unwrap_or(0),
            thoughts: self.thoughts + u.thoughts_token_count.unwrap_or(0),
            total: self.total + u.total_token_count.unwrap_or(0),
        }
    }

    pub fn sum(self, o: Tokens) -> Tokens {
        Tokens {
            prompt: self.prompt + o.prompt,
            output: self.output + o.output,
            thoughts: self.thoughts + o.thoughts,
            total: self.total + o.total,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use gemini::response::interpret;
    use serde_json::json;

    /// A generation as the API gives it: a thought text, a draft, text and the
    /// final image with its signature.
    pub fn generation(sig: &str, data: &str) -> Generation {
        let ans = json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "**Planning**", "thought": true},
            {"inlineData": {"mimeType": "image/png", "data": "ZHJhZnQ="}, "thought": true},
            {"text": "Done.", "thoughtSignature": format!("t-{sig}")},
            {"inlineData": {"mimeType": "image/png", "data": data}, "thoughtSignature": sig}
        ]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 1120, "thoughtsTokenCount": 5, "totalTokenCount": 1135}});
        interpret(200, &serde_json::to_vec(&ans).unwrap()).unwrap()
    }

    /// A turn with the given variants (`true`: an answer), images shown as text.
    pub fn turn(prompt: &str, variants: &[bool]) -> TurnData<String> {
        TurnData {
            prompt: prompt.into(),
            user: gemini::request::user_content(prompt, []),
            user_images: vec![],
            settings: Settings::default(),
            variants: variants
                .iter()
                .enumerate()
                .map(|(i, ok)| {
                    if *ok {
                        let gen = generation(&format!("{prompt}{i}"), "aW1n");
                        Variant::Done(Arc::new(Answer::from_generation(
                            gen,
                            prompt,
                            0.0,
                            1.0,
                            format!("img:{prompt}:{i}"),
                            |_| Some("draft".to_owned()),
                        )))
                    } else {
                        Variant::Failed(Alert {
                            title: "failed".into(),
                            detail: None,
                            action: String::new(),
                            retryable: false,
                            reload: false,
                            file: None,
                        })
                    }
                })
                .collect(),
            created_ms: 1.0,
            region: None,
        }
    }

    #[test]
    fn an_answer_keeps_the_model_turn_and_shows_thoughts_apart() {
        let gen = generation("s", "aW1n");
        let content = gen.content.clone();
        let a = Answer::from_generation(gen, "A cat", 0.0, 12.0, "final", |d| {
            Some(if d.data.as_str() == "ZHJhZnQ=" {
                "draft"
            } else {
                "?"
            })
        });
        assert_eq!(a.model, content);
        assert_eq!(a.text, "Done.");
        assert_eq!(
            a.thoughts,
            [
                Thought::Text("**Planning**".into()),
                Thought::Draft("draft")
            ]
        );
        assert_eq!(a.final_image().map(|d| d.data.as_str()), Some("aW1n"));
        assert_eq!(a.image_size, 3);
        assert!(a.download_name.ends_with(".png"), "{}", a.download_name);
    }

    #[test]
    fn a_variant_is_chosen_only_if_it_is_an_answer() {
        let t = turn("p", &[false, true, true]);
        assert_eq!(t.first_answer(), Some(1));
        assert!(!t.can_choose(0));
        assert!(t.can_choose(2));
        assert!(!t.can_choose(7));
        assert_eq!(t.valid_choice(0), 1);
        assert_eq!(t.valid_choice(2), 2);
        assert_eq!(t.valid_choice(9), 1);
    }

    #[test]
    fn every_answer_of_a_turn_counts_in_its_usage() {
        let t = turn("p", &[true, false, true]);
        assert_eq!(
            t.usage(),
            Tokens {
                prompt: 20,
                output: 2240,
                thoughts: 10,
                total: 2270
            }
        );
    }
}
