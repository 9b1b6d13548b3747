//! Export and import at any size, in bounded memory.
//!
//! An export is a ZIP (the `formats` crate's writer, hand-written and small:
//! stored entries, the manifest deflated, ZIP64 when needed): `manifest.json`
//! (conversations, turns, settings, usage, the model's parts with each image
//! replaced by a reference) and every image as its own file,
//! `images/<sha256>.<png|jpg|webp>`, so the images open without the studio.
//! It is written in pieces: each image is read into wasm memory alone (for its
//! CRC-32), then its stored Blob itself becomes a part of the archive; the
//! archive is one Blob made of those parts, never whole in wasm memory.
//!
//! An import reads the ZIP entry by entry from the file (slices, never the
//! whole file), checks everything before writing anything (the manifest, every
//! image's CRC, SHA-256 and type, sniffed from its bytes), gives conversations
//! whose id is taken by other content fresh ids, and only then writes: the
//! images not stored yet, read from the file again, each as a Blob of its own
//! bytes (not a slice of the file, which IndexedDB may store as a reference to
//! a file the person may delete), in transactions of about `BATCH_BYTES`;
//! then every conversation, turn and saved prompt in one transaction. Nothing
//! shows before that last one commits, and a failure on the way deletes the
//! images it wrote; an import stopped by a closed tab leaves a note of them,
//! and [`take_back_unfinished`] deletes them at the next start. (One
//! transaction for everything held all of a 2 GB import's Blobs in the
//! browser's memory until it committed, and Chromium refused it with
//! `DataError`.) The JSON export of earlier versions is still read.

use std::collections::BTreeMap;

use formats::zip::{self, Data, Modified, ZipWriter};
use gemini::mime::{sniff, Sniffed};
use js_sys::{Array, Uint8Array};
use web_sys::Blob;

use crate::browser::files::{blob_bytes, join, read_range};
use crate::browser::locks::{self, Attempt};
use crate::browser::object_url::blob_from_bytes;
use crate::browser::{digest, next_task, now_ms};
use crate::store::db::NewImage;
use crate::store::records::{
    manifest, parse_export, parse_manifest, plan_import, plan_prompts, ExportConversation,
    PromptRecord, MANIFEST, MAX_ARCHIVE_BYTES, MAX_JSON_EXPORT_BYTES,
};
use crate::store::{Store, StoreError};

/// What an import did.
pub struct Imported {
    pub added: usize,
    pub skipped: usize,
    /// The conversations added (their ids as stored).
    pub ids: Vec<String>,
    /// Saved prompts added to the library.
    pub prompts: usize,
}

fn utc_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The export archive of conversations (all when `ids` is `None`).
pub async fn export_archive(store: &Store, ids: Option<&[String]>) -> Result<Blob, String> {
    let (conversations, blobs) = store.export_records(ids).await.map_err(|e| e.to_string())?;
    let needed: std::collections::BTreeSet<String> = conversations
        .iter()
        .flat_map(|c| c.turns.iter().flat_map(|t| t.image_refs()))
        .collect();
    let blobs: Vec<(String, Blob)> = blobs
        .into_iter()
        .filter(|(h, _)| needed.contains(h))
        .collect();
    let modified = Modified {
        unix_ms: now_ms(),
        utc_offset_minutes: utc_offset_minutes(),
    };
    let mut m = manifest(
        conversations,
        blobs
            .iter()
            .map(|(h, b)| (h.clone(), b.type_(), b.size() as u64)),
        modified.unix_ms,
    );
    // The prompt library goes with an export of everything.
    if ids.is_none() {
        m.prompts = store.prompts().await.map_err(|e| e.to_string())?;
    }
    let json = serde_json::to_vec(&m).map_err(|e| e.to_string())?;
    let parts = Array::new();
    let mut zip = ZipWriter::new();
    let push = |parts: &Array, bytes: &[u8]| {
        parts.push(&Uint8Array::from(bytes));
    };
    push(
        &parts,
        &zip.deflated_entry(MANIFEST, &json, modified)
            .map_err(|e| e.to_string())?,
    );
    drop(json);
    for (img, (_, blob)) in m.images.iter().zip(&blobs) {
        // One image in wasm memory at a time, for its CRC; the archive holds
        // the stored Blob itself.
        let bytes = blob_bytes(blob).await?;
        let header = zip
            .entry_header(&img.path, Data::Bytes(&bytes), modified)
            .map_err(|e| e.to_string())?;
        drop(bytes);
        push(&parts, &header);
        parts.push(blob);
        next_task().await;
    }
    push(&parts, &zip.finish());
    join(&parts, "application/zip")
}

/// Why an import changed nothing.
#[derive(Debug)]
pub enum ImportError {
    /// The file is refused (not an export, damaged, too large…): why.
    Refused(String),
    /// The file, checked, could not be read again to be stored (moved,
    /// deleted or changed meanwhile): why.
    Stopped(String),
    /// Writing failed.
    Store(StoreError),
}

/// An import's images are written in transactions of about this many bytes.
const BATCH_BYTES: u64 = 32 << 20;

/// An image of an import, checked, and where its bytes are.
struct Checked {
    hash: String,
    mime: String,
    from: Source,
}

enum Source {
    /// An entry of the archive: read from the file again to be stored.
    Entry(zip::Entry, std::ops::Range<u64>),
    /// The bytes of an image of a JSON export (in wasm memory already).
    Bytes(Vec<u8>),
}

/// Reads an export file (a ZIP, or the JSON of earlier versions), checks all
/// of it, and adds what is not here yet: its images first, a few per
/// transaction (about `BATCH_BYTES`), then every conversation in one
/// transaction. While it runs it holds a Web Lock named after it, so that
/// another tab's [`take_back_unfinished`] leaves its images alone.
pub async fn import_file(
    store: &Store,
    file: &Blob,
    random: impl FnMut() -> u64,
) -> Result<Imported, ImportError> {
    import_in_batches(store, file, random, BATCH_BYTES).await
}

/// [`import_file`] with images written in transactions of about
/// `batch_bytes` (tests make it small).
pub async fn import_in_batches(
    store: &Store,
    file: &Blob,
    mut random: impl FnMut() -> u64,
    batch_bytes: u64,
) -> Result<Imported, ImportError> {
    let refuse = |why: String| ImportError::Refused(why);
    let size = file.size() as u64;
    let head = read_range(file, 0, 4.min(size))
        .await
        .map_err(|e| refuse(format!("The file could not be read ({e}).")))?;
    let (conversations, images, prompts) = if head.starts_with(b"PK") {
        if size > MAX_ARCHIVE_BYTES {
            return Err(refuse(format!(
                "The file is {} GB; an export of up to {} GB is read.",
                size >> 30,
                MAX_ARCHIVE_BYTES >> 30
            )));
        }
        read_archive(file, size).await.map_err(refuse)?
    } else {
        if size > MAX_JSON_EXPORT_BYTES {
            return Err(refuse(format!(
                "The file is {} MB; a JSON export of up to {} MB is read (newer exports are ZIP files, of any size).",
                size >> 20,
                MAX_JSON_EXPORT_BYTES >> 20
            )));
        }
        let bytes = blob_bytes(file)
            .await
            .map_err(|e| refuse(format!("The file could not be read ({e}).")))?;
        let import = parse_export(&bytes).map_err(refuse)?;
        drop(bytes);
        let images = import
            .images
            .into_iter()
            .map(|i| Checked {
                hash: i.hash,
                mime: i.mime,
                from: Source::Bytes(i.bytes),
            })
            .collect();
        (import.conversations, images, Vec::new())
    };
    let existing = store.conversations().await.map_err(ImportError::Store)?;
    let (add, skipped) = plan_import(conversations, &existing, &mut random);
    let needed: std::collections::BTreeSet<String> = add
        .iter()
        .flat_map(|c| c.turns.iter().flat_map(|t| t.image_refs()))
        .collect();
    let prompts = if prompts.is_empty() {
        Vec::new()
    } else {
        let here = store.prompts().await.map_err(ImportError::Store)?;
        plan_prompts(prompts, &here, &mut random).0
    };
    // What an import stopped earlier left is taken back first: this one must
    // not count on an image that is about to go. (If that fails, the last
    // write's check still finds an image gone, and nothing is written.)
    let _ = take_back_unfinished(store).await;
    let mut stored = store.image_keys().await.map_err(ImportError::Store)?;
    let import = format!(
        "{}-{}",
        now_ms() as u64,
        (js_sys::Math::random() * 1e9) as u64
    );
    let _running = locks::try_hold(&import_lock(&import)).await;
    let mut written = Vec::new();
    let wrote = async {
        let mut batch = Vec::new();
        let mut size = 0;
        for img in images {
            if !needed.contains(&img.hash) || !stored.insert(img.hash.clone()) {
                continue;
            }
            let blob = match img.from {
                Source::Entry(entry, at) => read_again(file, &entry, at, &img.mime).await?,
                Source::Bytes(bytes) => hold(&bytes, &img.mime)?,
            };
            size += blob.size() as u64;
            batch.push(NewImage {
                hash: img.hash,
                mime: img.mime,
                blob,
            });
            if size >= batch_bytes {
                put_batch(store, &import, &mut batch, &mut written).await?;
                size = 0;
            }
            next_task().await;
        }
        put_batch(store, &import, &mut batch, &mut written).await?;
        store
            .import_conversations(&import, &add, &prompts, &Vec::from_iter(needed))
            .await
            .map_err(ImportError::Store)
    }
    .await;
    let added = match wrote {
        Ok(added) => added,
        Err(e) => {
            // Nothing of the import shows; the images it stored are taken
            // back (if that fails too, its note stays, and the next start
            // takes them back).
            if !written.is_empty() {
                let _ = store.take_back_import(&import).await;
            }
            return Err(e);
        }
    };
    Ok(Imported {
        skipped: skipped + (add.len() - added.len()),
        added: added.len(),
        ids: added,
        prompts: prompts.len(),
    })
}

fn import_lock(import: &str) -> String {
    format!("gemini-studio-import-{import}")
}

/// Takes back the images of imports that did not finish (the tab was closed,
/// or crashed, while one ran): those no conversation uses. An import still
/// running in another tab (it holds its lock) is left alone; where the
/// browser has no Web Locks, only an import that last wrote a day ago or more
/// is taken back.
pub async fn take_back_unfinished(store: &Store) -> Result<(), StoreError> {
    for u in store.unfinished_imports().await? {
        let _lock = match locks::try_hold(&import_lock(&u.import)).await {
            Attempt::Held(held) => Some(held),
            Attempt::Busy => continue,
            Attempt::Unsupported if now_ms() - u.written_ms < 86_400_000.0 => continue,
            Attempt::Unsupported => None,
        };
        store.take_back_import(&u.import).await?;
    }
    Ok(())
}

/// Stores the images of `batch` in one transaction, noting them in `written`
/// (and in the import's note, in the same transaction).
async fn put_batch(
    store: &Store,
    import: &str,
    batch: &mut Vec<NewImage>,
    written: &mut Vec<String>,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    // Noted before the write: a write that fails is aborted whole, and
    // deleting what is not there does nothing.
    written.extend(batch.iter().map(|i| i.hash.clone()));
    let result = store
        .put_images(import, batch, written)
        .await
        .map_err(ImportError::Store);
    batch.clear();
    result
}

/// The image of an archive entry checked before, read again to be stored: a
/// Blob of its own bytes (the CRC-32 and the type checked again: the file
/// must not have changed since).
async fn read_again(
    file: &Blob,
    entry: &zip::Entry,
    at: std::ops::Range<u64>,
    mime: &str,
) -> Result<Blob, ImportError> {
    let raw = read_range(file, at.start, at.end)
        .await
        .map_err(ImportError::Stopped)?;
    let bytes = entry
        .decode(&raw)
        .map_err(|e| ImportError::Stopped(e.to_string()))?;
    if !matches!(sniff(&bytes), Sniffed::Supported(m) if m.as_str() == mime) {
        return Err(ImportError::Stopped(format!(
            "{} is not what it was",
            entry.name
        )));
    }
    hold(&bytes, mime)
}

/// The bytes of an image to store as a Blob of their own: the browser holds
/// (and may page to disk) the Blob, and the bytes leave wasm memory.
fn hold(bytes: &[u8], mime: &str) -> Result<Blob, ImportError> {
    blob_from_bytes(bytes, mime).map_err(|_| {
        ImportError::Refused(
            "The browser could not hold an image of the file (it is short of memory): close other tabs and try again."
                .into(),
        )
    })
}

/// The conversations and images of an export archive, every image checked
/// (CRC-32, SHA-256, a PNG, JPEG or WebP by its bytes), read one at a time and
/// let go: they are read again to be stored.
async fn read_archive(
    file: &Blob,
    size: u64,
) -> Result<(Vec<ExportConversation>, Vec<Checked>, Vec<PromptRecord>), String> {
    let limits = zip::Limits {
        max_total_size: size
            .saturating_mul(zip::MAX_DEFLATE_RATIO)
            .min(MAX_ARCHIVE_BYTES * 4),
        ..zip::Limits::default()
    };
    let read = |start: u64, end: u64| async move {
        read_range(file, start, end)
            .await
            .map_err(|e| format!("The file could not be read ({e})."))
    };
    let tail = read(zip::tail_start(size), size).await?;
    let dir = zip::find_end(&tail, size, &limits).map_err(|e| e.to_string())?;
    let dir_bytes = read(dir.offset, dir.offset + dir.size).await?;
    let entries = zip::parse_directory(&dir_bytes, &dir, &limits).map_err(|e| e.to_string())?;
    let by_name: BTreeMap<&str, &zip::Entry> =
        entries.iter().map(|e| (e.name.as_str(), e)).collect();
    // Where an entry's data is: (start, end), after its local header.
    let locate = |entry: &zip::Entry| {
        let entry = entry.clone();
        async move {
            let header = read(
                entry.header_offset,
                entry.header_offset + entry.local_header_len() as u64,
            )
            .await?;
            let start = zip::data_offset(&header, &entry).map_err(|e| e.to_string())?;
            Ok::<_, String>((start, start + entry.compressed_size))
        }
    };
    let manifest_entry = by_name.get(MANIFEST).ok_or_else(|| {
        "This ZIP file is not a Gemini Studio export (it has no manifest.json).".to_owned()
    })?;
    let (start, end) = locate(manifest_entry).await?;
    let raw = read(start, end).await?;
    let manifest_bytes = manifest_entry.decode(&raw).map_err(|e| e.to_string())?;
    let m = parse_manifest(&manifest_bytes)?;
    drop(raw);
    let mut images = Vec::new();
    for img in &m.images {
        let entry = by_name.get(img.path.as_str()).ok_or_else(|| {
            format!(
                "This export is damaged: the image file {} is missing.",
                img.path
            )
        })?;
        if entry.size != img.size {
            return Err(format!(
                "This export is damaged: {} is not the size its manifest says.",
                img.path
            ));
        }
        let (start, end) = locate(entry).await?;
        let raw = read(start, end).await?;
        let bytes = entry.decode(&raw).map_err(|e| e.to_string())?;
        if digest::sha256_hex(&bytes).await != img.hash {
            return Err(format!(
                "This export is damaged: {} does not match its checksum.",
                img.path
            ));
        }
        match sniff(&bytes) {
            Sniffed::Supported(m) if m.as_str() == img.mime => {}
            _ => {
                return Err(format!(
                    "This export holds {} that is {}; only PNG, JPEG and WebP images are imported.",
                    img.path,
                    gemini::mime::describe(&bytes)
                ))
            }
        }
        drop(bytes);
        images.push(Checked {
            hash: img.hash.clone(),
            mime: img.mime.clone(),
            from: Source::Entry((*entry).clone(), start..end),
        });
        next_task().await;
    }
    Ok((m.conversations, images, m.prompts))
}
