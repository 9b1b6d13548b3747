// How the "Get code" programs read answers: the text they print, the image they
// keep (the last image part that is not a thought), what they say when there is
// none or the API refuses. A server here answers what each test sets, written as
// Google writes it (pretty-printed, \u escapes, "\/") or worse.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureVenv, runPrograms, writePrograms } from "./run.js";

const KEY = "answers-test-key";

describe("programs reading answers", () => {
  let server;
  let url;
  let dir;
  let python;
  let answer = { status: 200, body: "{}" };
  const received = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/__mock/requests") {
          if (req.method === "DELETE") received.length = 0;
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify(received));
          return;
        }
        received.push({
          path: req.url,
          apiKey: req.headers["x-goog-api-key"] ?? null,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
          status: answer.status,
        });
        res.writeHead(answer.status, { "content-type": "application/json; charset=UTF-8" });
        res.end(answer.body);
      });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${server.address().port}`;
    const out = mkdtempSync(join(tmpdir(), "codegen-answers-"));
    writePrograms(["--simple", "--base", url, "--out", out]);
    dir = join(out, "simple");
    python = ensureVenv();
  });
  after(() => {
    server?.close();
    if (dir) rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  const run = (only) => runPrograms(dir, { apiUrl: url, key: KEY, python, only });

  test("text in order, the last image that is not a thought, as Google pretty-prints it", async () => {
    const draft = randomBytes(300);
    const final = randomBytes(5000);
    const later = randomBytes(200);
    const b64 = (b) => b.toString("base64");
    const parts = [
      // `thought` after the text, and after the image: order of keys must not matter.
      { text: "Thinking about \"it\"", thought: true },
      { inlineData: { mimeType: "image/png", data: b64(draft) }, thought: true },
      { text: "Line \"one\" \\ é 🎨 a/b\nLine two", thoughtSignature: "c2ln" },
      { inlineData: { mimeType: "image/jpeg", data: b64(final) }, thoughtSignature: "c2lnMg==", thought: false },
      { inlineData: { mimeType: "image/png", data: b64(later) }, thought: true },
      { text: "After the image" },
    ];
    let body = JSON.stringify(
      { candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }], modelVersion: "m" },
      null,
      2,
    );
    // Escapes a JSON writer may use: \u for non-ASCII (a surrogate pair too), \/ for /.
    body = body.replace("é", "\\u00e9").replace("🎨", "\\ud83c\\udfa8").replace("a/b", "a\\/b");
    body = body.replace(b64(final), b64(final).replaceAll("/", "\\/"));
    answer = { status: 200, body };
    const runs = await run();
    for (const [program, r] of Object.entries(runs)) {
      assert.equal(r.status, 0, `${program}: ${r.stderr}`);
      assert.equal(r.stdout, "Line \"one\" \\ é 🎨 a/b\nLine two\nAfter the image\n", program);
      assert.deepEqual(r.written, ["result.jpg"], program);
      assert.ok(r.image.bytes.equals(final), `${program}: the final image`);
      assert.equal(r.requests[0].apiKey, KEY, program);
      assert.equal(r.requests[0].path, "/v1beta/models/gemini-3.1-flash-image-preview:generateContent");
    }
  });

  test("no final image: the reason, and a failing exit", async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        candidates: [
          {
            content: {
              role: "model",
              parts: [{ text: "I can't draw that." }, { inlineData: { mimeType: "image/png", data: "AAAA" }, thought: true }],
            },
            finishReason: "IMAGE_SAFETY",
          },
        ],
      }),
    };
    for (const [program, r] of Object.entries(await run())) {
      assert.notEqual(r.status, 0, program);
      assert.equal(r.stdout, "I can't draw that.\n", program);
      assert.match(r.stderr, /No image in the answer \(finish reason IMAGE_SAFETY\)/, program);
      assert.deepEqual(r.written, [], program);
    }
  });

  test("a blocked prompt", async () => {
    answer = { status: 200, body: JSON.stringify({ promptFeedback: { blockReason: "PROHIBITED_CONTENT" } }) };
    for (const [program, r] of Object.entries(await run())) {
      assert.notEqual(r.status, 0, program);
      assert.match(r.stderr, /prompt blocked: PROHIBITED_CONTENT/, program);
    }
  });

  test("an error answer says what the API said", async () => {
    answer = {
      status: 429,
      body: JSON.stringify({
        error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" },
      }),
    };
    for (const [program, r] of Object.entries(await run())) {
      assert.notEqual(r.status, 0, program);
      assert.match(r.stderr, /Resource has been exhausted/, program);
      assert.deepEqual(r.written, [], program);
    }
  });

  test("curl: snake_case answers, and an image of 12 MB on one line", async () => {
    const final = randomBytes(9 * 1024 * 1024);
    answer = {
      status: 200,
      body: JSON.stringify({
        candidates: [
          {
            content: {
              role: "model",
              parts: [
                { text: "snake", thought_signature: "c2ln" },
                { inline_data: { mime_type: "IMAGE/WEBP; q=1", data: final.toString("base64") } },
              ],
            },
            finish_reason: "STOP",
          },
        ],
      }),
    };
    const { curl } = await run(["curl"]);
    assert.equal(curl.status, 0, curl.stderr);
    assert.equal(curl.stdout, "snake\n");
    assert.deepEqual(curl.written, ["result.webp"]);
    assert.ok(curl.image.bytes.equals(final));
  });
});

describe("curl with each awk on this machine", () => {
  // mawk (Debian's), gawk, BWK awk (macOS's) and BusyBox read alike.
  const AWKS = [
    ["mawk", "/usr/bin/mawk"],
    ["gawk", "/usr/bin/gawk"],
    ["original-awk", "/usr/bin/original-awk"],
    ["busybox", "/usr/bin/busybox"],
  ].filter(([, path]) => existsSync(path));
  let server;
  let url;
  let dir;
  const final = randomBytes(3 * 1024 * 1024);
  const body = JSON.stringify(
    {
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "Pensée \"one\"", thought: true },
              { text: "Voilà \\o/ 🎨", thoughtSignature: "c2ln" },
              { inlineData: { mimeType: "image/png", data: final.toString("base64") }, thoughtSignature: "c2lnMg==" },
            ],
          },
          finishReason: "STOP",
        },
      ],
    },
    null,
    2,
  ).replace(/\n/g, "\r\n");

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(req.url === "/__mock/requests" ? "[]" : body);
      });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${server.address().port}`;
    const out = mkdtempSync(join(tmpdir(), "codegen-awk-"));
    writePrograms(["--simple", "--base", url, "--out", out]);
    dir = join(out, "simple");
  });
  after(() => {
    server?.close();
    if (dir) rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  for (const [name, path] of AWKS) {
    test(name, async () => {
      const bin = mkdtempSync(join(tmpdir(), `awk-${name}-`));
      const awk = join(bin, "awk");
      writeFileSync(awk, name === "busybox" ? `#!/bin/sh\nexec ${path} awk "$@"\n` : `#!/bin/sh\nexec ${path} "$@"\n`);
      chmodSync(awk, 0o755);
      try {
        const { curl } = await runPrograms(dir, {
          apiUrl: url,
          key: KEY,
          only: ["curl"],
          python: "unused",
          env: { PATH: `${bin}:${process.env.PATH}` },
        });
        assert.equal(curl.status, 0, curl.stderr);
        assert.equal(curl.stdout, "Voilà \\o/ 🎨\n");
        assert.deepEqual(curl.written, ["result.png"]);
        assert.ok(curl.image.bytes.equals(final));
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });
  }
});
