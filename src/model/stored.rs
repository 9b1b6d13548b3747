//! A turn on the page ⇄ its stored record. Images leave the record as
//! references to the images store (keyed by the SHA-256 of their bytes) and
//! come back inline, exactly as received, when the turn is read back.

use std::collections::HashMap;
use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::naming::download_name;
use gemini::response::{final_image_index, visible_text};
use gemini::wire::Content;

use super::conversation::ConversationMeta;
use super::{Alert, Answer, Thought, TurnData, Variant};
use crate::store::records::{
    image_ref, image_refs, restore_images, set_data, set_ref, take_images, ConversationRecord,
    Taken, TurnRecord, VariantRecord, RECORD_VERSION,
};

/// Which content of a turn record an image was taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    User,
    Variant(usize),
}

/// A turn record whose images are taken out (not yet decoded: cheap), to be
/// keyed one by one with [`Unkeyed::place`].
#[derive(Debug)]
pub struct Unkeyed {
    pub record: TurnRecord,
    /// The images taken out, where they were, and their base64.
    pub taken: Vec<(Slot, Taken)>,
    /// The images are to be stored (a turn saved before has them stored).
    pub store_images: bool,
}

/// Where an image taken out of a record goes back.
#[derive(Debug)]
pub enum Placed {
    /// Stored under this key.
    Stored(String),
    /// Kept inline as received (data that does not decode).
    Inline(Arc<String>),
}

/// The stored form of a turn shown at `index` with variant `chosen`.
pub fn turn_record<I>(
    conversation_id: &str,
    index: usize,
    t: &TurnData<I>,
    chosen: usize,
    store_images: bool,
) -> Unkeyed {
    let mut taken = Vec::new();
    let mut strip = |c: &Content, slot: Slot| {
        let (c, out) = take_images(c);
        taken.extend(out.into_iter().map(|t| (slot, t)));
        c
    };
    let user = strip(&t.user, Slot::User);
    let variants = t
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Variant::Done(a) => VariantRecord::Done {
                model: strip(&a.model, Slot::Variant(i)),
                usage: a.usage,
                finish_reason: a.finish_reason.clone(),
                model_version: a.model_version.clone(),
                grounding: a.grounding.clone(),
                elapsed_ms: a.elapsed_ms,
                download_name: a.download_name.clone(),
            },
            Variant::Failed(alert) => VariantRecord::Failed {
                title: alert.title.clone(),
                detail: alert.detail.clone(),
                action: alert.action.clone(),
            },
        })
        .collect();
    Unkeyed {
        record: TurnRecord {
            id: format!("{conversation_id}/{index}/{}", t.created_ms as u64),
            conversation_id: conversation_id.to_owned(),
            index,
            created_ms: t.created_ms,
            prompt: t.prompt.clone(),
            settings: t.settings.clone(),
            user,
            variants,
            chosen,
            region: t.region.as_ref().and_then(|r| serde_json::to_value(r).ok()),
        },
        taken,
        store_images,
    }
}

impl Unkeyed {
    /// Puts an image taken from `slot`, part `part`, back: as a reference to the
    /// stored image, or inline.
    pub fn place(&mut self, slot: Slot, part: usize, placed: Placed) {
        let content = match slot {
            Slot::User => Some(&mut self.record.user),
            Slot::Variant(i) => match self.record.variants.get_mut(i) {
                Some(VariantRecord::Done { model, .. }) => Some(model),
                _ => None,
            },
        };
        if let Some(c) = content {
            match placed {
                Placed::Stored(hash) => set_ref(c, part, &hash),
                Placed::Inline(data) => set_data(c, part, data),
            }
        }
    }
}

/// The record of a conversation before its summary is made from its turns.
pub fn conversation_record(meta: &ConversationMeta, now_ms: f64) -> ConversationRecord {
    ConversationRecord {
        id: meta.id.clone(),
        label: meta.label.clone(),
        title: String::new(),
        created_ms: meta.created_ms,
        updated_ms: now_ms,
        model: String::new(),
        turn_count: 0,
        thumb: None,
        images: Vec::new(),
        v: RECORD_VERSION,
    }
}

/// A stored image read back: its base64 (to send again), its size, and how it
/// is shown.
#[derive(Clone, Debug)]
pub struct StoredImage<I> {
    pub base64: Arc<String>,
    pub size: usize,
    pub shown: I,
}

/// Why a turn cannot be read back: an image it refers to is not stored.
fn missing(hash: &str) -> String {
    format!(
        "its image {}… is missing from storage",
        hash.get(..12).unwrap_or(hash)
    )
}

/// A turn from its record and its images (by key). Returns the turn and its
/// chosen variant. An image the record refers to and that is missing is an
/// error naming it: the turn could not be sent back as it was.
pub fn restore_turn<I: Clone>(
    record: TurnRecord,
    images: &HashMap<String, StoredImage<I>>,
) -> Result<(TurnData<I>, usize), String> {
    let base64_of = |h: &str| images.get(h).map(|i| i.base64.clone());
    let shown = |h: &str| images.get(h).map(|i| i.shown.clone());
    let user_images = image_refs(&record.user)
        .map(|h| shown(h).ok_or_else(|| missing(h)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut user = record.user;
    restore_images(&mut user, &base64_of)?;
    let mut variants = Vec::new();
    for v in record.variants {
        variants.push(match v {
            VariantRecord::Done {
                mut model,
                usage,
                finish_reason,
                model_version,
                grounding,
                elapsed_ms,
                download_name: name,
            } => {
                let final_index = final_image_index(&model.parts)
                    .ok_or_else(|| "a stored answer has no image".to_owned())?;
                let (hash, mime_type) = model
                    .parts
                    .get(final_index)
                    .and_then(|p| p.inline_data.as_ref())
                    .and_then(|d| Some((image_ref(&d.data)?.to_owned(), d.mime_type.clone())))
                    .ok_or_else(|| "a stored answer's image is not in storage".to_owned())?;
                let image = images.get(&hash).ok_or_else(|| missing(&hash))?;
                let thoughts = model
                    .parts
                    .iter()
                    .filter(|p| p.is_thought())
                    .filter_map(|p| match (&p.text, &p.inline_data) {
                        (Some(t), _) if !t.trim().is_empty() => Some(Thought::Text(t.clone())),
                        (_, Some(d)) => image_ref(&d.data).and_then(shown).map(Thought::Draft),
                        _ => None,
                    })
                    .collect();
                restore_images(&mut model, &base64_of)?;
                let download_name = if name.is_empty() {
                    let ext = ImageMime::parse(&mime_type).map_or("png", ImageMime::extension);
                    download_name(&record.prompt, record.created_ms, ext)
                } else {
                    name
                };
                Variant::Done(Arc::new(Answer {
                    text: visible_text(&model.parts),
                    model,
                    image: image.shown.clone(),
                    image_size: image.size,
                    mime_type,
                    download_name,
                    thoughts,
                    finish_reason,
                    usage,
                    model_version,
                    grounding,
                    elapsed_ms,
                }))
            }
            VariantRecord::Failed {
                title,
                detail,
                action,
            } => Variant::Failed(Alert {
                title,
                detail,
                action,
                retryable: false,
                reload: false,
                file: None,
            }),
        });
    }
    let turn = TurnData {
        prompt: record.prompt,
        user,
        user_images,
        settings: record.settings,
        variants,
        created_ms: record.created_ms,
        // A selection that reads and whose mask is bounded work (it comes
        // from storage or an import); else the turn shows the model's output.
        region: record
            .region
            .and_then(|r| serde_json::from_value::<super::region::Selection>(r).ok())
            .and_then(super::region::Selection::checked),
    };
    let chosen = turn.valid_choice(record.chosen);
    Ok((turn, chosen))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::turn::tests::turn;
    use crate::store::records::image_hash;
    use gemini::response::decode_base64;
    use gemini::wire::Part;

    /// Keys every image as the app does (by the SHA-256 of its bytes) and
    /// returns the record and what the images store would hold.
    fn key(mut u: Unkeyed) -> (TurnRecord, HashMap<String, StoredImage<String>>) {
        let mut store = HashMap::new();
        for (slot, t) in std::mem::take(&mut u.taken) {
            match decode_base64(&t.data) {
                Ok(bytes) => {
                    let hash = image_hash(&bytes);
                    store.insert(
                        hash.clone(),
                        StoredImage {
                            base64: t.data.clone(),
                            size: bytes.len(),
                            shown: format!("url:{}", &hash[..8]),
                        },
                    );
                    u.place(slot, t.part, Placed::Stored(hash));
                }
                Err(_) => u.place(slot, t.part, Placed::Inline(t.data)),
            }
        }
        (u.record, store)
    }

    #[test]
    fn a_turn_round_trips_through_its_record() {
        let mut t = turn("a cat", &[true, false, true]);
        t.user
            .parts
            .push(Part::image("image/png", "c2VudA==".into()));
        let u = turn_record("c1", 3, &t, 2, true);
        assert_eq!(u.record.id, "c1/3/1");
        // User image, draft and final image of each answer.
        assert_eq!(u.taken.len(), 5);
        let (record, store) = key(u);
        // No base64 in the record, only references.
        let json = serde_json::to_string(&record).unwrap();
        assert!(!json.contains("c2VudA==") && json.contains("sha256:"));
        let record: TurnRecord = serde_json::from_str(&json).unwrap();
        let (back, chosen) = restore_turn(record, &store).unwrap();
        assert_eq!(chosen, 2);
        assert_eq!(back.user, t.user);
        assert_eq!(back.prompt, t.prompt);
        assert_eq!(back.user_images.len(), 1);
        for i in [0, 2] {
            let (a, b) = (t.answer(i).unwrap(), back.answer(i).unwrap());
            assert_eq!(a.model, b.model, "model turn {i} byte for byte");
            assert_eq!(a.text, b.text);
            assert_eq!(a.download_name, b.download_name);
            assert_eq!(b.image_size, 3);
            assert!(b.image.starts_with("url:"));
            assert!(matches!(b.thoughts[1], Thought::Draft(_)));
        }
        assert!(matches!(back.variants[1], Variant::Failed(_)));
    }

    #[test]
    fn a_missing_image_or_a_bad_choice_is_handled() {
        let t = turn("p", &[false, true]);
        let (record, mut store) = key(turn_record("c", 0, &t, 0, true));
        let (_, chosen) = restore_turn(record.clone(), &store).unwrap();
        assert_eq!(chosen, 1, "a failed variant is never the choice");
        store.clear();
        assert!(restore_turn(record, &store)
            .unwrap_err()
            .contains("missing"));
    }

    #[test]
    fn the_conversation_record_starts_empty() {
        let meta = ConversationMeta::new("L".into(), 5.0, 0.1);
        let r = conversation_record(&meta, 9.0);
        assert_eq!(
            (r.label.as_str(), r.updated_ms, r.turn_count),
            ("L", 9.0, 0)
        );
    }
}
