//! The IndexedDB store in headless Chromium: a conversation with images round
//! trips byte for byte; version-1 data is migrated forward; a full disk leaves
//! what was stored intact.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use base64::Engine;
use gemini::wire::{Content, Part, Role};
use gemini::Settings;
use studio::browser::files::blob_bytes;
use studio::commands::archive::{export_archive, import_file};
use studio::commands::persistence::{key_images, stored_images};
use studio::model::stored::{conversation_record, restore_turn, turn_record};
use studio::model::{Answer, ConversationMeta, TurnData, Variant};
use studio::store::db::DB_VERSION;
use studio::store::records::{
    image_hash, ConversationRecord, DraftImage, DraftRecord, ImageBytes, TurnRecord, RECORD_VERSION,
};
use studio::store::{DraftSlot, Store, StoreError};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Bytes covering every value, different per seed.
fn image(seed: u8, len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    b
}

fn unique(name: &str) -> String {
    format!("test-{name}-{}", js_sys::Math::random())
}

fn conversation(id: &str) -> ConversationRecord {
    conversation_record(
        &ConversationMeta {
            id: id.into(),
            label: "Conversation 1".into(),
            created_ms: 1.0,
        },
        2.0,
    )
}

/// A turn as received: a reference image sent, a thought draft and the final
/// image with a signature.
fn turn(index: usize, seed: u8) -> TurnData<()> {
    let user = Content {
        role: Some(Role::User),
        parts: vec![
            Part::text(format!("prompt {index}")),
            Part::image("image/png", b64(&image(seed, 3000))),
        ],
    };
    let model = Content {
        role: Some(Role::Model),
        parts: vec![
            Part {
                thought: Some(true),
                ..Part::image("image/png", b64(&image(seed + 1, 2000)))
            },
            Part {
                thought_signature: Some(format!("sig-{index}")),
                ..Part::image("image/png", b64(&image(seed + 2, 70_001)))
            },
        ],
    };
    TurnData {
        prompt: format!("prompt {index}"),
        user,
        user_images: vec![()],
        settings: Settings::default(),
        variants: vec![Variant::Done(Arc::new(Answer {
            model,
            image: (),
            image_size: 70_009,
            mime_type: "image/png".into(),
            download_name: "a.png".into(),
            text: String::new(),
            thoughts: vec![],
            finish_reason: Some("STOP".into()),
            usage: None,
            model_version: Some("v".into()),
            grounding: None,
            elapsed_ms: 5.0,
        }))],
        created_ms: 10.0 + index as f64,
        region: None,
    }
}

/// The stored form of a turn, made as the app saves it (images hashed by
/// WebCrypto).
async fn stored(conv: &str, index: usize, t: &TurnData<()>) -> (TurnRecord, Vec<ImageBytes>) {
    key_images(turn_record(conv, index, t, 0, true)).await
}

/// The turns read back as the app opens a conversation.
async fn read_back(store: &Store, records: Vec<TurnRecord>) -> Vec<TurnData<String>> {
    let images = stored_images(store, &records).await.unwrap();
    let urls: std::collections::HashMap<_, _> = images
        .into_iter()
        .map(|(h, i)| {
            let i = studio::model::stored::StoredImage {
                base64: i.base64,
                size: i.size,
                shown: i.shown.as_str().to_owned(),
            };
            (h, i)
        })
        .collect();
    records
        .into_iter()
        .map(|r| restore_turn(r, &urls).unwrap().0)
        .collect()
}

fn model_of<I>(t: &TurnData<I>) -> &Content {
    &t.answer(0).unwrap().model
}

#[wasm_bindgen_test]
async fn a_conversation_with_images_round_trips_byte_for_byte() {
    let store = Store::open_with(&unique("roundtrip"), DB_VERSION)
        .await
        .unwrap();
    let (t0, t1) = (turn(0, 1), turn(1, 50));
    let (r0, i0) = stored("c1", 0, &t0).await;
    let (r1, i1) = stored("c1", 1, &t1).await;
    assert_eq!(i0[0].hash, image_hash(&image(1, 3000)), "WebCrypto keys");
    store
        .save_with(&conversation("c1"), std::slice::from_ref(&r0), &i0, false)
        .await
        .unwrap();
    let summary = store
        .save_with(&conversation("c1"), std::slice::from_ref(&r1), &i1, false)
        .await
        .unwrap();
    assert_eq!(summary.turn_count, 2);
    assert_eq!(summary.title, "prompt 0");
    assert_eq!(summary.thumb, Some(image_hash(&image(52, 70_001))));
    assert_eq!(summary.images.len(), 6);

    let list = store.conversations().await.unwrap();
    assert_eq!(list, vec![summary]);
    let turns = store.turns("c1").await.unwrap();
    assert_eq!(turns, vec![r0.clone(), r1.clone()]);
    let back = read_back(&store, turns.clone()).await;
    assert_eq!(back[0].user, t0.user);
    assert_eq!(back[1].user, t1.user);
    assert_eq!(model_of(&back[0]), model_of(&t0), "sent back byte for byte");
    assert_eq!(model_of(&back[1]), model_of(&t1));
    assert_eq!(back[1].answer(0).unwrap().image_size, 70_009);

    // The draft, with its image bytes.
    let draft = DraftRecord {
        prompt: "half-written".into(),
        attachments: vec![DraftImage {
            name: "ref.png".into(),
            mime: "image/png".into(),
            note: None,
        }],
        ..DraftRecord::default()
    };
    let blob = studio::browser::object_url::blob_from_bytes(&image(9, 1234), "image/png").unwrap();
    store.save_draft(&draft, &[blob]).await.unwrap();
    let (back, blobs) = store.draft().await.unwrap().unwrap();
    assert_eq!(back, draft);
    assert_eq!(blob_bytes(&blobs[0]).await.unwrap(), image(9, 1234));
    // What a request in flight sent is kept apart from the composer's draft.
    let sent = DraftRecord {
        prompt: "sent".into(),
        settings: Some(Settings::default()),
        conversation: Some("c1".into()),
        sent_ms: Some(5.0),
        ..DraftRecord::default()
    };
    store
        .save_draft_in(DraftSlot::InFlight, &sent, &[])
        .await
        .unwrap();
    assert_eq!(store.draft().await.unwrap().unwrap().0, draft);
    assert_eq!(
        store
            .draft_in(DraftSlot::InFlight)
            .await
            .unwrap()
            .unwrap()
            .0,
        sent
    );
    store.delete_draft(DraftSlot::InFlight).await.unwrap();
    assert_eq!(store.draft_in(DraftSlot::InFlight).await.unwrap(), None);

    // Export (a ZIP made in pieces) then import into another database: the
    // same records and bytes.
    let archive = export_archive(&store, None).await.unwrap();
    let other = Store::open_with(&unique("import"), DB_VERSION)
        .await
        .unwrap();
    let random = || 1;
    let Ok(done) = import_file(&other, &archive, random).await else {
        panic!("the export imports");
    };
    assert_eq!((done.added, done.skipped), (1, 0));
    let Ok(again) = import_file(&other, &archive, random).await else {
        panic!("the export imports again");
    };
    assert_eq!((again.added, again.skipped), (0, 1), "no duplicates");
    assert_eq!(other.turns("c1").await.unwrap(), turns);
    assert_eq!(
        read_back(&other, turns.clone()).await[1].user,
        t1.user,
        "imported images are byte-identical"
    );

    // Deleting frees the conversation's images.
    store.delete(&["c1".into()]).await.unwrap();
    assert!(store.conversations().await.unwrap().is_empty());
    assert!(store.turns("c1").await.unwrap().is_empty());
    assert!(store.images(&list_hashes(&i0)).await.unwrap().is_empty());
}

fn list_hashes(images: &[studio::store::records::ImageBytes]) -> Vec<String> {
    images.iter().map(|i| i.hash.clone()).collect()
}

/// Puts `guard` (JS run as the first statement of `IDBObjectStore.prototype`'s
/// `method`, with `this` the store; it may throw or return instead) in front
/// of the browser's own method, until [`restore_idb`].
fn patch_idb(method: &str, guard: &str) {
    js_sys::Function::new_with_args(
        "method, guard",
        r#"
        const proto = IDBObjectStore.prototype;
        globalThis.__real = globalThis.__real ?? {};
        const real = (globalThis.__real[method] = globalThis.__real[method] ?? proto[method]);
        const before = new Function("state", guard);
        const state = { n: 0 };
        proto[method] = function (...args) {
          const instead = before.call(this, state);
          return instead === undefined ? real.apply(this, args) : instead;
        };
        "#,
    )
    .call2(&JsValue::NULL, &method.into(), &guard.into())
    .unwrap();
}

/// The browser's own IndexedDB methods again.
fn restore_idb() {
    js_sys::Function::new_no_args(
        "for (const [m, f] of Object.entries(globalThis.__real ?? {})) IDBObjectStore.prototype[m] = f; globalThis.__real = {};",
    )
    .call0(&JsValue::NULL)
    .unwrap();
}

#[wasm_bindgen_test]
async fn version_1_data_is_migrated_forward_without_loss() {
    let name = unique("migrate");
    // Version 1: no drafts store; conversation records without a summary.
    let v1 = Store::open_with(&name, 1).await.unwrap();
    let t0 = turn(0, 7);
    let (r0, i0) = stored("old", 0, &t0).await;
    v1.save_with(&conversation("old"), std::slice::from_ref(&r0), &i0, false)
        .await
        .unwrap();
    assert!(
        v1.save_draft(&DraftRecord::default(), &[]).await.is_err(),
        "no drafts in v1"
    );
    v1.close();
    // Rewrite the conversation record as version 1 wrote it.
    let factory = idb::Factory::new().unwrap();
    let db = factory.open(&name, None).unwrap().await.unwrap();
    let tx = db
        .transaction(&["conversations"], idb::TransactionMode::ReadWrite)
        .unwrap();
    let old = js_sys::JSON::parse(
        r#"{"id":"old","label":"Conversation 1","title":"","createdMs":0,"updatedMs":3,"model":"gemini-3.1-flash-image-preview"}"#,
    )
    .unwrap();
    tx.object_store("conversations")
        .unwrap()
        .put(&old, None)
        .unwrap()
        .await
        .unwrap();
    tx.await.unwrap();
    db.close();

    let v2 = Store::open_with(&name, 2).await.unwrap();
    let list = v2.conversations().await.unwrap();
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(c.v, RECORD_VERSION);
    assert_eq!(c.turn_count, 1);
    assert_eq!(c.title, "prompt 0");
    assert_eq!(c.created_ms, 10.0);
    assert_eq!(c.thumb, Some(image_hash(&image(9, 70_001))));
    assert_eq!(c.images.len(), 3);
    let turns = v2.turns("old").await.unwrap();
    assert_eq!(turns, vec![r0]);
    assert_eq!(read_back(&v2, turns).await[0].user, t0.user);
    v2.save_draft(&DraftRecord::default(), &[]).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_full_disk_refuses_the_write_and_keeps_what_was_stored() {
    let store = Store::open_with(&unique("quota"), DB_VERSION)
        .await
        .unwrap();
    let (r0, i0) = stored("kept", 0, &turn(0, 3)).await;
    store
        .save_with(&conversation("kept"), std::slice::from_ref(&r0), &i0, false)
        .await
        .unwrap();
    let before = store.conversations().await.unwrap();

    // Every put of an image now fails as a full disk does.
    patch_idb(
        "put",
        r#"if (this.name === "images") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");"#,
    );
    let (r1, i1) = stored("kept", 1, &turn(1, 90)).await;
    let (r2, i2) = stored("new", 0, &turn(0, 120)).await;
    let e1 = store
        .save_with(&conversation("kept"), &[r1], &i1, false)
        .await;
    let e2 = store
        .save_with(&conversation("new"), &[r2], &i2, false)
        .await;
    restore_idb();
    assert_eq!(e1, Err(StoreError::Quota));
    assert_eq!(e2, Err(StoreError::Quota));

    // Nothing half-written, nothing lost.
    assert_eq!(store.conversations().await.unwrap(), before);
    assert_eq!(store.turns("kept").await.unwrap(), vec![r0]);
    assert!(store.turns("new").await.unwrap().is_empty());
    assert_eq!(store.images(&list_hashes(&i0)).await.unwrap().len(), 3);
    assert!(store.images(&list_hashes(&i1)).await.unwrap().is_empty());
}

/// An import writes its images before its conversations (a few per
/// transaction: see `import_file`); when the last write fails, or an image is
/// gone by then, nothing of it shows and what was here stays.
#[wasm_bindgen_test]
async fn an_import_that_fails_takes_back_the_images_it_wrote() {
    let from = Store::open_with(&unique("export"), DB_VERSION)
        .await
        .unwrap();
    let (r0, i0) = stored("c1", 0, &turn(0, 7)).await;
    let (r1, i1) = stored("c1", 1, &turn(1, 8)).await;
    from.save_with(
        &conversation("c1"),
        &[r0, r1],
        &[i0, i1.clone()].concat(),
        false,
    )
    .await
    .unwrap();
    let archive = export_archive(&from, None).await.unwrap();

    // Here already: a conversation with turn 1's images.
    let here = Store::open_with(&unique("failing-import"), DB_VERSION)
        .await
        .unwrap();
    let (k1, _) = stored("kept", 0, &turn(1, 8)).await;
    here.save_with(&conversation("kept"), &[k1], &i1, false)
        .await
        .unwrap();
    let before = here.image_keys().await.unwrap();
    assert_eq!(before.len(), 3);

    patch_idb(
        "put",
        r#"if (this.name === "conversations") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");"#,
    );
    let failed = import_file(&here, &archive, || 1).await;
    restore_idb();
    assert!(matches!(
        failed,
        Err(studio::commands::archive::ImportError::Store(
            StoreError::Quota
        ))
    ));
    assert_eq!(
        here.image_keys().await.unwrap(),
        before,
        "turn 0's images are taken back, turn 1's kept"
    );
    assert_eq!(here.conversations().await.unwrap().len(), 1);
    assert!(here.turns("c1").await.unwrap().is_empty());

    // An image that is gone by the last write (another tab deleted it; here
    // every image write is made to store nothing): nothing is written.
    patch_idb("put", r#"if (this.name === "images") return this.count();"#);
    let failed = import_file(&here, &archive, || 1).await;
    restore_idb();
    assert!(matches!(
        failed,
        Err(studio::commands::archive::ImportError::Store(
            StoreError::Missing(_)
        ))
    ));
    assert_eq!(here.image_keys().await.unwrap(), before);
    assert_eq!(here.conversations().await.unwrap().len(), 1);

    // Once there is room, the same file imports whole.
    assert!(import_file(&here, &archive, || 1).await.is_ok());
    assert_eq!(here.turns("c1").await.unwrap().len(), 2);
    assert_eq!(here.image_keys().await.unwrap().len(), 6);
}

/// Blobs the page has let go must not hold the browser's blob memory: stored
/// one after another, 640 MiB of images (a long session of 4K images) are
/// all saved. (Made straight from wasm memory, the Blobs kept their bytes
/// until a garbage collection that a page making little JS garbage never
/// triggered, and Chromium refused writes with `DataError` after ~500 MB.)
#[wasm_bindgen_test]
async fn images_stored_one_after_another_never_fill_the_browsers_blob_memory() {
    let name = unique("many");
    let store = Store::open_with(&name, DB_VERSION).await.unwrap();
    let mut bytes = image(0, 10 << 20);
    let mut saved = Ok(());
    for i in 0..64u32 {
        bytes[8..12].copy_from_slice(&i.to_le_bytes());
        let img = ImageBytes {
            hash: image_hash(&bytes),
            mime: "image/png".into(),
            bytes: bytes.clone(),
        };
        if let Err(e) = store
            .save_with(&conversation("many"), &[], &[img], false)
            .await
        {
            saved = Err(format!("image {i} was not saved: {e}"));
            break;
        }
    }
    let count = store.image_keys().await.map(|k| k.len());
    store.close();
    // Deleted whatever happened: 640 MiB stay in no profile.
    js_sys::Function::new_with_args("name", "indexedDB.deleteDatabase(name)")
        .call1(&JsValue::NULL, &name.into())
        .unwrap();
    assert_eq!(saved, Ok(()));
    assert_eq!(count, Ok(64));
}

/// An import writes its images in transactions of about a batch's size, each
/// with a note of what it wrote so far: a failure after some of them took
/// effect takes all of them back; an import stopped midway (its tab closed)
/// leaves its note, and the next start takes back the images no
/// conversation uses, unless the import still runs in another tab (it holds
/// its lock).
#[wasm_bindgen_test]
async fn images_of_an_import_stopped_midway_are_taken_back() {
    use studio::browser::locks::{try_hold, Attempt};
    use studio::browser::object_url::blob_from_bytes;
    use studio::commands::archive::{import_in_batches, take_back_unfinished, ImportError};
    use studio::store::db::NewImage;

    let from = Store::open_with(&unique("export-batches"), DB_VERSION)
        .await
        .unwrap();
    let (r0, i0) = stored("c1", 0, &turn(0, 21)).await;
    let (r1, i1) = stored("c1", 1, &turn(1, 22)).await;
    let images = [i0, i1].concat();
    from.save_with(&conversation("c1"), &[r0, r1], &images, false)
        .await
        .unwrap();
    let archive = export_archive(&from, None).await.unwrap();

    // One image per transaction; the third write fails as a full disk does,
    // and taking back the two written fails too (a delete refused): both
    // stay, listed in the import's note.
    let here = Store::open_with(&unique("batches"), DB_VERSION)
        .await
        .unwrap();
    patch_idb(
        "put",
        r#"if (this.name === "images" && ++state.n === 3) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");"#,
    );
    patch_idb(
        "delete",
        r#"if (this.name === "images") throw new DOMException("Refused.", "UnknownError");"#,
    );
    let failed = import_in_batches(&here, &archive, || 1, 1).await;
    restore_idb();
    assert!(matches!(failed, Err(ImportError::Store(StoreError::Quota))));
    let noted = here.unfinished_imports().await.unwrap();
    assert_eq!(noted.len(), 1, "the note stays when taking back fails");
    assert_eq!(
        noted[0].hashes.len(),
        2,
        "two one-image batches took effect"
    );
    assert_eq!(here.image_keys().await.unwrap().len(), 2);
    // The next start takes them back.
    take_back_unfinished(&here).await.unwrap();
    assert!(here.image_keys().await.unwrap().is_empty());
    assert!(here.unfinished_imports().await.unwrap().is_empty());

    // Stopped midway: images written with their note, no conversation yet.
    // One of them is used by a conversation here (saved meanwhile).
    let blob = |i: &ImageBytes| NewImage {
        hash: i.hash.clone(),
        mime: i.mime.clone(),
        blob: blob_from_bytes(&i.bytes, &i.mime).unwrap(),
    };
    let (k0, used) = stored("kept", 0, &turn(0, 23)).await;
    here.save_with(&conversation("kept"), &[k0], &used, false)
        .await
        .unwrap();
    let written: Vec<String> = images.iter().chain(&used).map(|i| i.hash.clone()).collect();
    let new: Vec<NewImage> = images.iter().chain(&used).map(blob).collect();
    here.put_images("stopped", &new, &written).await.unwrap();
    // Another import, still running (in another tab: it holds its lock), has
    // written an image of its own and one "stopped" wrote too.
    let own = image(99, 500);
    let own = ImageBytes {
        hash: image_hash(&own),
        mime: "image/png".into(),
        bytes: own,
    };
    let running_wrote = vec![own.hash.clone(), written[0].clone()];
    here.put_images("running", &[blob(&own), blob(&images[0])], &running_wrote)
        .await
        .unwrap();
    let Attempt::Held(running) = try_hold("gemini-studio-import-running").await else {
        panic!("Web Locks work here");
    };
    take_back_unfinished(&here).await.unwrap();
    let left = here.unfinished_imports().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].import, "running");
    let mut expected: std::collections::BTreeSet<String> =
        used.iter().map(|i| i.hash.clone()).collect();
    expected.extend(running_wrote.iter().cloned());
    assert_eq!(
        here.image_keys().await.unwrap(),
        expected,
        "the images a conversation uses stay, and those of the import still running"
    );
    drop(running);
    take_back_unfinished(&here).await.unwrap();
    assert!(here.unfinished_imports().await.unwrap().is_empty());
    assert_eq!(
        here.image_keys().await.unwrap(),
        used.iter().map(|i| i.hash.clone()).collect()
    );

    // And the file imports whole afterwards.
    let Ok(done) = import_in_batches(&here, &archive, || 1, 1).await else {
        panic!("the export imports");
    };
    assert_eq!(done.added, 1);
    assert_eq!(here.turns("c1").await.unwrap().len(), 2);
    assert!(here.unfinished_imports().await.unwrap().is_empty());
}

/// A write whose caller stops waiting (Cancel drops the generation's future
/// while the in-flight composer is being kept) is aborted whole, and the
/// browser calls nothing of it afterwards: no "closure invoked after being
/// dropped" thrown in the page.
#[wasm_bindgen_test]
async fn a_write_dropped_midway_is_aborted_whole_and_throws_nothing() {
    use futures::FutureExt;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let store = Store::open_with(&unique("dropped"), DB_VERSION)
        .await
        .unwrap();
    // An exception in an event handler is reported on the window, and so is
    // a promise rejected with nobody waiting for it.
    let window = web_sys::window().unwrap();
    let errors = js_sys::Array::new();
    let seen = errors.clone();
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
        let what = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .filter(|m| !m.is_undefined())
            .unwrap_or_else(|| e.type_().into());
        seen.push(&what);
    });
    for name in ["error", "unhandledrejection"] {
        window
            .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
            .unwrap();
    }

    let draft = DraftRecord {
        prompt: "sent, then cancelled".into(),
        ..DraftRecord::default()
    };
    let mut write = Box::pin(store.save_draft_in(DraftSlot::InFlight, &draft, &[]));
    // One step issues the put; then the caller goes away.
    assert!(write.as_mut().now_or_never().is_none());
    drop(write);
    // A read waits for the write before it to end (aborted or committed):
    // once it answers, the write's events have fired; one more task lets an
    // unhandled rejection be reported.
    let left = store.draft_in(DraftSlot::InFlight).await.unwrap();
    studio::browser::next_task().await;
    for name in ["error", "unhandledrejection"] {
        window
            .remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
            .unwrap();
    }

    assert_eq!(errors.to_vec(), Vec::<JsValue>::new(), "nothing thrown");
    assert_eq!(left, None, "nothing of the dropped write was kept");
    // The store goes on working.
    store
        .save_draft_in(DraftSlot::InFlight, &draft, &[])
        .await
        .unwrap();
    let kept = store.draft_in(DraftSlot::InFlight).await.unwrap();
    assert_eq!(kept.map(|(d, _)| d), Some(draft));
}
