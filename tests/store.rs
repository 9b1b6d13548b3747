//! The IndexedDB store in headless Chromium: a conversation with images round
//! trips byte for byte; version-1 data is migrated forward; a full disk leaves
//! what was stored intact.
#![cfg(target_arch = "wasm32")]

use base64::Engine;
use gemini::wire::{Content, Part, Role};
use gemini::Settings;
use studio::store::db::{blob_bytes, Store, StoreError};
use studio::store::records::{
    extract_images, image_hash, restore_images, ConversationRecord, DraftImage, DraftRecord,
    TurnRecord, VariantRecord, RECORD_VERSION,
};
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
    ConversationRecord {
        id: id.into(),
        label: "Conversation 1".into(),
        title: String::new(),
        created_ms: 1.0,
        updated_ms: 2.0,
        model: String::new(),
        turn_count: 0,
        thumb: None,
        images: vec![],
        v: RECORD_VERSION,
    }
}

/// A turn as received: a reference image sent, a thought draft and the final
/// image with a signature; plus its stored form.
fn turn(
    conv: &str,
    index: usize,
    seed: u8,
) -> (
    Content,
    Content,
    TurnRecord,
    Vec<studio::store::records::ImageBytes>,
) {
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
    let (mut u, mut m) = (user.clone(), model.clone());
    let mut images = extract_images(&mut u);
    images.extend(extract_images(&mut m));
    let record = TurnRecord {
        id: format!("{conv}/{index}/1"),
        conversation_id: conv.into(),
        index,
        created_ms: 10.0 + index as f64,
        prompt: format!("prompt {index}"),
        settings: Settings::default(),
        user: u,
        variants: vec![VariantRecord::Done {
            model: m,
            usage: None,
            finish_reason: Some("STOP".into()),
            model_version: Some("v".into()),
            grounding: None,
            elapsed_ms: 5.0,
            download_name: "a.png".into(),
        }],
        chosen: 0,
    };
    (user, model, record, images)
}

async fn restored(store: &Store, mut c: Content) -> Content {
    let hashes: Vec<String> = studio::store::records::image_refs(&c)
        .map(str::to_owned)
        .collect();
    let mut map = std::collections::HashMap::new();
    for (h, blob) in store.images(&hashes).await.unwrap() {
        map.insert(h, b64(&blob_bytes(&blob).await.unwrap()));
    }
    restore_images(&mut c, &|h| map.get(h).cloned().map(std::sync::Arc::new)).unwrap();
    c
}

#[wasm_bindgen_test]
async fn a_conversation_with_images_round_trips_byte_for_byte() {
    let store = Store::open_with(&unique("roundtrip"), 2).await.unwrap();
    let (user0, model0, r0, i0) = turn("c1", 0, 1);
    let (user1, model1, r1, i1) = turn("c1", 1, 50);
    store
        .save(&conversation("c1"), std::slice::from_ref(&r0), &i0)
        .await
        .unwrap();
    let summary = store
        .save(&conversation("c1"), std::slice::from_ref(&r1), &i1)
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
    assert_eq!(restored(&store, turns[0].user.clone()).await, user0);
    assert_eq!(restored(&store, turns[1].user.clone()).await, user1);
    let VariantRecord::Done { model, .. } = &turns[1].variants[0] else {
        panic!("a done variant");
    };
    assert_eq!(restored(&store, model.clone()).await, model1);
    let VariantRecord::Done { model, .. } = &turns[0].variants[0] else {
        panic!("a done variant");
    };
    assert_eq!(restored(&store, model.clone()).await, model0);

    // The draft, with its image bytes.
    let draft = DraftRecord {
        prompt: "half-written".into(),
        attachments: vec![DraftImage {
            name: "ref.png".into(),
            mime: "image/png".into(),
            note: None,
        }],
    };
    let blob = studio::browser::object_url::blob_from_bytes(&image(9, 1234), "image/png").unwrap();
    store.save_draft(&draft, &[blob]).await.unwrap();
    let (back, blobs) = store.draft().await.unwrap().unwrap();
    assert_eq!(back, draft);
    assert_eq!(blob_bytes(&blobs[0]).await.unwrap(), image(9, 1234));

    // Export then import into another database: the same records and bytes.
    let file = store.export(None).await.unwrap();
    let json = serde_json::to_vec(&file).unwrap();
    let import = studio::store::records::parse_export(&json).unwrap();
    let other = Store::open_with(&unique("import"), 2).await.unwrap();
    assert_eq!(other.import(&import).await.unwrap(), 1);
    assert_eq!(other.import(&import).await.unwrap(), 0, "no duplicates");
    assert_eq!(other.turns("c1").await.unwrap(), turns);
    assert_eq!(
        restored(&other, turns[1].user.clone()).await,
        user1,
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

#[wasm_bindgen_test]
async fn version_1_data_is_migrated_forward_without_loss() {
    let name = unique("migrate");
    // Version 1: no drafts store; conversation records without a summary.
    let v1 = Store::open_with(&name, 1).await.unwrap();
    let (user0, _, r0, i0) = turn("old", 0, 7);
    v1.save(&conversation("old"), std::slice::from_ref(&r0), &i0)
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
    assert_eq!(restored(&v2, turns[0].user.clone()).await, user0);
    v2.save_draft(&DraftRecord::default(), &[]).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_full_disk_refuses_the_write_and_keeps_what_was_stored() {
    let store = Store::open_with(&unique("quota"), 2).await.unwrap();
    let (_, _, r0, i0) = turn("kept", 0, 3);
    store
        .save(&conversation("kept"), std::slice::from_ref(&r0), &i0)
        .await
        .unwrap();
    let before = store.conversations().await.unwrap();

    // Every put of an image now fails as a full disk does.
    let patch = js_sys::Function::new_no_args(
        r#"
        const proto = IDBObjectStore.prototype;
        globalThis.__realPut = proto.put;
        proto.put = function (value, key) {
          if (this.name === "images") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
          return globalThis.__realPut.call(this, value, key);
        };
        "#,
    );
    patch.call0(&JsValue::NULL).unwrap();
    let (_, _, r1, i1) = turn("kept", 1, 90);
    let (_, _, r2, i2) = turn("new", 0, 120);
    let e1 = store.save(&conversation("kept"), &[r1], &i1).await;
    let e2 = store.save(&conversation("new"), &[r2], &i2).await;
    js_sys::Function::new_no_args("IDBObjectStore.prototype.put = globalThis.__realPut;")
        .call0(&JsValue::NULL)
        .unwrap();
    assert_eq!(e1, Err(StoreError::Quota));
    assert_eq!(e2, Err(StoreError::Quota));

    // Nothing half-written, nothing lost.
    assert_eq!(store.conversations().await.unwrap(), before);
    assert_eq!(store.turns("kept").await.unwrap(), vec![r0]);
    assert!(store.turns("new").await.unwrap().is_empty());
    assert_eq!(store.images(&list_hashes(&i0)).await.unwrap().len(), 3);
    assert!(store.images(&list_hashes(&i1)).await.unwrap().is_empty());
}
