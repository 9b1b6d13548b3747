// Conversation editing and multi-image composition, as the official SDKs do it.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  b64decode,
  clearRequests,
  generate,
  lastRequest,
  useBrowser,
  makeNoisePng,
  makePng,
  openStudio,
  pageFile,
  readDownload,
  requests,
  imageBytes,
  results,
} from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });


describe("conversation editing", () => {
  test("a three-turn edit: every request carries the history and passes the signature check", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Include thoughts").check();
    const prompts = [
      "Create an infographic explaining photosynthesis",
      "Now make it night",
      "Translate the labels to Spanish",
    ];
    for (const [i, p] of prompts.entries()) {
      await generate(page, p);
      await results(page).nth(i).waitFor();
      const req = await lastRequest();
      assert.equal(req.status, 200, `turn ${i + 1} accepted`);
      assert.equal(req.body.contents.length, i * 2 + 1);
      for (let k = 0; k < i; k++) {
        const model = req.body.contents[k * 2 + 1];
        assert.equal(model.role, "model");
        assert.ok(model.parts.some((p) => p.thought === true), "thought parts are sent back");
        assert.ok(model.parts.some((p) => p.inlineData && p.thoughtSignature), "signatures are sent back");
      }
    }
    // Each answer visibly derives from, and differs from, the one before.
    const a = await imageBytes(page, results(page).nth(1));
    const b = await imageBytes(page, results(page).nth(2));
    assert.notDeepEqual(a, b);
    // The newest turn is scrolled into view.
    assert.ok(await results(page).nth(2).isVisible());
    // Token usage per turn and for the conversation.
    assert.match(await page.locator(".conversation__total").innerText(), /Conversation: \d+ in · \d+ out · \d+ thinking/);
    await context.close();
  });

  test("a failed turn leaves no trace in the history", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A paper boat");
    await generate(page, "[[status:500]] make it red");
    await page.getByRole("alert").waitFor();
    await clearRequests();
    await generate(page, "make it blue");
    await results(page).nth(1).waitFor();
    const req = await lastRequest();
    assert.equal(req.status, 200);
    assert.equal(req.body.contents.length, 3);
    assert.equal(req.body.contents[2].parts[0].text, "make it blue");
    await context.close();
  });

  test("Edit from here branches without destroying the original", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A red fox");
    await generate(page, "Give it a hat");
    await results(page).nth(1).waitFor();
    await page.getByRole("article", { name: "Turn 1" }).getByRole("button", { name: "Edit from here" }).click();
    await page.getByRole("article", { name: "Turn 2" }).waitFor({ state: "detached" });
    assert.equal(await results(page).count(), 1);
    await page.getByRole("status").filter({ hasText: /Editing from turn 1/ }).waitFor();
    await clearRequests();
    await generate(page, "Give it a scarf instead");
    await results(page).nth(1).waitFor();
    const req = await lastRequest();
    assert.equal(req.status, 200);
    assert.equal(req.body.contents.length, 3);
    assert.equal(req.body.contents[0].parts[0].text, "A red fox");
    assert.equal(req.body.contents[2].parts[0].text, "Give it a scarf instead");
    // The original is still there, whole.
    const select = page.getByLabel("Switch conversation");
    const original = await select.locator("option", { hasText: "Conversation 1 (2 turns)" }).getAttribute("value");
    await select.selectOption(original);
    // Read back from storage: the branch stays on screen until it has loaded.
    await page.getByRole("article", { name: "Turn 2" }).filter({ hasText: "Give it a hat" }).waitFor();
    assert.equal(await results(page).count(), 2);
    await context.close();
  });

  test("the newest turn is scrolled fully into view once its image has loaded", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Aspect ratio").selectOption("9:16");
    for (const prompt of ["A tall lighthouse", "Make it taller", "Add a moon above it"]) await generate(page, prompt);
    const last = page.getByRole("article", { name: "Turn 3" });
    await last.getByRole("img", { name: /^Generated image/ }).evaluate((img) => img.decode());
    const visible = async () =>
      last.getByRole("button", { name: "Edit from here" }).evaluate((el) => {
        const r = el.getBoundingClientRect();
        const box = el.closest(".conversation").getBoundingClientRect();
        return r.bottom <= Math.min(box.bottom, innerHeight) + 1 && r.top >= box.top - 1;
      });
    // Give a late scroll its frame, then check.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.ok(await visible(), "the end of the newest turn is visible");
    await context.close();
  });

  test("Use as reference attaches the generated image exactly as the API sent it", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A teapot");
    const shown = await imageBytes(page, results(page).first());
    await page.getByRole("button", { name: "Use as reference" }).click();
    await page.getByRole("button", { name: "New conversation" }).click();
    await generate(page, "Put this teapot on a beach");
    await results(page).first().waitFor();
    const parts = (await lastRequest()).body.contents[0].parts;
    assert.equal(parts.length, 2);
    assert.deepEqual(b64decode(parts[1].inlineData.data), shown);
    await context.close();
  });
});

describe("reference images", () => {
  test("14 images are accepted and a 15th is refused with the limit, nothing lost", async () => {
    const { context, page } = await openStudio(chromium());
    const files = Array.from({ length: 15 }, (_, i) => ({
      name: `ref${i + 1}.png`,
      mimeType: "image/png",
      buffer: makePng(12, 12, i + 1),
    }));
    await page.getByLabel("Add images").setInputFiles(files);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /ref15\.png.*at most 14/s);
    assert.equal(await page.getByRole("img", { name: /^Reference image/ }).count(), 14);
    await generate(page, "Compose all of these into one collage");
    await results(page).first().waitFor();
    const req = await lastRequest();
    assert.equal(req.status, 200);
    const images = req.body.contents[0].parts.filter((p) => p.inlineData);
    assert.equal(images.length, 14);
    images.forEach((p, i) => assert.deepEqual(b64decode(p.inlineData.data), files[i].buffer));
    await context.close();
  });

  test("Gemini 2.5 Flash takes 3 images", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Model", { exact: true }).selectOption("gemini-2.5-flash-image");
    await page.getByLabel("Add images").setInputFiles(
      Array.from({ length: 4 }, (_, i) => ({ name: `r${i}.png`, mimeType: "image/png", buffer: makePng(8, 8, i) })),
    );
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /at most 3/);
    assert.equal(await page.getByRole("img", { name: /^Reference image/ }).count(), 3);
    await context.close();
  });

  test("drag and drop onto the composer adds an image, with a visible drop target", async () => {
    const { context, page } = await openStudio(chromium());
    const png = makePng(24, 24, 9);
    const dt = await pageFile(page, png, "dropped.png", "image/png");
    await page.dispatchEvent("form.composer", "dragenter", { dataTransfer: dt });
    assert.ok(await page.getByText("Drop images to add them as references").isVisible());
    await page.dispatchEvent("form.composer", "drop", { dataTransfer: dt });
    await page.getByRole("img", { name: "Reference image: dropped.png" }).waitFor();
    assert.ok(!(await page.getByText("Drop images to add them as references").isVisible()));
    await generate(page, "Use the dropped image");
    await results(page).first().waitFor();
    assert.deepEqual(b64decode((await lastRequest()).body.contents[0].parts[1].inlineData.data), png);
    await context.close();
  });

  test("pasting an image from the clipboard adds it", async () => {
    const { context, page } = await openStudio(chromium());
    const png = makePng(20, 10, 4);
    const dt = await pageFile(page, png, "pasted.png", "image/png");
    await page.getByRole("textbox", { name: "Prompt" }).focus();
    await page.evaluate((dt) => {
      const ev = new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true });
      document.activeElement.dispatchEvent(ev);
    }, dt);
    await page.getByRole("img", { name: "Reference image: pasted.png" }).waitFor();
    await context.close();
  });

  test("an image over 7 MB is re-encoded in the browser, shown as such, and accepted", async () => {
    const { context, page } = await openStudio(chromium());
    const big = makeNoisePng(1600, 1600);
    assert.ok(big.length > 7 * 1024 * 1024);
    await page.getByLabel("Add images").setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: big });
    await page.getByRole("img", { name: "Reference image: huge.png" }).waitFor({ timeout: 30_000 });
    await page.getByRole("status").filter({ hasText: /huge\.png.*re-encoded as JPG, [\d.]+ (MB|KB)/s }).waitFor();
    await generate(page, "Make it calmer");
    await results(page).first().waitFor();
    const req = await lastRequest();
    assert.equal(req.status, 200);
    const sent = b64decode(req.body.contents[0].parts[1].inlineData.data);
    assert.equal(req.body.contents[0].parts[1].inlineData.mimeType, "image/jpeg");
    assert.ok(sent.length <= 7 * 1024 * 1024);
    assert.deepEqual([...sent.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    await context.close();
  });
});

describe("thinking, sources and variants", () => {
  test("thoughts are in a collapsed Thinking section and Download still saves the final image", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Include thoughts").check();
    await page.getByLabel("Thinking level").selectOption("high");
    await generate(page, "A clockwork owl");
    const thinking = page.locator("details.thinking");
    assert.equal(await thinking.getAttribute("open"), null, "collapsed");
    assert.match(await thinking.locator("summary").innerText(), /Thinking .*drafts, not the result/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download" }).click(),
    ]);
    const saved = await readDownload(download);
    assert.deepEqual(saved, await imageBytes(page, results(page).first()));
    for (const d of await page.getByRole("img", { name: /^Draft/ }).all()) {
      assert.notDeepEqual(saved, await imageBytes(page, d));
    }
    await context.close();
  });

  test("grounding sources are links, and the search suggestions cannot run script", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Google Search").check();
    await generate(page, "Visualize the current weather in San Francisco as a chart");
    const sources = page.getByRole("region", { name: "Sources" });
    await sources.waitFor();
    const links = sources.getByRole("link");
    assert.equal(await links.count(), 2);
    for (const l of await links.all()) {
      assert.equal(await l.getAttribute("target"), "_blank");
      assert.equal(await l.getAttribute("rel"), "noopener noreferrer");
    }
    assert.equal(await links.nth(1).innerText(), "Forecast <b>Org</b>", "titles are text, not HTML");
    const frame = page.locator("iframe.sources__suggestions");
    const sandbox = await frame.getAttribute("sandbox");
    // An opaque origin: its own script (allowed by hash) shows the HTML; nothing reaches the page.
    assert.ok(sandbox !== null && !sandbox.includes("allow-same-origin"));
    await page.frameLocator("iframe.sources__suggestions").getByText("weather san francisco").waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__groundingScriptRan), undefined);
    assert.equal(await page.title(), "Gemini Studio");
    await context.close();
  });

  test("variants: sent in parallel, shown side by side, one failure does not hide the others", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A lamp");
    await page.getByLabel("Variants").selectOption("3");
    await clearRequests();
    // A prompt of its own: the server refuses only the first request carrying it
    // (a refusal, so it is not retried).
    await generate(page, `[[fail-first:400-precondition]] make it art deco ${Date.now()}`);
    await results(page).nth(2).waitFor();
    const all = await requests();
    assert.equal(all.length, 3);
    assert.equal(all.filter((r) => r.status === 400).length, 1);
    assert.equal(await page.getByText(/Variant \d failed/).count(), 1);
    // Two answers shown; the first is chosen; choosing the other changes the history sent next.
    const turn = page.getByRole("article", { name: "Turn 2" });
    const choices = turn.getByRole("button", { name: /^(Use this|Chosen)$/ });
    assert.equal(await choices.count(), 2);
    assert.equal(await choices.nth(0).getAttribute("aria-pressed"), "true");
    await choices.nth(1).click();
    assert.equal(await choices.nth(1).getAttribute("aria-pressed"), "true");
    const chosenImage = await imageBytes(page, turn.getByRole("img", { name: /^Generated image/ }).nth(1));
    await page.getByLabel("Variants").selectOption("1");
    await clearRequests();
    await generate(page, "now in blue");
    await page.getByRole("article", { name: "Turn 3" }).waitFor();
    const req = await lastRequest();
    assert.equal(req.status, 200);
    const model = req.body.contents[3];
    const img = model.parts.filter((p) => p.inlineData && p.thought !== true).at(-1);
    assert.deepEqual(b64decode(img.inlineData.data), chosenImage);
    await context.close();
  });
});
