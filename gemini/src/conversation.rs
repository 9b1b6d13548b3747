//! A conversation: the turns so far, each model turn exactly as it was received.
//!
//! Google's SDKs replay a model turn verbatim in a chat (every part, thought parts
//! included, each `thoughtSignature` on the part it came on); Gemini 3 answers 400
//! when a signature is missing or moved. [`Conversation::request`] does the same.

use serde::{Deserialize, Serialize};

use crate::request::{build, RequestBody, RequestError, Settings};
use crate::wire::{Content, Role};

/// One exchange: what the user sent and what the model answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub user: Content,
    /// The model's content exactly as received.
    pub model: Content,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub turns: Vec<Turn>,
}

impl Conversation {
    /// The contents to send before a new user turn, oldest first.
    pub fn history(&self) -> impl Iterator<Item = &Content> {
        self.turns.iter().flat_map(|t| [&t.user, &t.model])
    }

    /// The body for the next turn. Nothing is added to the conversation until the
    /// answer arrives ([`Conversation::push`]), so a failed turn leaves no trace.
    pub fn request<'a>(
        &'a self,
        settings: &Settings,
        next: &'a Content,
    ) -> Result<RequestBody<'a>, RequestError> {
        build(settings, self.history(), next)
    }

    /// Records a completed turn. The model content is stored as given.
    pub fn push(&mut self, user: Content, mut model: Content) {
        model.role = Some(Role::Model);
        self.turns.push(Turn { user, model });
    }

    /// A new conversation holding the first `keep` turns, for "edit from here".
    pub fn branch(&self, keep: usize) -> Conversation {
        Conversation {
            turns: self.turns[..keep.min(self.turns.len())].to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::user_content;
    use crate::response::interpret;
    use serde_json::{json, Value};

    fn answer(sig: &str, data: &str) -> Value {
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "**Planning**", "thought": true},
            {"inlineData": {"mimeType": "image/png", "data": "ZHJhZnQ="}, "thought": true},
            {"text": "Done.", "thoughtSignature": format!("t-{sig}")},
            {"inlineData": {"mimeType": "image/png", "data": data}, "thoughtSignature": sig}
        ]}, "finishReason": "STOP"}]})
    }

    #[test]
    fn model_turns_are_replayed_exactly_as_received() {
        let settings = Settings::default();
        let mut conv = Conversation::default();
        let mut sent_answers = Vec::new();
        for (i, prompt) in ["make a cat", "now at night", "translate the sign"]
            .iter()
            .enumerate()
        {
            let next = user_content(prompt, []);
            let body: Value =
                serde_json::from_slice(&conv.request(&settings, &next).unwrap().to_json()).unwrap();
            let contents = body["contents"].as_array().unwrap();
            assert_eq!(contents.len(), i * 2 + 1);
            for (k, ans) in sent_answers.iter().enumerate() {
                let ans: &Value = ans;
                assert_eq!(
                    contents[k * 2 + 1],
                    ans["candidates"][0]["content"],
                    "turn {k}"
                );
            }
            let ans = answer(&format!("sig{i}"), &format!("aW1n{i}A=="));
            let gen = interpret(200, &serde_json::to_vec(&ans).unwrap()).unwrap();
            conv.push(next, gen.content);
            sent_answers.push(ans);
        }
    }

    #[test]
    fn branching_keeps_the_original() {
        let mut conv = Conversation::default();
        for i in 0..3 {
            conv.push(user_content(&format!("p{i}"), []), Content::default());
        }
        let b = conv.branch(1);
        assert_eq!(b.turns.len(), 1);
        assert_eq!(conv.turns.len(), 3);
        assert_eq!(b.history().count(), 2);
        assert_eq!(conv.branch(10).turns.len(), 3);
    }
}
