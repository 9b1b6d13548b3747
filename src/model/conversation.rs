//! Conversations: what a request carries, branching, naming, and the lists the
//! page shows (the conversation menu, the history panel).

use gemini::request::{build, RequestBody, RequestError};
use gemini::wire::Content;
use gemini::Settings;

use super::labels::turns_label;
use super::TurnData;
use crate::store::records::ConversationRecord;

/// Which conversation this is.
#[derive(Clone, Debug, PartialEq)]
pub struct ConversationMeta {
    /// Stable across reloads and tabs: the key of its stored record.
    pub id: String,
    pub label: String,
    pub created_ms: f64,
}

impl ConversationMeta {
    /// A new conversation with a fresh id made from the time and a random
    /// number in [0, 1).
    pub fn new(label: String, now_ms: f64, random: f64) -> Self {
        let random = (random * 1e12) as u64;
        Self {
            id: format!("c{:x}-{random:x}", now_ms as u64),
            label,
            created_ms: now_ms,
        }
    }

    /// The meta of a stored conversation.
    pub fn of(record: &ConversationRecord) -> Self {
        Self {
            id: record.id.clone(),
            label: record.label.clone(),
            created_ms: record.created_ms,
        }
    }
}

/// The name of the `n`th conversation (from 1).
pub fn numbered(n: usize) -> String {
    format!("Conversation {n}")
}

/// The name of a branch of `label` that keeps its first `kept` turns.
pub fn branch_label(label: &str, kept: usize) -> String {
    format!("{label} · branch at turn {kept}")
}

/// The contents a request carries before its new user turn, oldest first:
/// each turn's user content and its chosen answer's model content exactly as
/// received (Google's SDKs replay a chat the same way; Gemini 3 refuses a
/// model turn whose `thoughtSignature`s are missing or moved).
pub fn history<'a, I: 'a>(
    turns: impl IntoIterator<Item = (&'a TurnData<I>, usize)>,
) -> Vec<&'a Content> {
    turns
        .into_iter()
        .filter_map(|(t, chosen)| Some([&t.user, &t.answer(chosen)?.model]))
        .flatten()
        .collect()
}

/// The body of the next request: the conversation so far, then `next`.
pub fn request<'a, I: 'a>(
    settings: &Settings,
    turns: impl IntoIterator<Item = (&'a TurnData<I>, usize)>,
    next: &'a Content,
) -> Result<RequestBody<'a>, RequestError> {
    build(settings, history(turns), next)
}

/// A deletion waiting for its Undo to expire.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingDelete {
    pub ids: Vec<String>,
    /// What the Undo line names ("“A cat”", "all 3 conversations").
    pub what: String,
    /// Which deletion this is: its Undo time ends only this one (the same
    /// ids may be deleted again meanwhile, after an Undo or an import).
    pub token: u64,
}

impl PendingDelete {
    /// Whether conversation `id` is hidden while its deletion can be undone.
    pub fn hides(pending: Option<&PendingDelete>, id: &str) -> bool {
        pending.is_some_and(|p| p.ids.iter().any(|i| i == id))
    }
}

/// The stored conversations the history panel lists: not waiting for
/// deletion, and matching `query` (case-insensitive, in the first prompt).
pub fn listed<'a>(
    stored: &'a [ConversationRecord],
    pending: Option<&PendingDelete>,
    query: &str,
) -> Vec<&'a ConversationRecord> {
    let q = query.trim().to_lowercase();
    stored
        .iter()
        .filter(|c| !PendingDelete::hides(pending, &c.id))
        .filter(|c| q.is_empty() || c.title.to_lowercase().contains(&q))
        .collect()
}

/// One entry of the conversation menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuItem {
    pub id: String,
    pub label: String,
    /// The conversation on screen.
    pub current: bool,
}

/// The conversation menu: the one on screen, then those of this session that
/// are only in memory (`aside`: id, label, turns), then the stored ones not
/// already listed nor waiting for deletion.
pub fn menu(
    current: &ConversationMeta,
    current_turns: usize,
    aside: impl IntoIterator<Item = (String, String, usize)>,
    stored: &[ConversationRecord],
    pending: Option<&PendingDelete>,
) -> Vec<MenuItem> {
    let mut items = vec![MenuItem {
        id: current.id.clone(),
        label: turns_label(&current.label, current_turns),
        current: true,
    }];
    for (id, label, n) in aside {
        if !items.iter().any(|i| i.id == id) {
            items.push(MenuItem {
                label: turns_label(&label, n),
                id,
                current: false,
            });
        }
    }
    for c in stored {
        if !PendingDelete::hides(pending, &c.id) && !items.iter().any(|i| i.id == c.id) {
            items.push(MenuItem {
                id: c.id.clone(),
                label: turns_label(&c.label, c.turn_count),
                current: false,
            });
        }
    }
    items
}

/// The name of a new conversation, numbered after every one there is (kept,
/// of this session, and the one on screen).
pub fn next_name<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    // Distinct ids counted without a set: a tree (a sort and its merge) for
    // this one count was about 3 KB of the first screen's code; a person has
    // hundreds of conversations, where this takes microseconds.
    let ids: Vec<&str> = ids.into_iter().collect();
    let distinct = ids
        .iter()
        .enumerate()
        .filter(|&(i, id)| !ids[..i].contains(id))
        .count();
    numbered(distinct + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::turn::tests::{generation, turn};
    use crate::model::Answer;
    use gemini::request::user_content;
    use serde_json::Value;
    use std::sync::Arc;

    fn record(id: &str, title: &str, turns: usize) -> ConversationRecord {
        ConversationRecord {
            id: id.into(),
            label: format!("L{id}"),
            title: title.into(),
            created_ms: 0.0,
            updated_ms: 0.0,
            model: String::new(),
            turn_count: turns,
            thumb: None,
            images: vec![],
            v: crate::store::records::RECORD_VERSION,
        }
    }

    #[test]
    fn model_turns_are_replayed_exactly_as_received() {
        let settings = Settings::default();
        let mut turns: Vec<TurnData<()>> = Vec::new();
        let mut sent = Vec::new();
        for (i, prompt) in ["make a cat", "now at night", "translate the sign"]
            .iter()
            .enumerate()
        {
            let next = user_content(prompt, []);
            let body: Value = serde_json::from_slice(
                &request(&settings, turns.iter().map(|t| (t, 0)), &next)
                    .unwrap()
                    .to_json(),
            )
            .unwrap();
            let contents = body["contents"].as_array().unwrap();
            assert_eq!(contents.len(), i * 2 + 1);
            for (k, ans) in sent.iter().enumerate() {
                assert_eq!(contents[k * 2 + 1], *ans, "turn {k}");
            }
            let gen = generation(&format!("sig{i}"), &format!("aW1n{i}A=="));
            sent.push(serde_json::to_value(&gen.content).unwrap());
            turns.push(TurnData {
                prompt: prompt.to_string(),
                user: next,
                user_images: vec![],
                settings: settings.clone(),
                variants: vec![crate::model::Variant::Done(Arc::new(
                    Answer::from_generation(gen, prompt, 0.0, 0.0, (), |_| Some(())),
                ))],
                created_ms: 0.0,
                region: None,
            });
        }
        // The signature stays on the part it came on.
        let parts = sent[2]["parts"].as_array().unwrap();
        assert_eq!(parts[3]["thoughtSignature"], "sig2");
        assert_eq!(parts[0]["thought"], true);
    }

    #[test]
    fn the_chosen_variant_is_what_is_sent_back_and_failed_turns_are_skipped() {
        let a = turn("a", &[true, true]);
        let b = turn("b", &[false]);
        let h = history([(&a, 1), (&b, 0)]);
        assert_eq!(h.len(), 2);
        assert_eq!(h[1], &a.answer(1).unwrap().model);
    }

    #[test]
    fn the_menu_merges_three_sources_once_each() {
        let current = ConversationMeta::new("Now".into(), 1000.0, 0.5);
        let stored = [
            record("x", "t", 2),
            record(&current.id, "t", 9),
            record("gone", "t", 1),
        ];
        let pending = PendingDelete {
            ids: vec!["gone".into()],
            what: "x".into(),
            token: 1,
        };
        let items = menu(
            &current,
            3,
            [("m".into(), "Mem".into(), 1), ("x".into(), "Lx".into(), 4)],
            &stored,
            Some(&pending),
        );
        let labels: Vec<_> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["Now (3 turns)", "Mem (1 turn)", "Lx (4 turns)"]);
        assert!(items[0].current && !items[1].current);
    }

    #[test]
    fn the_history_list_hides_pending_deletions_and_filters_by_prompt() {
        let stored = [record("a", "A Blue whale", 1), record("b", "a cat", 1)];
        let pending = PendingDelete {
            ids: vec!["b".into()],
            what: String::new(),
            token: 2,
        };
        assert_eq!(listed(&stored, None, "").len(), 2);
        assert_eq!(listed(&stored, Some(&pending), "").len(), 1);
        assert_eq!(listed(&stored, None, " WHALE ")[0].id, "a");
        assert!(listed(&stored, None, "dog").is_empty());
    }

    #[test]
    fn names_and_ids() {
        assert_eq!(next_name(["a", "b", "a"]), "Conversation 3");
        assert_eq!(
            branch_label("Conversation 1", 2),
            "Conversation 1 · branch at turn 2"
        );
        let m = ConversationMeta::new("x".into(), 4096.0, 0.25);
        assert!(m.id.starts_with("c1000-"), "{}", m.id);
    }
}
