//! What is kept, as plain serde data: conversations, turns, variants, and the
//! image references that replace inline base64 in stored contents. Pure: tested
//! on the host.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::response::{decode_base64, final_image_index};
use gemini::wire::{Content, GroundingMetadata, InlineData, Part, UsageMetadata};
use gemini::Settings;
use serde::{Deserialize, Serialize};

pub use crate::browser::digest::image_hash;

/// The shape of the records written by this version (see `migrate`).
pub const RECORD_VERSION: u32 = 2;

/// Replaces the base64 `data` of a stored image part. `:` is not in the base64
/// alphabet, so a reference can never be mistaken for image data.
const REF_PREFIX: &str = "sha256:";

/// One conversation: what the history panel lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRecord {
    pub id: String,
    pub label: String,
    /// The first prompt.
    pub title: String,
    pub created_ms: f64,
    pub updated_ms: f64,
    /// The model of the latest turn.
    pub model: String,
    #[serde(default)]
    pub turn_count: usize,
    /// The latest turn's final image (a key of the images store).
    #[serde(default)]
    pub thumb: Option<String>,
    /// Every image the turns refer to: what deleting this conversation may free.
    #[serde(default)]
    pub images: Vec<String>,
    /// The record shape; 0 or missing means version 1.
    #[serde(default)]
    pub v: u32,
}

/// One completed turn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TurnRecord {
    pub id: String,
    pub conversation_id: String,
    /// Position in the conversation, from 0.
    pub index: usize,
    pub created_ms: f64,
    pub prompt: String,
    pub settings: Settings,
    /// What was sent, images as references.
    pub user: Content,
    pub variants: Vec<VariantRecord>,
    pub chosen: usize,
    /// A region edit's selection (`model::region::Selection` as JSON); absent
    /// in records of turns that were not region edits, and in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<serde_json::Value>,
}

/// A stored turn as read back: its record, or what can be told of one that
/// does not read (a damaged record).
#[derive(Clone, Debug, PartialEq)]
pub enum StoredTurn {
    Record(TurnRecord),
    Unreadable {
        index: Option<usize>,
        created_ms: f64,
        prompt: Option<String>,
    },
}

impl StoredTurn {
    /// Its place in the conversation: position, then time.
    pub fn order(&self) -> (usize, f64) {
        match self {
            StoredTurn::Record(r) => (r.index, r.created_ms),
            StoredTurn::Unreadable {
                index, created_ms, ..
            } => (index.unwrap_or(usize::MAX), *created_ms),
        }
    }
}

/// One of the parallel answers of a turn. (The answer is the large variant and
/// the common one: boxing it would only add an allocation per record.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum VariantRecord {
    #[serde(rename_all = "camelCase")]
    Done {
        /// The model's parts exactly as received, images as references.
        model: Content,
        #[serde(default)]
        usage: Option<UsageMetadata>,
        #[serde(default)]
        finish_reason: Option<String>,
        #[serde(default)]
        model_version: Option<String>,
        #[serde(default)]
        grounding: Option<GroundingMetadata>,
        #[serde(default)]
        elapsed_ms: f64,
        #[serde(default)]
        download_name: String,
    },
    #[serde(rename_all = "camelCase")]
    Failed {
        title: String,
        #[serde(default)]
        detail: Option<String>,
        #[serde(default)]
        action: String,
    },
}

/// An image moved out of a content: its key, type and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageBytes {
    pub hash: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// The image key a stored part refers to, if it is a reference.
pub fn image_ref(data: &str) -> Option<&str> {
    data.strip_prefix(REF_PREFIX)
}

/// An image taken out of a content to be stored: the index of its part, its
/// type and base64. The part's data is empty until [`set_ref`] names the image
/// (or [`set_data`] puts data that does not decode back).
#[derive(Debug)]
pub struct Taken {
    pub part: usize,
    pub mime: String,
    pub data: Arc<String>,
}

/// A copy of `content` with its inline images taken out (stored references
/// stay). Only the small parts are copied: the images' base64 is shared, never
/// cloned, and decoding is left to the caller, so this is cheap enough to run
/// before anything else may change the content.
pub fn take_images(content: &Content) -> (Content, Vec<Taken>) {
    let mut taken = Vec::new();
    let parts = content
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let inline_data = p.inline_data.as_ref().map(|d| {
                let data = match image_ref(&d.data) {
                    None => {
                        taken.push(Taken {
                            part: i,
                            mime: d.mime_type.clone(),
                            data: d.data.clone(),
                        });
                        Arc::default()
                    }
                    Some(_) => d.data.clone(),
                };
                InlineData {
                    mime_type: d.mime_type.clone(),
                    data,
                }
            });
            Part {
                text: p.text.clone(),
                inline_data,
                thought: p.thought,
                thought_signature: p.thought_signature.clone(),
            }
        })
        .collect();
    (
        Content {
            role: content.role,
            parts,
        },
        taken,
    )
}

/// Points part `part` of `content` at the stored image `hash`.
pub fn set_ref(content: &mut Content, part: usize, hash: &str) {
    set_data(content, part, Arc::new([REF_PREFIX, hash].concat()));
}

/// Puts `data` in part `part` of `content` (an image that did not decode stays
/// inline, as received).
pub fn set_data(content: &mut Content, part: usize, data: Arc<String>) {
    if let Some(d) = content
        .parts
        .get_mut(part)
        .and_then(|p| p.inline_data.as_mut())
    {
        d.data = data;
    }
}

/// Every image key a content refers to, in order.
pub fn image_refs(content: &Content) -> impl Iterator<Item = &str> {
    content
        .parts
        .iter()
        .filter_map(|p| p.inline_data.as_ref())
        .filter_map(|d| image_ref(&d.data))
}

/// Puts the images back inline as base64, as they were received. A missing image
/// is an error naming it: the content could not be sent back as it was.
pub fn restore_images(
    content: &mut Content,
    base64_of: &dyn Fn(&str) -> Option<Arc<String>>,
) -> Result<(), String> {
    for part in &mut content.parts {
        let Some(d) = part.inline_data.as_mut() else {
            continue;
        };
        if let Some(hash) = image_ref(&d.data) {
            let hash = hash.to_owned();
            d.data = base64_of(&hash).ok_or_else(|| {
                format!(
                    "its image {}… is missing from storage",
                    hash.get(..12).unwrap_or(&hash)
                )
            })?;
        }
    }
    Ok(())
}

impl TurnRecord {
    /// Every image key of this turn (sent images, answers, drafts).
    pub fn image_refs(&self) -> BTreeSet<String> {
        let mut set: BTreeSet<String> = image_refs(&self.user).map(str::to_owned).collect();
        for v in &self.variants {
            if let VariantRecord::Done { model, .. } = v {
                set.extend(image_refs(model).map(str::to_owned));
            }
        }
        set
    }

    /// The chosen answer's final image key.
    pub fn final_image(&self) -> Option<String> {
        match self.variants.get(self.chosen) {
            Some(VariantRecord::Done { model, .. }) => final_image_index(&model.parts)
                .and_then(|i| model.parts[i].inline_data.as_ref())
                .and_then(|d| image_ref(&d.data))
                .map(str::to_owned),
            _ => None,
        }
    }
}

/// Brings a conversation record up to date from its turns (all of them):
/// count, thumbnail, image keys, title and times. Used when a turn is saved and
/// to migrate version-1 records, which lacked these fields.
pub fn summarize(mut conv: ConversationRecord, turns: &[TurnRecord]) -> ConversationRecord {
    let mut sorted: Vec<&TurnRecord> = turns.iter().collect();
    sorted.sort_by(|a, b| {
        (a.index, a.created_ms)
            .partial_cmp(&(b.index, b.created_ms))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    conv.turn_count = sorted.len();
    if let Some(first) = sorted.first() {
        conv.title = first.prompt.clone();
        if conv.created_ms <= 0.0 {
            conv.created_ms = first.created_ms;
        }
    }
    if let Some(last) = sorted.last() {
        conv.thumb = last.final_image();
        conv.model = last.settings.model.clone();
        conv.updated_ms = conv.updated_ms.max(last.created_ms);
    }
    let images: BTreeSet<String> = sorted.iter().flat_map(|t| t.image_refs()).collect();
    conv.images = images.into_iter().collect();
    conv.v = RECORD_VERSION;
    conv
}

/// The composer as it was: restored after a reload or a crash.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DraftRecord {
    pub prompt: String,
    /// The attached images, in order; their bytes are kept beside this record.
    pub attachments: Vec<DraftImage>,
    /// For what a request in flight sent: its settings.
    pub settings: Option<Settings>,
    /// For what a request in flight sent: its conversation.
    pub conversation: Option<String>,
    /// For what a request in flight sent: when (ms since the epoch).
    pub sent_ms: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DraftImage {
    pub name: String,
    pub mime: String,
    pub note: Option<String>,
}

// ------------------------------------------------------------ prompt library

/// The longest name of a saved prompt, in characters.
pub const MAX_PROMPT_NAME_CHARS: usize = 200;

/// A prompt kept in the library under a name, with its settings if asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptRecord {
    pub id: String,
    pub name: String,
    pub prompt: String,
    #[serde(default)]
    pub settings: Option<Settings>,
    #[serde(default)]
    pub created_ms: f64,
    #[serde(default)]
    pub updated_ms: f64,
}

impl PromptRecord {
    /// Whether every word of `query` is in its name or its prompt (any case).
    pub fn matches(&self, query: &str) -> bool {
        let name = self.name.to_lowercase();
        let prompt = self.prompt.to_lowercase();
        query
            .to_lowercase()
            .split_whitespace()
            .all(|w| name.contains(w) || prompt.contains(w))
    }

    /// What is wrong with it, if anything: a name and a prompt within limits.
    pub fn problem(&self) -> Option<String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Some("a saved prompt needs a name".into());
        }
        if name.chars().count() > MAX_PROMPT_NAME_CHARS {
            return Some(format!(
                "a name is at most {MAX_PROMPT_NAME_CHARS} characters"
            ));
        }
        if self.prompt.trim().is_empty() {
            return Some("there is no prompt to save".into());
        }
        let chars = self.prompt.chars().count();
        if chars > gemini::request::MAX_PROMPT_CHARS {
            return Some(format!(
                "the prompt is {chars} characters long; the most is {}",
                gemini::request::MAX_PROMPT_CHARS
            ));
        }
        None
    }
}

/// Saved prompts sorted as the library lists them: by name, then newest.
pub fn sorted_prompts(mut prompts: Vec<PromptRecord>) -> Vec<PromptRecord> {
    prompts.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(b.updated_ms.total_cmp(&a.updated_ms))
    });
    prompts
}

/// Checks the prompts of an import: ids given and unique, each within the
/// limits; settings for a model id that cannot be one are dropped.
fn checked_prompts(prompts: Vec<PromptRecord>) -> Result<Vec<PromptRecord>, String> {
    let mut ids = BTreeSet::new();
    let mut out = Vec::with_capacity(prompts.len());
    for mut p in prompts {
        if p.id.is_empty() || p.id.len() > 100 || !ids.insert(p.id.clone()) {
            return Err(
                "This export is damaged: a saved prompt's id is missing or repeated.".into(),
            );
        }
        if let Some(why) = p.problem() {
            return Err(format!("This export is damaged: {why}."));
        }
        if p.settings
            .as_ref()
            .is_some_and(|s| !gemini::models::is_valid_model_id(&s.model))
        {
            p.settings = None;
        }
        out.push(p);
    }
    Ok(out)
}

/// The saved prompts of an import to add. A prompt whose name, text and
/// settings are already here (under any id, or earlier in the same import) is
/// skipped, so importing the same file again adds nothing even after a prompt
/// was edited here; an id already here with other content gets a fresh id, so
/// both versions are kept. Returns them and how many were skipped.
pub fn plan_prompts(
    incoming: Vec<PromptRecord>,
    existing: &[PromptRecord],
    mut random: impl FnMut() -> u64,
) -> (Vec<PromptRecord>, usize) {
    let same = |a: &PromptRecord, b: &PromptRecord| {
        a.name == b.name && a.prompt == b.prompt && a.settings == b.settings
    };
    let mut skipped = 0;
    let mut out: Vec<PromptRecord> = Vec::new();
    for mut p in incoming {
        if existing.iter().chain(&out).any(|e| same(e, &p)) {
            skipped += 1;
            continue;
        }
        while existing.iter().chain(&out).any(|e| e.id == p.id) {
            p.id = format!("prompt-{:016x}", random());
        }
        out.push(p);
    }
    (out, skipped)
}

// ------------------------------------------------------------------ export

/// The marker of an export file.
pub const EXPORT_FORMAT: &str = "gemini-studio-export";
/// The JSON export shape of earlier versions (images inline as base64): still
/// read.
pub const EXPORT_VERSION: u32 = 1;
/// The ZIP export shape this version writes: `manifest.json` and the images as
/// files.
pub const ARCHIVE_VERSION: u32 = 2;
/// The manifest's name in an export archive.
pub const MANIFEST: &str = "manifest.json";
/// The largest export file read: a ZIP (read piece by piece) …
pub const MAX_ARCHIVE_BYTES: u64 = 16 << 30;
/// … and a JSON export of earlier versions (read whole).
pub const MAX_JSON_EXPORT_BYTES: u64 = 512 << 20;

/// An export file: conversations with their turns, and every image they refer
/// to as base64, keyed by its SHA-256.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFile {
    pub format: String,
    pub version: u32,
    pub exported_ms: f64,
    pub conversations: Vec<ExportConversation>,
    pub images: BTreeMap<String, ExportImage>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportConversation {
    pub conversation: ConversationRecord,
    pub turns: Vec<TurnRecord>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportImage {
    pub mime: String,
    /// Base64, standard alphabet.
    pub data: String,
}

/// The manifest of an export archive: the conversations and turns (model
/// parts exactly as received, each image replaced by a reference
/// `sha256:<hash>` to the image file listed in `images`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub exported_ms: f64,
    pub conversations: Vec<ExportConversation>,
    pub images: Vec<ManifestImage>,
    /// The prompt library (since this field was added; version 2 manifests
    /// without it still import). Only in an export of everything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<PromptRecord>,
}

/// An image file of an export archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestImage {
    /// The SHA-256 of its bytes (what turns refer to).
    pub hash: String,
    /// Its path in the archive: `images/<hash>.<png|jpg|webp>`.
    pub path: String,
    pub mime: String,
    pub size: u64,
}

/// The path of an image in an export archive.
pub fn image_path(hash: &str, mime: &str) -> String {
    let ext = ImageMime::parse(mime).map_or("bin", ImageMime::extension);
    format!("images/{hash}.{ext}")
}

/// The manifest of an export of `conversations` whose images are `images`
/// (hash, MIME type, size).
pub fn manifest(
    conversations: Vec<ExportConversation>,
    images: impl IntoIterator<Item = (String, String, u64)>,
    exported_ms: f64,
) -> Manifest {
    Manifest {
        format: EXPORT_FORMAT.into(),
        version: ARCHIVE_VERSION,
        exported_ms,
        conversations,
        prompts: Vec::new(),
        images: images
            .into_iter()
            .map(|(hash, mime, size)| ManifestImage {
                path: image_path(&hash, &mime),
                hash,
                mime,
                size,
            })
            .collect(),
    }
}

/// Reads and checks an archive's manifest before anything is written: the
/// marker and version, every turn belongs to its conversation, every image a
/// turn refers to is listed, with a path of its own and a type the studio
/// shows (PNG, JPEG, WebP). Download names are made safe. The error says what
/// is wrong in words a user can act on.
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| "This archive's manifest.json is not JSON: it is damaged.".to_owned())?;
    if value.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT) {
        return Err("This archive is not a Gemini Studio export.".into());
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v as u32 == ARCHIVE_VERSION => {}
        Some(v) => {
            return Err(format!(
                "This export is version {v}; this studio reads versions {EXPORT_VERSION} and {ARCHIVE_VERSION}. Update the studio and try again."
            ))
        }
        None => return Err("This export has no version: it is damaged.".into()),
    }
    let mut m: Manifest =
        serde_json::from_value(value).map_err(|e| format!("This export is damaged ({e})."))?;
    let needed = check_conversations(&mut m.conversations)?;
    let mut listed = BTreeSet::new();
    for img in &m.images {
        if !listed.insert(img.hash.as_str()) {
            return Err("This export is damaged: an image is listed twice.".into());
        }
        if ImageMime::parse(&img.mime).is_none() {
            return Err(format!(
                "This export holds an image of type \u{201c}{}\u{201d}; only PNG, JPEG and WebP images are imported.",
                img.mime
            ));
        }
        if img.path != image_path(&img.hash, &img.mime) {
            return Err("This export is damaged: an image file is not where its name says.".into());
        }
    }
    if let Some(h) = needed.iter().find(|h| !listed.contains(h.as_str())) {
        return Err(format!(
            "This export is damaged: the image {}… of a conversation is missing.",
            h.get(..12).unwrap_or(h)
        ));
    }
    m.prompts = checked_prompts(std::mem::take(&mut m.prompts))?;
    Ok(m)
}

/// Checks that conversations are whole (ids given and unique, each turn filed
/// under its conversation), makes download names safe, and returns every image
/// the turns refer to.
fn check_conversations(
    conversations: &mut [ExportConversation],
) -> Result<BTreeSet<String>, String> {
    let mut needed = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for c in conversations.iter_mut() {
        if c.conversation.id.is_empty() || !ids.insert(c.conversation.id.clone()) {
            return Err("This export is damaged: a conversation id is missing or repeated.".into());
        }
        for t in &mut c.turns {
            if t.conversation_id != c.conversation.id {
                return Err(format!(
                    "This export is damaged: turn {} is filed under the wrong conversation.",
                    t.id
                ));
            }
            for v in &mut t.variants {
                if let VariantRecord::Done { download_name, .. } = v {
                    *download_name = safe_download_name(download_name);
                }
            }
            needed.extend(t.image_refs());
        }
    }
    Ok(needed)
}

/// A download name from outside made safe: letters, digits, `-`, `_` and one
/// `.` before an image extension; nothing that could name a path.
pub fn safe_download_name(name: &str) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            (stem, ext)
        }
        _ => (name, "png"),
    };
    let ext = match ext.to_ascii_lowercase().as_str() {
        e @ ("png" | "jpg" | "jpeg" | "webp") => e.to_owned(),
        _ => "png".to_owned(),
    };
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    let stem: String = stem.chars().take(80).collect();
    if stem.is_empty() {
        format!("gemini-image.{ext}")
    } else {
        format!("{stem}.{ext}")
    }
}

/// What an import adds, given the conversations already stored: one not here
/// yet is added as it is; one here already with the same content (the same
/// update time and turn count) is skipped; one whose id is taken by other
/// content gets a fresh id (its turns too), so nothing stored is overwritten.
/// `fresh` makes a new id from an old one.
pub fn plan_import(
    conversations: Vec<ExportConversation>,
    existing: &[ConversationRecord],
    mut random: impl FnMut() -> u64,
) -> (Vec<ExportConversation>, usize) {
    let mut skipped = 0;
    let mut taken: BTreeSet<String> = existing.iter().map(|c| c.id.clone()).collect();
    let mut out = Vec::new();
    for mut c in conversations {
        let id = c.conversation.id.clone();
        // Already here: the conversation itself, or a copy an earlier import
        // filed under a fresh id, at the same state.
        let copy_prefix = format!("{id}-i");
        let same = |e: &&ConversationRecord| {
            (e.id == id || e.id.starts_with(&copy_prefix))
                && e.updated_ms == c.conversation.updated_ms
                && e.turn_count == c.turns.len()
        };
        if existing.iter().any(|e| same(&e)) {
            skipped += 1;
            continue;
        }
        if taken.contains(&id) {
            let mut new_id = format!("{copy_prefix}{:x}", random());
            while taken.contains(&new_id) {
                new_id = format!("{copy_prefix}{:x}", random());
            }
            c.conversation.id = new_id.clone();
            for t in &mut c.turns {
                t.conversation_id = new_id.clone();
                t.id = format!("{new_id}/{}/{}", t.index, t.created_ms as u64);
            }
        }
        taken.insert(c.conversation.id.clone());
        out.push(c);
    }
    (out, skipped)
}

/// An export file checked in full: ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub conversations: Vec<ExportConversation>,
    pub images: Vec<ImageBytes>,
}

/// Reads and checks an export file before anything is written: the marker and
/// version, every turn belongs to its conversation, every image a turn refers to
/// is in the file, decodes, and has the hash it is filed under. The error says
/// what is wrong in words a user can act on.
pub fn parse_export(bytes: &[u8]) -> Result<Import, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| "This file is not a Gemini Studio export (it is not JSON).".to_owned())?;
    if value.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT) {
        return Err("This file is not a Gemini Studio export.".into());
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v as u32 == EXPORT_VERSION => {}
        Some(v) => {
            return Err(format!(
                "This export is version {v}; this studio reads version {EXPORT_VERSION}. Update the studio and try again."
            ))
        }
        None => return Err("This export has no version: it is damaged.".into()),
    }
    let mut file: ExportFile =
        serde_json::from_value(value).map_err(|e| format!("This export is damaged ({e})."))?;
    let needed = check_conversations(&mut file.conversations)?;
    let mut images = Vec::new();
    for hash in needed {
        let img = file.images.get(&hash).ok_or_else(|| {
            "This export is damaged: an image of a conversation is missing.".to_owned()
        })?;
        let bytes = decode_base64(&img.data)
            .map_err(|_| "This export is damaged: an image is not valid base64.".to_owned())?;
        if image_hash(&bytes) != hash {
            return Err(
                "This export is damaged: an image's bytes do not match its checksum.".into(),
            );
        }
        let mime = match gemini::mime::sniff(&bytes) {
            gemini::mime::Sniffed::Supported(m) => m.as_str().to_owned(),
            _ => {
                return Err(format!(
                    "This export holds an image that is {}; only PNG, JPEG and WebP images are imported.",
                    gemini::mime::describe(&bytes)
                ))
            }
        };
        images.push(ImageBytes { hash, mime, bytes });
    }
    Ok(Import {
        conversations: file.conversations,
        images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gemini::wire::{Part, Role};

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Keys a content's images with the functions the app saves with.
    fn extract_images(content: &mut Content) -> Vec<ImageBytes> {
        let (mut stripped, taken) = take_images(content);
        let mut out = Vec::new();
        for t in taken {
            match decode_base64(&t.data) {
                Ok(bytes) => {
                    let hash = image_hash(&bytes);
                    set_ref(&mut stripped, t.part, &hash);
                    out.push(ImageBytes {
                        hash,
                        mime: t.mime,
                        bytes,
                    });
                }
                Err(_) => set_data(&mut stripped, t.part, t.data),
            }
        }
        *content = stripped;
        out
    }

    fn model_content(img: &[u8]) -> Content {
        Content {
            role: Some(Role::Model),
            parts: vec![
                Part {
                    text: Some("thinking".into()),
                    thought: Some(true),
                    ..Part::default()
                },
                Part {
                    thought_signature: Some("sig-1".into()),
                    ..Part::image("image/png", b64(img))
                },
            ],
        }
    }

    fn turn(conv: &str, index: usize, img: &[u8]) -> TurnRecord {
        let mut model = model_content(img);
        extract_images(&mut model);
        TurnRecord {
            id: format!("{conv}:{index}"),
            conversation_id: conv.into(),
            index,
            created_ms: 1000.0 + index as f64,
            prompt: format!("prompt {index}"),
            settings: Settings::default(),
            user: Content {
                role: Some(Role::User),
                parts: vec![Part::text(format!("prompt {index}"))],
            },
            variants: vec![VariantRecord::Done {
                model,
                usage: None,
                finish_reason: Some("STOP".into()),
                model_version: None,
                grounding: None,
                elapsed_ms: 10.0,
                download_name: "x.png".into(),
            }],
            chosen: 0,
            region: None,
        }
    }

    #[test]
    fn a_record_without_a_region_still_reads_and_one_with_it_round_trips() {
        let plain = turn("c", 0, b"img");
        let json = serde_json::to_value(&plain).unwrap();
        // Turns that were not region edits (and every older record) have no field.
        assert!(json.get("region").is_none());
        let back: TurnRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, plain);
        let edited = TurnRecord {
            region: Some(
                serde_json::json!({"marks": [{"kind": "rect", "x0": 1.0, "y0": 2.0, "x1": 3.0, "y1": 4.0}]}),
            ),
            ..plain
        };
        let json = serde_json::to_string(&edited).unwrap();
        assert_eq!(serde_json::from_str::<TurnRecord>(&json).unwrap(), edited);
    }

    #[test]
    fn images_move_out_and_back_byte_for_byte() {
        let img: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let original = model_content(&img);
        let mut stored = original.clone();
        let out = extract_images(&mut stored);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].bytes, img);
        assert_eq!(out[0].hash, image_hash(&img));
        let data = &stored.parts[1].inline_data.as_ref().unwrap().data;
        assert_eq!(image_ref(data), Some(out[0].hash.as_str()));
        // The signature stays on its part.
        assert_eq!(stored.parts[1].thought_signature.as_deref(), Some("sig-1"));
        // Records survive JSON.
        let json = serde_json::to_string(&stored).unwrap();
        let mut back: Content = serde_json::from_str(&json).unwrap();
        restore_images(&mut back, &|h| {
            (h == out[0].hash).then(|| Arc::new(b64(&img)))
        })
        .unwrap();
        assert_eq!(back, original);
        assert!(restore_images(&mut stored.clone(), &|_| None).is_err());
    }

    #[test]
    fn identical_images_share_a_key_and_bad_base64_stays_inline() {
        let mut c = Content {
            role: None,
            parts: vec![
                Part::image("image/png", b64(b"same")),
                Part::image("image/png", b64(b"same")),
                Part::image("image/png", "not base64!".into()),
            ],
        };
        let out = extract_images(&mut c);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].hash, out[1].hash);
        assert_eq!(
            *c.parts[2].inline_data.as_ref().unwrap().data,
            "not base64!"
        );
    }

    #[test]
    fn summary_from_turns_migrates_a_version_1_record() {
        let v1 = r#"{"id":"c1","label":"Conversation 1","title":"","createdMs":0,"updatedMs":5,"model":"m"}"#;
        let conv: ConversationRecord = serde_json::from_str(v1).unwrap();
        assert_eq!(conv.v, 0);
        let turns = vec![turn("c1", 1, b"second"), turn("c1", 0, b"first")];
        let s = summarize(conv, &turns);
        assert_eq!(s.v, RECORD_VERSION);
        assert_eq!(s.turn_count, 2);
        assert_eq!(s.title, "prompt 0");
        assert_eq!(s.thumb, Some(image_hash(b"second")));
        assert_eq!(s.images.len(), 2);
        assert_eq!(s.created_ms, 1000.0);
    }

    fn export_of(turns: Vec<TurnRecord>, images: &[&[u8]]) -> ExportFile {
        let conv = summarize(
            ConversationRecord {
                id: "c1".into(),
                label: "Conversation 1".into(),
                title: String::new(),
                created_ms: 0.0,
                updated_ms: 0.0,
                model: String::new(),
                turn_count: 0,
                thumb: None,
                images: vec![],
                v: RECORD_VERSION,
            },
            &turns,
        );
        ExportFile {
            format: EXPORT_FORMAT.into(),
            version: EXPORT_VERSION,
            exported_ms: 1.0,
            conversations: vec![ExportConversation {
                conversation: conv,
                turns,
            }],
            images: images
                .iter()
                .map(|b| {
                    (
                        image_hash(b),
                        ExportImage {
                            mime: "image/png".into(),
                            data: b64(b),
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn an_archive_manifest_is_checked_before_anything_is_written() {
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\none";
        let file = export_of(vec![turn("c1", 0, PNG)], &[PNG]);
        let hash = image_hash(PNG);
        let m = manifest(
            file.conversations.clone(),
            [(hash.clone(), "image/png".to_owned(), PNG.len() as u64)],
            1.0,
        );
        assert_eq!(m.images[0].path, format!("images/{hash}.png"));
        let json = serde_json::to_vec(&m).unwrap();
        assert_eq!(parse_manifest(&json).unwrap(), m);
        // An image of another type, a path elsewhere, a missing image.
        let mut svg = m.clone();
        svg.images[0].mime = "image/svg+xml".into();
        assert!(parse_manifest(&serde_json::to_vec(&svg).unwrap())
            .unwrap_err()
            .contains("only PNG, JPEG and WebP"));
        let mut elsewhere = m.clone();
        elsewhere.images[0].path = "../evil.png".into();
        assert!(parse_manifest(&serde_json::to_vec(&elsewhere).unwrap()).is_err());
        let mut missing = m.clone();
        missing.images.clear();
        assert!(parse_manifest(&serde_json::to_vec(&missing).unwrap())
            .unwrap_err()
            .contains("missing"));
        assert!(parse_manifest(b"{").is_err());
        let mut newer = m;
        newer.version = 7;
        assert!(parse_manifest(&serde_json::to_vec(&newer).unwrap())
            .unwrap_err()
            .contains("version 7"));
    }

    #[test]
    fn download_names_from_outside_are_made_safe() {
        assert_eq!(safe_download_name("../../etc/passwd"), "etc-passwd.png");
        assert_eq!(safe_download_name("a cat.JPG"), "a-cat.jpg");
        assert_eq!(safe_download_name("x.html"), "x.png");
        assert_eq!(safe_download_name(".."), "gemini-image.png");
    }

    #[test]
    fn an_import_never_overwrites_what_is_stored() {
        let a = export_of(vec![turn("c1", 0, b"one")], &[]);
        let here = a.conversations[0].conversation.clone();
        // The same conversation: skipped.
        let (add, skipped) =
            plan_import(a.conversations.clone(), std::slice::from_ref(&here), || 7);
        assert_eq!((add.len(), skipped), (0, 1));
        // Other content under the same id: a fresh id, its turns too; a
        // random number already taken is drawn again.
        let mut other = here.clone();
        other.updated_ms += 1.0;
        let mut taken_copy = other.clone();
        taken_copy.id = "c1-i1".into();
        let mut n = 0;
        let (add, skipped) = plan_import(
            a.conversations.clone(),
            &[other.clone(), taken_copy],
            || {
                n += 1;
                n
            },
        );
        assert_eq!(skipped, 0);
        assert_eq!(add[0].conversation.id, "c1-i2");
        assert_eq!(add[0].turns[0].conversation_id, "c1-i2");
        assert!(add[0].turns[0].id.starts_with("c1-i2/"));
        // The same file again, once that copy is stored: already here.
        let copy = ConversationRecord {
            id: "c1-i2".into(),
            ..here.clone()
        };
        let (add, skipped) = plan_import(a.conversations.clone(), &[other, copy], || 9);
        assert_eq!((add.len(), skipped), (0, 1));
        // Not here at all: as it is.
        let (add, _) = plan_import(a.conversations.clone(), &[], || unreachable!());
        assert_eq!(add[0].conversation.id, "c1");
    }

    #[test]
    fn an_export_reads_back_and_damage_is_refused() {
        const ONE: &[u8] = b"\x89PNG\r\n\x1a\none";
        const TWO: &[u8] = b"\x89PNG\r\n\x1a\ntwo";
        let file = export_of(vec![turn("c1", 0, ONE)], &[ONE]);
        let json = serde_json::to_vec(&file).unwrap();
        let import = parse_export(&json).unwrap();
        assert_eq!(import.conversations, file.conversations);
        assert_eq!(import.images[0].bytes, ONE);

        assert!(parse_export(b"PK\x03\x04garbage").is_err());
        assert!(parse_export(br#"{"format":"other","version":1}"#).is_err());
        assert!(parse_export(&json[..json.len() / 2]).is_err());

        let missing = export_of(vec![turn("c1", 0, ONE)], &[]);
        assert!(parse_export(&serde_json::to_vec(&missing).unwrap()).is_err());

        let mut wrong = export_of(vec![turn("c1", 0, ONE)], &[ONE]);
        for img in wrong.images.values_mut() {
            img.data = b64(TWO);
        }
        assert!(parse_export(&serde_json::to_vec(&wrong).unwrap())
            .unwrap_err()
            .contains("checksum"));

        let mut newer = file.clone();
        newer.version = 9;
        assert!(parse_export(&serde_json::to_vec(&newer).unwrap())
            .unwrap_err()
            .contains("version 9"));
    }

    fn saved(id: &str, name: &str, prompt: &str) -> PromptRecord {
        PromptRecord {
            id: id.into(),
            name: name.into(),
            prompt: prompt.into(),
            settings: None,
            created_ms: 1.0,
            updated_ms: 1.0,
        }
    }

    #[test]
    fn a_manifest_without_prompts_still_reads_and_one_with_them_is_checked() {
        let bare = br#"{"format":"gemini-studio-export","version":2,"exportedMs":0,"conversations":[],"images":[]}"#;
        assert_eq!(parse_manifest(bare).unwrap().prompts, vec![]);
        let mut m = manifest(Vec::new(), Vec::new(), 0.0);
        let mut bad_model = saved("p2", "Two", "b");
        bad_model.settings = Some(Settings {
            model: "../x?key=1".into(),
            ..Settings::default()
        });
        m.prompts = vec![saved("p1", "One", "a"), bad_model];
        let back = parse_manifest(&serde_json::to_vec(&m).unwrap()).unwrap();
        assert_eq!(back.prompts.len(), 2);
        assert_eq!(
            back.prompts[1].settings, None,
            "a bad model id drops the settings"
        );
        for broken in [
            vec![saved("p1", "One", "a"), saved("p1", "Two", "b")],
            vec![saved("", "One", "a")],
            vec![saved("p1", "  ", "a")],
            vec![saved("p1", "One", "")],
            vec![saved("p1", &"n".repeat(MAX_PROMPT_NAME_CHARS + 1), "a")],
        ] {
            m.prompts = broken;
            assert!(parse_manifest(&serde_json::to_vec(&m).unwrap()).is_err());
        }
        // An empty library writes no field: older studios read the manifest as before.
        m.prompts = vec![];
        assert!(!String::from_utf8(serde_json::to_vec(&m).unwrap())
            .unwrap()
            .contains("prompts"));
    }

    #[test]
    fn prompts_are_searched_sorted_and_merged() {
        let p = saved("p1", "Fox portrait", "A red FOX in the snow");
        assert!(p.matches(""));
        assert!(p.matches("fox snow"));
        assert!(p.matches("PORTRAIT"));
        assert!(!p.matches("fox desert"));
        let list = sorted_prompts(vec![saved("b", "beta", "x"), saved("a", "Alpha", "y")]);
        assert_eq!(list[0].name, "Alpha");
        let existing = vec![saved("p1", "One", "a"), saved("p2", "Two", "b")];
        let (add, skipped) = plan_prompts(
            vec![
                saved("p1", "One", "a"),
                saved("p2", "Other", "c"),
                saved("p3", "Three", "d"),
            ],
            &existing,
            || 7,
        );
        assert_eq!(skipped, 1);
        assert_eq!(add.len(), 2);
        assert_eq!(add[0].id, "prompt-0000000000000007");
        assert_eq!(add[1].id, "p3");
    }

    #[test]
    fn importing_the_same_prompts_again_after_an_edit_adds_nothing() {
        // Exported as "One"/"a", then edited here to "One"/"edited".
        let exported = vec![saved("p1", "One", "a")];
        let mut here = vec![saved("p1", "One", "edited")];
        let mut n = 0;
        let mut random = || {
            n += 1;
            n
        };
        let (add, skipped) = plan_prompts(exported.clone(), &here, &mut random);
        assert_eq!(
            (add.len(), skipped),
            (1, 0),
            "the older version is kept beside"
        );
        assert_ne!(add[0].id, "p1");
        here.extend(add);
        let (add, skipped) = plan_prompts(exported, &here, &mut random);
        assert_eq!((add.len(), skipped), (0, 1), "a second import adds no copy");
        // The same prompt twice in one file is added once; a fresh id never
        // collides with one already taken.
        let (add, skipped) = plan_prompts(
            vec![saved("x", "Two", "b"), saved("y", "Two", "b")],
            &[
                saved("prompt-0000000000000009", "Other", "c"),
                saved("x", "Else", "d"),
            ],
            {
                let mut ids = [9u64, 10].into_iter();
                move || ids.next().unwrap_or(11)
            },
        );
        assert_eq!(skipped, 1);
        assert_eq!(add.len(), 1);
        assert_eq!(add[0].id, "prompt-000000000000000a");
    }
}
