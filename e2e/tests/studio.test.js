// The studio core, driven as a user would (by accessible names), against the
// local API server, which records exactly what the browser sent.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  MOCK_URL,
  STUDIO_URL,
  TEST_KEY,
  b64decode,
  clearRequests,
  generate,
  lastRequest,
  useBrowser,
  makePng,
  openStudio,
  pngSize,
  readDownload,
  requests,
} from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });

/** Replays a recorded request against the API server to get the answer the browser got. */
async function replay(recorded) {
  const r = await fetch(`${MOCK_URL}/v1beta/models/${recorded.model}:generateContent`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": TEST_KEY },
    body: JSON.stringify(recorded.body),
  });
  assert.equal(r.status, 200);
  return r.json();
}

function finalAndDrafts(answer) {
  const parts = answer.candidates[0].content.parts;
  const images = parts.filter((p) => p.inlineData && p.thought !== true);
  const drafts = parts.filter((p) => p.inlineData && p.thought === true);
  return {
    final: b64decode(images.at(-1).inlineData.data),
    drafts: drafts.map((p) => b64decode(p.inlineData.data)),
  };
}

describe("studio core", () => {
  test("text to image: the final image is shown, with text, and the key goes only in its header", async () => {
    const { context, page, log } = await openStudio(chromium());
    await generate(page, "A lighthouse on a cliff at dusk");
    const img = page.getByRole("img", { name: "Generated image: A lighthouse on a cliff at dusk" });
    await img.waitFor();
    assert.match(await img.getAttribute("src"), /^blob:/);
    const natural = await img.evaluate((el) => el.naturalWidth);
    assert.ok(natural > 0, "the image decodes");

    const req = await lastRequest();
    assert.equal(req.model, "gemini-3.1-flash-image-preview");
    assert.equal(req.keyHeader, "x-goog-api-key");
    assert.equal(req.apiKey, TEST_KEY);
    assert.deepEqual(req.body, {
      contents: [{ role: "user", parts: [{ text: "A lighthouse on a cliff at dusk" }] }],
      generationConfig: { responseModalities: ["TEXT", "IMAGE"] },
    });
    // The model's text is shown beside the image; the prompt stays out of the composer.
    assert.ok((await page.locator(".turn__text").first().innerText()).length > 0);
    assert.equal(await page.getByRole("textbox", { name: "Prompt" }).inputValue(), "");
    // The key never appears in a URL, the console, or storage.
    assert.ok(log.urls.every((u) => !u.includes(TEST_KEY)));
    assert.ok(log.console.every((m) => !m.includes(TEST_KEY)));
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(TEST_KEY), "the key is not stored unless asked");
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test("image to image: the request's base64 decodes to exactly the uploaded bytes", async () => {
    const { context, page } = await openStudio(chromium());
    const png = makePng(40, 30, 3);
    // The file chooser also offers the types the studio re-encodes.
    const accepts = (await page.getByLabel("Add images").getAttribute("accept")).split(",");
    for (const t of ["image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "image/avif", "image/heic"]) {
      assert.ok(accepts.includes(t), `Add images accepts ${t}: ${accepts}`);
    }
    await page.getByLabel("Add images").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: png });
    await page.getByRole("img", { name: "Reference image: photo.png" }).waitFor();
    await generate(page, "Turn this into a watercolor painting");
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    const req = await lastRequest();
    const parts = req.body.contents[0].parts;
    assert.equal(parts[0].text, "Turn this into a watercolor painting");
    assert.equal(parts[1].inlineData.mimeType, "image/png");
    assert.ok(!parts[1].inlineData.data.startsWith("data:"));
    assert.deepEqual(b64decode(parts[1].inlineData.data), png);
    // Sent images move into the turn; the composer is empty again.
    assert.equal(await page.getByRole("img", { name: /^Reference image/ }).count(), 0);
    assert.equal(await page.getByRole("img", { name: /^Sent image/ }).count(), 1);
    await context.close();
  });

  test("two images keep their order, and reordering changes the request", async () => {
    const { context, page } = await openStudio(chromium());
    const a = makePng(16, 16, 1);
    const b = makePng(16, 16, 2);
    // The file name lies about the type: the bytes decide.
    await page.getByLabel("Add images").setInputFiles([
      { name: "a.jpg", mimeType: "image/jpeg", buffer: a },
      { name: "b.png", mimeType: "image/png", buffer: b },
    ]);
    await page.getByRole("img", { name: "Reference image: b.png" }).waitFor();
    // Only the moves that can be made are offered; each tool shows its symbol
    // alone and is a target of its own (none covers another).
    assert.equal(await page.getByRole("button", { name: "Move a.jpg earlier" }).isDisabled(), true);
    assert.equal(await page.getByRole("button", { name: "Move a.jpg later" }).isEnabled(), true);
    assert.equal(await page.getByRole("button", { name: "Move b.png earlier" }).isEnabled(), true);
    assert.equal(await page.getByRole("button", { name: "Move b.png later" }).isDisabled(), true);
    assert.equal(await page.getByRole("button", { name: "Move a.jpg later" }).innerText(), "›");
    // The cards are scrolled into view, not each tool (that would scroll a
    // clipped tool into its card).
    await page.getByRole("list", { name: "Reference images" }).scrollIntoViewIfNeeded();
    const covered = await page.locator(".attachment__tools button").evaluateAll((buttons) =>
      buttons
        .filter((b) => {
          const r = b.getBoundingClientRect();
          const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return !b.contains(hit);
        })
        .map((b) => b.getAttribute("aria-label")),
    );
    assert.deepEqual(covered, [], "every tool is hit at its centre");
    await page.getByRole("button", { name: "Move a.jpg later" }).click();
    await generate(page, "Blend these images into one scene");
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    const parts = (await lastRequest()).body.contents[0].parts;
    assert.equal(parts.length, 3);
    assert.deepEqual(b64decode(parts[1].inlineData.data), b);
    assert.deepEqual(b64decode(parts[2].inlineData.data), a);
    assert.ok(parts.slice(1).every((p) => p.inlineData.mimeType === "image/png"));
    await context.close();
  });

  test("a file that is not a supported image is refused with its name, and nothing is sent", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Add images").setInputFiles([
      { name: "anim.gif", mimeType: "image/gif", buffer: Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00", "binary") },
      { name: "notes.png", mimeType: "image/png", buffer: Buffer.from("just text") },
    ]);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /anim\.gif/);
    assert.match(text, /GIF/);
    assert.match(text, /notes\.png/);
    assert.equal(await page.getByRole("img", { name: /^Reference image/ }).count(), 0);
    assert.equal((await requests()).length, 0);
    await context.close();
  });

  test("Download saves the final image's exact bytes, not a thought draft", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Include thoughts").check();
    await generate(page, "A futuristic city inside a glass bottle");
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    // Thoughts are shown, labelled as drafts, collapsed.
    const thinking = page.locator("details.thinking");
    await thinking.locator("summary").click();
    assert.ok((await page.getByRole("img", { name: /^Draft/ }).count()) >= 1);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download" }).last().click(),
    ]);
    const saved = await readDownload(download);
    const { final, drafts } = finalAndDrafts(await replay(await lastRequest()));
    assert.ok(drafts.length >= 1, "the answer had drafts");
    assert.deepEqual(saved, final);
    for (const d of drafts) assert.notDeepEqual(saved, d);
    assert.match(download.suggestedFilename(), /^a-futuristic-city-inside-a-glass-bottle-\d{8}-\d{6}\.png$/);
    await context.close();
  });

  test("every option reaches the request; image only asks for IMAGE", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Image only").check();
    await page.getByLabel("Aspect ratio").selectOption("16:9");
    await page.getByLabel("Image size").selectOption("2K");
    await page.getByLabel("Thinking level").selectOption("high");
    await page.getByLabel("Include thoughts").check();
    await page.getByLabel("Google Search").check();
    await generate(page, "Visualize the current weather forecast for San Francisco as a chart");
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    const req = await lastRequest();
    assert.deepEqual(req.body.generationConfig, {
      responseModalities: ["IMAGE"],
      imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
      thinkingConfig: { thinkingLevel: "high", includeThoughts: true },
    });
    assert.deepEqual(req.body.tools, [{ google_search: {} }]);
    // The image's pixel shape follows the ratio (scaled down by the test server).
    const img = page.getByRole("img", { name: /^Generated image/ });
    const [w, h] = await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
    assert.ok(Math.abs(w / h - 16 / 9) < 0.05, `${w}x${h}`);

    // Another model, the Authorization header, and a JPEG answer named .jpg.
    await clearRequests();
    await page.getByRole("button", { name: "New conversation" }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("gemini-3-pro-image-preview");
    await page.getByLabel("Key header").selectOption({ label: "Authorization: Bearer" });
    await generate(page, "A product photo of a ceramic mug");
    const req2 = await lastRequest();
    assert.equal(req2.model, "gemini-3-pro-image-preview");
    assert.equal(req2.keyHeader, "authorization");
    assert.equal(req2.apiKey, TEST_KEY);
    assert.deepEqual(req2.body.generationConfig, {
      responseModalities: ["IMAGE"],
      imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
      thinkingConfig: { includeThoughts: true },
    });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download" }).last().click(),
    ]);
    assert.match(download.suggestedFilename(), /\.jpg$/);
    const bytes = await readDownload(download);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    await context.close();
  });

  test("an error keeps the prompt, the images and the settings, and says what to do", async () => {
    const { context, page } = await openStudio(chromium());
    const png = makePng(20, 20, 5);
    // Each error at once (retries are tested in faults.test.js).
    await page.getByText("Requests", { exact: true }).click();
    await page.getByLabel("Retries").selectOption("0");
    await page.getByLabel("Aspect ratio").selectOption("4:3");
    await page.getByLabel("Add images").setInputFiles({ name: "keep.png", mimeType: "image/png", buffer: png });
    await page.getByRole("img", { name: "Reference image: keep.png" }).waitFor();
    const cases = [
      ["[[status:503]] make it blue", /overloaded/i],
      ["[[status:429]] make it blue", /37 s/],
      ["[[status:401]] make it blue", /Not authenticated/],
      ["[[status:403]] make it blue", /Permission denied/],
      ["[[status:404]] make it blue", /Model not found/],
      ["[[status:500]] make it blue", /internal error/i],
      ["[[finish:IMAGE_SAFETY]] make it blue", /safety/i],
      ["[[finish:NO_IMAGE]] make it blue", /did not produce an image/],
      ["[[block:PROHIBITED_CONTENT]] make it blue", /blocked \(prohibited content\)/],
      ["[[malformed]] make it blue", /could not be read/],
      ["[[truncate]] make it blue", /cut off/],
      ["[[no-image]] make it blue", /without an image/],
    ];
    for (const [prompt, expected] of cases) {
      await generate(page, prompt);
      const alert = page.getByRole("alert");
      await alert.waitFor();
      assert.match(await alert.innerText(), expected, prompt);
      assert.equal(await page.getByRole("textbox", { name: "Prompt" }).inputValue(), prompt);
      assert.equal(await page.getByRole("img", { name: "Reference image: keep.png" }).count(), 1);
      assert.equal(await page.getByLabel("Aspect ratio").inputValue(), "4:3");
      assert.equal(await page.getByRole("img", { name: /^Generated image/ }).count(), 0);
    }
    // The last request still carried the image, byte for byte.
    const req = await lastRequest();
    assert.deepEqual(b64decode(req.body.contents[0].parts[1].inlineData.data), png);
    await context.close();
  });

  test("Cancel aborts the request in flight and keeps everything", async () => {
    const { context, page } = await openStudio(chromium());
    const prompt = "[[slow:20000]] a very slow 4K render";
    await page.getByRole("textbox", { name: "Prompt" }).fill(prompt);
    await page.getByRole("button", { name: "Generate" }).click();
    const timer = page.getByRole("timer");
    await timer.waitFor();
    await page.waitForFunction(() => /Generating… (0\.[3-9]|[1-9])/.test(document.querySelector("[role=timer]")?.textContent ?? ""));
    const started = Date.now();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "Generate" }).waitFor({ timeout: 5_000 });
    assert.ok(Date.now() - started < 5_000, "the fetch was aborted, not awaited");
    await page.getByRole("status").filter({ hasText: /Cancelled/ }).waitFor();
    assert.equal(await page.getByRole("textbox", { name: "Prompt" }).inputValue(), prompt);
    assert.equal(await page.getByRole("img", { name: /^Generated image/ }).count(), 0);
    await context.close();
  });

  test("a second turn sends the first model turn back verbatim and is accepted", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Include thoughts").check();
    await generate(page, "Create an infographic explaining photosynthesis");
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    const first = await lastRequest();
    const answer = await replay(first);
    await generate(page, "Translate this to Spanish, keep other elements unchanged");
    await page.getByRole("img", { name: /^Generated image/ }).nth(1).waitFor();
    const second = await lastRequest();
    assert.equal(second.status, 200, "the server's signature check accepted the history");
    assert.equal(second.body.contents.length, 3);
    assert.deepEqual(second.body.contents[1], answer.candidates[0].content);
    await context.close();
  });
});

describe("a browser that cannot run the app", () => {
  test("is told why instead of getting a blank page", async () => {
    const context = await chromium().newContext();
    const page = await context.newPage();
    // As a browser without WebAssembly SIMD sees it: the module does not compile.
    await page.route(/_bg\.wasm$/, (route) =>
      route.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]) }),
    );
    await page.goto(STUDIO_URL);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.textContent(), /could not start in this browser.*WebAssembly with SIMD/);
    assert.equal(await page.getByRole("button", { name: "Generate" }).count(), 0);
    await context.close();
  });
});
