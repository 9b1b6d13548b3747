// The studio's "Get code" programs, run for real against the local API server:
// curl, Python (google-genai) and node (@google/genai) must each send the request
// the studio sends, with the key in the studio's header, print the model's text and
// write the final image.
//
//   node --test codegen/   (from e2e/; GEMINI_MOCK_BIN, CODEGEN_EXAMPLE_BIN or
//                           MOCK_URL skip the cargo builds)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureVenv, runPrograms, sameRequest, startMock, writePrograms } from "./run.js";

const CASES = ["first-files", "first-inline", "third-files", "third-inline"];

describe("programs written for real requests", () => {
  let mock;
  let out;
  let python;
  before(async () => {
    mock = await startMock();
    out = mkdtempSync(join(tmpdir(), "codegen-"));
    writePrograms(["--mock", mock.url, "--out", out]);
    python = ensureVenv();
  });
  after(() => {
    mock?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  for (const name of CASES) {
    test(name, async () => {
      const dir = join(out, name);
      const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
      const studio = JSON.parse(readFileSync(join(dir, "request.json"), "utf8"));
      // The request carries the whole conversation: check the case is what it says.
      if (name.startsWith("third")) {
        assert.equal(studio.contents.length, 5);
        const model = studio.contents[1].parts;
        assert.ok(model.some((p) => p.thought === true && p.text), "a thought text");
        assert.ok(model.some((p) => p.thought === true && p.inlineData), "a draft image");
        assert.ok(model.some((p) => p.thoughtSignature && p.inlineData && !p.thought), "a signed image");
      } else {
        assert.equal(studio.contents[0].parts.filter((p) => p.inlineData).length, 2);
        assert.ok(studio.tools && studio.generationConfig.imageConfig && studio.generationConfig.thinkingConfig);
      }
      assert.equal(spec.inline, name.endsWith("inline"));

      const runs = await runPrograms(dir, { apiUrl: mock.url, key: spec.key, python });
      for (const [program, run] of Object.entries(runs)) {
        const what = `${name} ${program}`;
        assert.equal(run.status, 0, `${what} exited ${run.status ?? run.signal}:\n${run.stderr}`);
        assert.equal(run.requests.length, 1, `${what}: one request`);
        const [received] = run.requests;
        assert.equal(received.status, 200, what);
        assert.equal(received.keyHeader, spec.keyHeader, `${what}: the key's header`);
        assert.equal(received.apiKey, spec.key, `${what}: the key`);
        const cmp = sameRequest(studio, received.body);
        assert.deepEqual(cmp.differences, [], `${what}: the request`);
        if (program === "curl") assert.deepEqual(received.body, studio, `${what}: the studio's very body`);
        assert.deepEqual(run.written, [spec.expected.image], `${what}: the file written`);
        assert.ok(run.image.bytes.equals(Buffer.from(spec.expected.imageBase64, "base64")), `${what}: the image`);
        assert.equal(run.stdout, spec.expected.text.map((t) => `${t}\n`).join(""), `${what}: the text`);
      }
    });
  }
});
