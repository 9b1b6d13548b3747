//! The binary: first stdout line, flags, and a request over a real socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn binary_prints_its_address_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gemini-mock"))
        .args(["--port", "0", "--image-scale", "32", "--require-key"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let result = std::panic::catch_unwind(|| {
        let addr = line
            .trim_end()
            .strip_prefix("gemini-mock listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("first line: {line:?}"));
        let port: u16 = addr.parse().unwrap();
        assert!(port > 0);
        let addr = format!("127.0.0.1:{port}");
        let health = http(
            &addr,
            "GET /__mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
        assert!(health.ends_with("ok"));
        let body = r#"{"contents":[{"parts":[{"text":"a cat"}]}]}"#;
        let path = "/v1beta/models/gemini-3.1-flash-image-preview:generateContent";
        let no_key = http(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            ),
        );
        assert!(no_key.starts_with("HTTP/1.1 403"), "{no_key}");
        let answer = http(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-goog-api-key: secret-key-123\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            ),
        );
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{}",
            &answer[..200.min(answer.len())]
        );
        assert!(answer.contains("\"inlineData\""));
        // [[echo-key]] repeats the key to the caller, never to the log
        let body = r#"{"contents":[{"parts":[{"text":"a cat [[echo-key]]"}]}]}"#;
        let echoed = http(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-goog-api-key: secret-key-123\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            ),
        );
        assert!(echoed.starts_with("HTTP/1.1 400"), "{echoed}");
        assert!(echoed.contains("secret-key-123"), "{echoed}");
        // [[drop]]: not a byte
        let body = r#"{"contents":[{"parts":[{"text":"a cat [[drop]]"}]}]}"#;
        let dropped = http(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-goog-api-key: k\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            ),
        );
        assert_eq!(dropped, "");
    });
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
    // one log line per request, with the model, never the key
    assert!(stderr.contains("GET /__mock/health -> 200"), "{stderr}");
    assert!(
        stderr.contains("-> 403 model=gemini-3.1-flash-image-preview"),
        "{stderr}"
    );
    assert!(
        stderr.contains("-> 200 model=gemini-3.1-flash-image-preview"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret-key-123"), "{stderr}");
    assert!(!stderr.contains("secret-key-1"), "{stderr}");
    assert!(
        stderr.contains("-> 400 model=gemini-3.1-flash-image-preview"),
        "{stderr}"
    );
    assert!(
        stderr.contains("-> dropped model=gemini-3.1-flash-image-preview"),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["--port", "nope"][..],
        &["--image-scale", "0"],
        &["--frobnicate"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_gemini-mock"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}
