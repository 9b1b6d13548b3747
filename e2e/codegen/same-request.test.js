// sameRequest: strict about the request, lenient only where the SDKs are documented
// to differ from the studio's body.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeBase64, sameRequest } from "./run.js";

const studio = () => ({
  contents: [
    {
      role: "user",
      parts: [{ text: "a 'quoted' \"prompt\"\n" }, { inlineData: { mimeType: "image/png", data: "+/8=" } }],
    },
    {
      role: "model",
      parts: [
        { text: "thinking", thought: true },
        { inlineData: { mimeType: "image/png", data: "AAEC" }, thought: true },
        { inlineData: { mimeType: "image/jpeg", data: "/9j/" }, thoughtSignature: "c2ln+/8=" },
      ],
    },
    { role: "user", parts: [{ text: "again" }] },
  ],
  generationConfig: {
    responseModalities: ["TEXT", "IMAGE"],
    imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
    thinkingConfig: { thinkingLevel: "high", includeThoughts: true },
  },
  tools: [{ google_search: {} }],
});

/** What google-genai 3.3 sent for the body above (snake_case, URL-safe base64, HIGH). */
const python = () => ({
  contents: [
    {
      parts: [{ text: "a 'quoted' \"prompt\"\n" }, { inlineData: { data: "-_8=", mime_type: "image/png" } }],
      role: "user",
    },
    {
      parts: [
        { text: "thinking", thought: true },
        { inlineData: { data: "AAEC", mime_type: "image/png" }, thought: true },
        { inlineData: { data: "_9j_", mime_type: "image/jpeg" }, thoughtSignature: "c2ln-_8" },
      ],
      role: "model",
    },
    { parts: [{ text: "again" }], role: "user" },
  ],
  tools: [{ googleSearch: {} }],
  generationConfig: {
    responseModalities: ["TEXT", "IMAGE"],
    thinkingConfig: { include_thoughts: true, thinking_level: "HIGH" },
    imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
  },
});

test("the same body is the same", () => {
  assert.deepEqual(sameRequest(studio(), studio()), { same: true, differences: [], allowed: [] });
});

test("the Python SDK's forms are allowed, and listed", () => {
  const r = sameRequest(studio(), python());
  assert.deepEqual(r.differences, []);
  assert.ok(r.same);
  for (const want of [
    'contents.0.parts.1.inlineData.mimeType: key sent as "mime_type"',
    "contents.0.parts.1.inlineData.data: same bytes, other base64 form",
    "contents.1.parts.2.thoughtSignature: same bytes, other base64 form",
    'generationConfig.thinkingConfig.thinkingLevel: "high" sent as "HIGH"',
    'tools.0.googleSearch: key sent as "googleSearch"',
  ]) {
    assert.ok(r.allowed.includes(want), `${want}\n${r.allowed.join("\n")}`);
  }
});

test("fields an SDK adds with default values are allowed; others are not", () => {
  const b = studio();
  b.contents[2].parts[0].thought = false;
  b.generationConfig.candidateCount = 0;
  b.safetySettings = [];
  const r = sameRequest(studio(), b);
  assert.ok(r.same, r.differences.join("\n"));
  assert.equal(r.allowed.length, 3);
  b.generationConfig.temperature = 0.7;
  assert.deepEqual(sameRequest(studio(), b).differences, ['generationConfig: the SDK added "temperature" = 0.7']);
});

/** Each change to the body, and the difference it must give. */
const changes = [
  ["a text", (b) => (b.contents[0].parts[0].text = "a 'quoted' \"prompt\""), /contents\.0\.parts\.0\.text: studio/],
  ["the order of parts", (b) => b.contents[1].parts.reverse(), /contents\.1\.parts\.0/],
  ["the order of contents", (b) => b.contents.reverse(), /contents\.0\.parts: studio has 2 items, SDK 1/],
  ["a lost turn", (b) => b.contents.pop(), /contents: studio has 3 items, SDK 2/],
  ["image bytes", (b) => (b.contents[0].parts[1].inlineData.data = "+/4="), /inlineData\.data: bytes differ/],
  ["signature bytes", (b) => (b.contents[1].parts[2].thoughtSignature = "c2lo+/8="), /thoughtSignature: bytes differ/],
  ["a lost signature", (b) => delete b.contents[1].parts[2].thoughtSignature, /the SDK did not send "thoughtSignature"/],
  ["a moved signature", (b) => {
    b.contents[1].parts[1].thoughtSignature = b.contents[1].parts[2].thoughtSignature;
    delete b.contents[1].parts[2].thoughtSignature;
  }, /did not send "thoughtSignature"/],
  ["a thought flag", (b) => delete b.contents[1].parts[0].thought, /did not send "thought"/],
  ["a MIME type", (b) => (b.contents[0].parts[1].inlineData.mimeType = "image/jpeg"), /mimeType: studio "image\/png", SDK "image\/jpeg"/],
  ["a role", (b) => (b.contents[1].role = "MODEL"), /contents\.1\.role: studio "model", SDK "MODEL"/],
  ["an option", (b) => (b.generationConfig.imageConfig.imageSize = "2k"), /imageSize: studio "2K", SDK "2k"/],
  ["an enum", (b) => (b.generationConfig.thinkingConfig.thinkingLevel = "MINIMAL"), /thinkingLevel: studio "high", SDK "MINIMAL"/],
  ["a modality", (b) => b.generationConfig.responseModalities.pop(), /responseModalities: studio has 2 items, SDK 1/],
  ["a lost tool", (b) => delete b.tools, /the SDK did not send "tools"/],
  ["a bool as a string", (b) => (b.generationConfig.thinkingConfig.includeThoughts = "true"), /includeThoughts: studio boolean true, SDK string/],
  ["bytes that are not base64", (b) => (b.contents[0].parts[1].inlineData.data = "+/8=!"), /the SDK's value is not base64/],
  ["a key sent in both cases", (b) => (b.contents[0].parts[1].inline_data = b.contents[0].parts[1].inlineData), /sent "inlineData" twice/],
];

for (const [what, change, want] of changes) {
  test(`a change of ${what} is a difference`, () => {
    const b = studio();
    change(b);
    const r = sameRequest(studio(), b);
    assert.equal(r.same, false, what);
    assert.ok(r.differences.some((d) => want.test(d)), `${want}\n${r.differences.join("\n")}`);
  });
}

test("bytes fields: both alphabets, with or without padding, nothing else", () => {
  assert.deepEqual([...decodeBase64("+/8=")], [0xfb, 0xff]);
  assert.deepEqual([...decodeBase64("-_8")], [0xfb, 0xff]);
  assert.deepEqual([...decodeBase64("")], []);
  for (const bad of ["+_8=", "A", "AB=", "A===", "AB C", "AB\n", 12, null]) {
    assert.equal(decodeBase64(bad), null, String(bad));
  }
});
