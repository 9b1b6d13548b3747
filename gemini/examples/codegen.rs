//! Writes "Get code" programs for real studio requests, for `e2e/codegen/` to run.
//!
//! ```sh
//! cargo run -p gemini --example codegen -- --mock http://127.0.0.1:PORT --out DIR
//! cargo run -p gemini --example codegen -- --simple --base http://127.0.0.1:PORT --out DIR
//! ```
//!
//! With `--mock`, it talks to the local API server (`gemini-mock`) to get real
//! answers (thought text, draft images, signatures) and writes four folders under
//! `DIR`, each with the three programs, their image files, `request.json` (the body
//! the studio sends, byte for byte) and `case.json` (the key header, and the text and
//! final image the server answers to that body):
//!
//! - `first-files`, `first-inline`: a first turn with two reference images (a PNG and
//!   a JPEG), every image option, thinking, thoughts, Google Search, and a prompt full
//!   of characters each language must escape; key in `x-goog-api-key`.
//! - `third-files`, `third-inline`: the third turn of a conversation with thoughts
//!   on (model turns with thought text, draft images and signatures; the first
//!   answer's image used again as a reference); key as `Authorization: Bearer`.
//!
//! With `--simple`, it writes one folder `simple` with programs for a text-only
//! request to `--base`, for testing how the programs read answers.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine as _;
use gemini::codegen::{self, Images, KeyHeader, Target};
use gemini::models::{AspectRatio, ImageSize, ThinkingLevel};
use gemini::request::{self, user_content, RequestBody, Settings};
use gemini::response::interpret;
use gemini::wire::{Content, Part};
use gemini::Generation;

const KEY: &str = "codegen-example-key";

/// A prompt with everything a string literal or a shell word can get wrong.
pub const NASTY_PROMPT: &str =
    "Draw \"it's\" a \\ backslash, $HOME, `whoami` and $(echo hi); '; rm -rf ~; ' \
— naïve café 🎨 中文\nsecond line\ttab \u{202E}reversed\u{202C} %s %d ${x} \\n \\u0041 end";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "codegen example: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let value = |name: &str| -> Option<String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let out = PathBuf::from(value("--out").ok_or("--out DIR is needed")?);
    if args.iter().any(|a| a == "--simple") {
        let base = value("--base").ok_or("--base URL is needed")?;
        let settings = Settings::default();
        let next = user_content("A red circle", []);
        let body = request::build(&settings, [], &next).map_err(|e| e.to_string())?;
        return write_case(
            &out.join("simple"),
            &body,
            &base,
            &settings.model,
            KeyHeader::GoogApiKey,
            Images::Files,
            None,
        );
    }
    let mock = value("--mock").ok_or("--mock URL is needed")?;

    // Two reference images from the server itself: a PNG and a JPEG (Pro answers JPEG).
    let png = generate(
        &mock,
        &Settings::default(),
        &[],
        &user_content("A small green square", []),
    )?;
    let pro = Settings {
        model: "gemini-3-pro-image-preview".into(),
        ..Settings::default()
    };
    let jpeg = generate(&mock, &pro, &[], &user_content("A small blue triangle", []))?;

    // (a) A first turn with two reference images and every option.
    let first = Settings {
        model: "gemini-3.1-flash-image-preview".into(),
        image_only: false,
        aspect_ratio: Some(AspectRatio::R1x8),
        image_size: Some(ImageSize::Px512),
        thinking_level: Some(ThinkingLevel::High),
        include_thoughts: true,
        google_search: true,
    };
    let next = user_content(NASTY_PROMPT, [final_part(&png), final_part(&jpeg)]);
    let body = request::build(&first, [], &next).map_err(|e| e.to_string())?;
    let expected = generate_body(&mock, &first.model, &body)?;
    for (name, images) in [
        ("first-files", Images::Files),
        (
            "first-inline",
            Images::Inline {
                max_base64: usize::MAX,
            },
        ),
    ] {
        write_case(
            &out.join(name),
            &body,
            &mock,
            &first.model,
            KeyHeader::GoogApiKey,
            images,
            Some(&expected),
        )?;
    }

    // (b) The third turn of a conversation with thoughts on (Pro: JPEG answers).
    let third = Settings {
        include_thoughts: true,
        aspect_ratio: Some(AspectRatio::R16x9),
        image_size: Some(ImageSize::K1),
        ..pro.clone()
    };
    // The conversation so far: each user turn and the model's answer as received.
    let mut conversation: Vec<Content> = Vec::new();
    let turn1 = user_content("A lighthouse on a cliff at dusk", []);
    let answer1 = generate(&mock, &third, &conversation, &turn1)?;
    conversation.extend([turn1, answer1.content.clone()]);
    let turn2 = user_content(
        "Make the sea stormy, keep the lighthouse",
        [final_part(&answer1)],
    );
    let answer2 = generate(&mock, &third, &conversation, &turn2)?;
    conversation.extend([turn2, answer2.content.clone()]);
    let turn3 = user_content("Add a ship named \"Ærø\" with a flag reading 'ok' \\o/", []);
    let body = request::build(&third, conversation.iter(), &turn3).map_err(|e| e.to_string())?;
    let expected = generate_body(&mock, &third.model, &body)?;
    for (name, images) in [
        ("third-files", Images::Files),
        (
            "third-inline",
            Images::Inline {
                max_base64: usize::MAX,
            },
        ),
    ] {
        write_case(
            &out.join(name),
            &body,
            &mock,
            &third.model,
            KeyHeader::Bearer,
            images,
            Some(&expected),
        )?;
    }
    Ok(())
}

/// The final image of an answer as a part of a new user turn (shared, not copied).
fn final_part(g: &Generation) -> Part {
    match g
        .content
        .parts
        .get(g.final_index)
        .and_then(|p| p.inline_data.as_ref())
    {
        Some(d) => Part::image_shared(d.mime_type.clone(), d.data.clone()),
        None => Part::text(""),
    }
}

fn generate(
    mock: &str,
    settings: &Settings,
    conversation: &[Content],
    next: &Content,
) -> Result<Generation, String> {
    let body = request::build(settings, conversation.iter(), next).map_err(|e| e.to_string())?;
    generate_body(mock, &settings.model, &body)
}

fn generate_body(mock: &str, model: &str, body: &RequestBody<'_>) -> Result<Generation, String> {
    let url = request::endpoint(mock, model).map_err(|e| e.to_string())?;
    let (status, answer) = post(&url, &body.to_json())?;
    interpret(status, &answer).map_err(|f| format!("{:?}", f.message()))
}

fn write_case(
    dir: &Path,
    body: &RequestBody<'_>,
    base: &str,
    model: &str,
    key_header: KeyHeader,
    images: Images,
    expected: Option<&Generation>,
) -> Result<(), String> {
    let target = Target {
        base,
        model,
        key_header,
    };
    let code = codegen::generate(body, &target, images).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    for p in code.programs() {
        write(p.name, p.text.as_bytes())?;
    }
    for f in &code.files {
        let bytes = f.bytes().map_err(|e| e.to_string())?;
        write(&f.name, &bytes)?;
    }
    write("request.json", &body.to_json())?;
    let case = serde_json::json!({
        "model": model,
        "keyHeader": match key_header {
            KeyHeader::GoogApiKey => "x-goog-api-key",
            KeyHeader::Bearer => "authorization",
        },
        "key": KEY,
        "inline": code.inline,
        "files": code.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
        "expected": expected.map(|g| serde_json::json!({
            "text": g.content.parts.iter()
                .filter(|p| !p.is_thought())
                .filter_map(|p| p.text.clone())
                .collect::<Vec<_>>(),
            "image": format!("result.{}", g.extension()),
            "imageBase64": base64::engine::general_purpose::STANDARD.encode(&g.image),
        })),
    });
    write("case.json", case.to_string().as_bytes())
}

/// A POST over plain HTTP/1.1 to the local server; returns the status and body.
fn post(url: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// URL: {url}"))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host).map_err(|e| format!("{host}: {e}"))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         x-goog-api-key: {KEY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers in the answer")?;
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status in the answer")?;
    let payload = answer[split + 4..].to_vec();
    let payload = if head.contains("transfer-encoding: chunked") {
        dechunk(&payload)?
    } else {
        payload
    };
    Ok((status, payload))
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("bad chunk size: {e}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).ok_or("short chunk")?);
        data = data.get(size + 2..).ok_or("short chunk")?;
    }
}
