// The image tools, driven with the mouse and keyboard as a person would:
// the viewer, Copy image, Download all, Compare (and region edit, annotate).
// Pixels are decoded in the page (or from a screenshot); requests are read at
// the local API server.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { inflateSync } from "node:zlib";
import {
  generate,
  imageBytes,
  makePng,
  openStudio,
  pngSize,
  readDownload,
  readZip,
  requests,
  results,
  STUDIO_URL,
  useBrowser,
} from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });
const SHOTS = process.env.SCREENSHOT_DIR;

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) to RGBA. */
function decodePng(buf) {
  const { width: w, height: h } = pngSize(buf);
  const colorType = buf[25];
  assert.equal(buf[24], 8, "8-bit PNG");
  const bpp = colorType === 6 ? 4 : 3;
  const idat = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    const type = buf.subarray(at + 4, at + 8).toString("ascii");
    if (type === "IDAT") idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = w * bpp;
  const out = Buffer.alloc(w * h * 4);
  const prev = Buffer.alloc(stride);
  const cur = Buffer.alloc(stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? cur[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      let r;
      if (f === 0) r = v;
      else if (f === 1) r = v + a;
      else if (f === 2) r = v + b;
      else if (f === 3) r = v + ((a + b) >> 1);
      else {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        r = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      cur[x] = r & 0xff;
    }
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) out[(y * w + x) * 4 + k] = cur[x * bpp + k];
      out[(y * w + x) * 4 + 3] = bpp === 4 ? cur[x * bpp + 3] : 255;
    }
    cur.copy(prev);
  }
  return { width: w, height: h, at: (x, y) => [...out.subarray((y * w + x) * 4, (y * w + x) * 4 + 3)] };
}

const near = (a, b, tol = 12) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

/** The RGB of pixel (x, y) of the image on the clipboard, decoded by the page itself. */
async function clipboardPixel(page, x, y) {
  return page.evaluate(
    async ([x, y]) => {
      const blob = await (await navigator.clipboard.read())[0].getType("image/png");
      const bmp = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext("2d");
      ctx.drawImage(bmp, 0, 0);
      return [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)];
    },
    [x, y],
  );
}

describe("image viewer", () => {
  test("a click opens the viewer: zoom, fit, actual size, wheel, drag, arrow keys, Escape", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A lighthouse on a cliff");
    await generate(page, "Make it night");
    const second = results(page).nth(1);
    const secondSrc = await second.getAttribute("src");
    const firstSrc = await results(page).nth(0).getAttribute("src");
    await second.click();
    const dialog = page.getByRole("dialog", { name: "Image viewer" });
    await dialog.waitFor();
    // Opened in the page, not in a new tab.
    assert.equal(context.pages().length, 1);
    const img = dialog.getByRole("img");
    await img.waitFor();
    assert.equal(await img.getAttribute("src"), secondSrc);
    await page.waitForFunction(() => document.querySelector(".viewer__image")?.complete);
    const natural = await img.evaluate((i) => i.naturalWidth);
    const area = await dialog.locator(".viewer__area").boundingBox();
    const width = async () => (await img.boundingBox()).width;
    const box = () => img.boundingBox();

    // Opens fitted: the whole image inside the viewer, touching two sides.
    let b = await box();
    assert.ok(b.width <= area.width + 1 && b.height <= area.height + 1, "fits");
    assert.ok(Math.abs(b.width - area.width) < 2 || Math.abs(b.height - area.height) < 2, "as large as fits");

    await dialog.getByRole("button", { name: "Actual size" }).click();
    assert.ok(Math.abs((await width()) - natural) < 1, "one image pixel per CSS pixel");
    await dialog.getByRole("button", { name: "Zoom in" }).click();
    assert.ok(Math.abs((await width()) - natural * 1.25) < 1, "Zoom in");
    await dialog.getByRole("button", { name: "Zoom out" }).click();
    await dialog.getByRole("button", { name: "Zoom out" }).click();
    assert.ok(Math.abs((await width()) - natural / 1.25) < 1, "Zoom out");
    await dialog.getByRole("button", { name: "Fit" }).click();
    const fitted = await box();
    assert.ok(Math.abs(fitted.width - b.width) < 1, "Fit again");

    // The wheel zooms about the pointer: the image point under it stays put.
    const px = area.x + area.width * 0.3, py = area.y + area.height * 0.4;
    await page.mouse.move(px, py);
    const u = (px - fitted.x) / fitted.width, v = (py - fitted.y) / fitted.height;
    await page.mouse.wheel(0, -200);
    await page.waitForFunction((w) => document.querySelector(".viewer__image").getBoundingClientRect().width > w + 1, fitted.width);
    const zoomed = await box();
    assert.ok(zoomed.width > fitted.width * 1.4, "wheel up zooms in");
    assert.ok(Math.abs(zoomed.x + u * zoomed.width - px) < 2 && Math.abs(zoomed.y + v * zoomed.height - py) < 2, "about the pointer");

    // A drag pans by as much as the pointer moved.
    await page.mouse.move(area.x + 200, area.y + 200);
    await page.mouse.down();
    await page.mouse.move(area.x + 260, area.y + 170, { steps: 4 });
    await page.mouse.up();
    const panned = await box();
    assert.ok(Math.abs(panned.x - zoomed.x - 60) < 1.5 && Math.abs(panned.y - zoomed.y + 30) < 1.5, "drag pans");

    // The arrow keys step through the conversation's images.
    await page.keyboard.press("ArrowLeft");
    await page.waitForFunction((s) => document.querySelector(".viewer__image")?.getAttribute("src") === s, firstSrc);
    assert.match(await img.getAttribute("alt"), /^Generated image: A lighthouse/);
    await page.keyboard.press("ArrowLeft");
    assert.equal(await img.getAttribute("src"), firstSrc, "stops at the first");
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction((s) => document.querySelector(".viewer__image")?.getAttribute("src") === s, secondSrc);

    // Escape closes; focus goes back to the image that opened it.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.querySelector("img")?.getAttribute("src")), secondSrc);
    await context.close();
  });
});

describe("copy and download all", () => {
  test("Copy image puts a PNG on the clipboard; a refusal is said", async () => {
    const { context, page } = await openStudio(chromium());
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(STUDIO_URL).origin });
    await generate(page, "[[solid:12ab34]] A green square");
    await page.getByRole("button", { name: "Copy image" }).click();
    await page.getByText("Image copied.").waitFor();
    const types = await page.evaluate(async () => (await navigator.clipboard.read()).flatMap((i) => i.types));
    assert.deepEqual(types, ["image/png"]);
    const px = await clipboardPixel(page, 5, 5);
    assert.deepEqual(px, [0x12, 0xab, 0x34]);

    // A browser that refuses: the alert says so.
    await page.evaluate(() => {
      navigator.clipboard.write = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
    });
    await page.getByRole("button", { name: "Copy image" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /The image was not copied[\s\S]*Write permission denied/);
    await context.close();
  });

  test("Download all saves a ZIP of every turn's final image and prompts.txt", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "[[solid:ff0000]] A red field");
    await generate(page, "[[solid:0000ff]] Now make it blue");
    const shown = [await imageBytes(page, results(page).nth(0)), await imageBytes(page, results(page).nth(1))];
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download all" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /-images\.zip$/);
    const zip = readZip(await readDownload(download));
    assert.deepEqual([...zip.keys()], ["turn-01-solid-ff0000-a-red-field.png", "turn-02-solid-0000ff-now-make-it-blue.png", "prompts.txt"]);
    assert.deepEqual(zip.get("turn-01-solid-ff0000-a-red-field.png"), shown[0]);
    assert.deepEqual(zip.get("turn-02-solid-0000ff-now-make-it-blue.png"), shown[1]);
    const txt = zip.get("prompts.txt").toString("utf8");
    assert.match(txt, /Turn 1 \(turn-01-solid-ff0000-a-red-field\.png\):\n\[\[solid:ff0000\]\] A red field/);
    assert.match(txt, /Turn 2 \(turn-02-solid-0000ff-now-make-it-blue\.png\):\n\[\[solid:0000ff\]\] Now make it blue/);
    await context.close();
  });
});

describe("compare", () => {
  test("Compare shows the turn over the previous one; pointer and arrow keys move the divide", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "[[solid:ff0000]] A red field");
    await generate(page, "[[solid:0000ff]] Now make it blue");
    const first = page.getByRole("article", { name: "Turn 1" });
    const second = page.getByRole("article", { name: "Turn 2" });
    assert.equal(await first.getByRole("button", { name: "Compare" }).count(), 0, "nothing to compare the first turn with");
    await second.getByRole("button", { name: "Compare" }).click();
    const slider = second.getByRole("slider", { name: "Compare" });
    await slider.waitFor();
    assert.equal(await slider.inputValue(), "50");
    const stage = second.locator(".compare__stage");
    await page.waitForFunction(() => [...document.querySelectorAll(".compare__stage img")].every((i) => i.complete));
    await stage.scrollIntoViewIfNeeded();
    const colours = async () => {
      const s = decodePng(await stage.screenshot());
      const row = Math.floor(s.height / 2);
      return (fx) => s.at(Math.floor(s.width * fx), row);
    };
    const blue = [0, 0, 255], red = [255, 0, 0];
    let at = await colours();
    assert.ok(near(at(0.25), blue) && near(at(0.75), red), "left this turn, right the previous one");

    // The keyboard: each arrow press moves the divide one step.
    await slider.focus();
    for (let i = 0; i < 20; i++) await page.keyboard.press("ArrowRight");
    assert.equal(await slider.inputValue(), "70");
    at = await colours();
    assert.ok(near(at(0.65), blue) && near(at(0.75), red));
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await second.locator(".compare").screenshot({ path: `${SHOTS}/compare-slider.png` });
    }

    // The pointer: a drag takes the divide to where it is let go.
    const sb = await stage.boundingBox();
    await page.mouse.move(sb.x + sb.width * 0.7, sb.y + sb.height / 2);
    await page.mouse.down();
    await page.mouse.move(sb.x + sb.width * 0.2, sb.y + sb.height / 2, { steps: 5 });
    await page.mouse.up();
    const value = Number(await slider.inputValue());
    assert.ok(Math.abs(value - 20) <= 1, `dragged to 20%, got ${value}`);
    at = await colours();
    assert.ok(near(at(0.1), blue) && near(at(0.3), red));

    // Side by side (wide screens): both whole, this turn on the left.
    await second.getByRole("button", { name: "Side by side" }).click();
    at = await colours();
    assert.ok(near(at(0.05), blue) && near(at(0.45), blue) && near(at(0.55), red) && near(at(0.95), red));
    assert.equal(await slider.isVisible(), false);
    await context.close();
  });
});

/**
 * In the page: how many pixels of two images' RGBA differ inside the box
 * [x0, x1) × [y0, y1) given as fractions of the size plus pixel margins
 * (`{ x0: [0.5, 2] }` is w·0.5 + 2); and their sizes and types.
 */
async function compareInPage(page, srcA, srcB, box) {
  return page.evaluate(
    async ([a, b, box]) => {
      const edge = ([f, m], n) => n * f + m;
      const test = (x, y, w, h) => x >= edge(box.x0, w) && x < edge(box.x1, w) && y >= edge(box.y0, h) && y < edge(box.y1, h);
      const read = async (u) => {
        const blob = await (await fetch(u)).blob();
        const bmp = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        const ctx = c.getContext("2d");
        ctx.drawImage(bmp, 0, 0);
        return { w: bmp.width, h: bmp.height, d: ctx.getImageData(0, 0, bmp.width, bmp.height).data, type: blob.type };
      };
      const A = await read(a), B = await read(b);
      let differ = 0, checked = 0;
      if (A.w === B.w && A.h === B.h) {
        for (let y = 0; y < A.h; y++)
          for (let x = 0; x < A.w; x++) {
            if (!test(x, y, A.w, A.h)) continue;
            checked++;
            const i = (y * A.w + x) * 4;
            if (A.d[i] !== B.d[i] || A.d[i + 1] !== B.d[i + 1] || A.d[i + 2] !== B.d[i + 2] || A.d[i + 3] !== B.d[i + 3]) differ++;
          }
      }
      return { differ, checked, a: [A.w, A.h, A.type], b: [B.w, B.h, B.type] };
    },
    [srcA, srcB, box],
  );
}

/** In the page: the RGBA of pixel (fx·w, fy·h) of an image URL. */
async function pixelAt(page, src, fx, fy) {
  return page.evaluate(
    async ([u, fx, fy]) => {
      const bmp = await createImageBitmap(await (await fetch(u)).blob(), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext("2d");
      ctx.drawImage(bmp, 0, 0);
      return [...ctx.getImageData(Math.floor(bmp.width * fx), Math.floor(bmp.height * fy), 1, 1).data];
    },
    [src, fx, fy],
  );
}

describe("region edit", () => {
  test("a rectangle over the left half: the model's output inside, the source byte for byte outside; kept across a reload", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A harbour at dawn");
    const source = results(page).first();
    const sourceSrc = await source.getAttribute("src");
    const sourceBytes = await imageBytes(page, source);
    const opener = page.getByRole("article", { name: "Turn 1" }).getByRole("button", { name: "Edit region" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Edit region" });
    await dialog.waitFor();
    const target = dialog.getByRole("img", { name: "Image to edit" });
    await page.waitForFunction(() => document.querySelector(".region__image")?.complete);
    // The tools are reachable with Tab, Rectangle first and chosen.
    await dialog.getByRole("button", { name: "Rectangle" }).focus();
    assert.equal(await dialog.getByRole("button", { name: "Rectangle" }).getAttribute("aria-pressed"), "true");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Brush");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Eraser");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "region-brush-size");
    assert.ok(await dialog.getByRole("slider", { name: "Brush size" }).isVisible());
    assert.equal(await dialog.getByRole("button", { name: "Apply edit" }).isDisabled(), true, "nothing selected yet");

    // Drag a rectangle over the left half (from beyond the top-left corner).
    const box = await target.boundingBox();
    await page.mouse.move(box.x + 1, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6, { steps: 3 });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 1, { steps: 3 });
    await page.mouse.up();
    // The selection shows as a translucent overlay over the left half only.
    const overlay = await page.evaluate(() => {
      const c = document.querySelector(".region__overlay");
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const alpha = (fx, fy) => d[(Math.floor(c.height * fy) * c.width + Math.floor(c.width * fx)) * 4 + 3];
      return [alpha(0.25, 0.5), alpha(0.75, 0.5)];
    });
    assert.ok(overlay[0] > 0 && overlay[0] < 255, "translucent inside");
    assert.equal(overlay[1], 0, "clear outside");
    await dialog.getByRole("textbox", { name: "Instruction" }).fill("[[solid:00ff00]] paint it green");
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await dialog.screenshot({ path: `${SHOTS}/region-editor.png` });
    }
    await dialog.getByRole("button", { name: "Apply edit" }).click();
    await results(page).nth(1).waitFor({ timeout: 30_000 });
    await page.getByText("Saving…").first().waitFor({ state: "detached", timeout: 30_000 });
    assert.equal(await dialog.isVisible(), false);

    // What the server received: the wrapper with the instruction, the source as it was, a marked copy.
    const sent = (await requests()).at(-1).body;
    assert.equal(sent.contents.length, 3);
    const parts = sent.contents[2].parts;
    assert.match(parts[0].text, /^Edit the first image\. .*inside that area: \[\[solid:00ff00\]\] paint it green\. Keep everything outside it exactly as it is/);
    assert.deepEqual(Buffer.from(parts[1].inlineData.data, "base64"), sourceBytes, "the source image, byte for byte");
    assert.equal(parts[2].inlineData.mimeType, "image/png", "the marked copy");
    // The turn shows the instruction, not the wrapper.
    const turn2 = page.getByRole("article", { name: "Turn 2" });
    assert.equal(await turn2.locator(".turn__prompt").innerText(), "[[solid:00ff00]] paint it green");

    // The composite: PNG at the source's size; inside the rectangle the
    // model's green, outside the source's pixels byte for byte.
    const composite = results(page).nth(1);
    assert.match(await composite.getAttribute("alt"), /^Generated image/);
    const compositeSrc = await composite.getAttribute("src");
    const outside = await compareInPage(page, compositeSrc, sourceSrc, { x0: [0.5, 2], x1: [1, 0], y0: [0, 0], y1: [1, 0] });
    assert.deepEqual(outside.a, [outside.b[0], outside.b[1], "image/png"], "a PNG at the source's size");
    assert.ok(outside.checked > 1000);
    assert.equal(outside.differ, 0, "outside the selection: the source's pixels exactly");
    assert.deepEqual(await pixelAt(page, compositeSrc, 0.25, 0.5), [0, 255, 0, 255], "inside: the model's output");
    const inside = await compareInPage(page, compositeSrc, sourceSrc, { x0: [0, 4], x1: [0.5, -4], y0: [0, 4], y1: [1, -4] });
    assert.ok(inside.checked > 1000 && inside.differ > inside.checked * 0.99, "inside: the model's output, not the source");

    // The model's own output is one click away.
    await turn2.getByText("Model output", { exact: true }).click();
    const raw = turn2.getByRole("img", { name: "Model output" });
    await raw.waitFor();
    assert.deepEqual(await pixelAt(page, await raw.getAttribute("src"), 0.8, 0.5), [0, 255, 0, 255]);

    // Download saves the composite.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      turn2.getByRole("link", { name: "Download" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.png$/);
    assert.deepEqual(await readDownload(download), await imageBytes(page, composite));
    // Use as reference takes the composite, as shown, not the model's output.
    await turn2.getByRole("button", { name: "Use as reference" }).click();
    const reference = page.getByRole("img", { name: /^Reference image: .*\.png$/ });
    await reference.waitFor();
    assert.deepEqual(await imageBytes(page, reference), await imageBytes(page, composite));
    await page.getByRole("button", { name: /^Remove .*\.png$/ }).click();
    await reference.waitFor({ state: "detached" });
    // Compare shows the composite over the source turn's image.
    await turn2.getByRole("button", { name: "Compare" }).click();
    assert.equal(await turn2.getByRole("img", { name: "This turn's image" }).getAttribute("src"), compositeSrc);
    assert.equal(await turn2.getByRole("img", { name: "Previous turn's image" }).getAttribute("src"), sourceSrc);
    await turn2.getByRole("button", { name: "Compare" }).click();

    // The next turn sends the model's raw turn back (its image is the model
    // output, not the composite), and the server's signature check passes.
    const rawBytes = await imageBytes(page, raw);
    await generate(page, "Now add a boat");
    const last = (await requests()).at(-1);
    assert.equal(last.status, 200);
    const replay = last.body.contents;
    assert.equal(replay.length, 5);
    assert.deepEqual(replay[2], sent.contents[2], "the edit's user turn, as sent");
    const images = replay[3].parts.filter((p) => p.inlineData && !p.thought);
    assert.deepEqual(Buffer.from(images.at(-1).inlineData.data, "base64"), rawBytes);

    // After a reload the composite is made anew from the stored source and
    // output: the same pixels, every channel. (Not the same bytes: Chromium's
    // PNG encoder may write the same pixels as RGB or RGBA, at another
    // compression, depending on when it runs.)
    const turn2Image = () =>
      page.getByRole("article", { name: "Turn 2" }).getByRole("img", { name: /^Generated image/ });
    const before = await imageBytes(page, turn2Image());
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    const select = page.getByLabel("Switch conversation");
    const value = await select.locator("option", { hasText: "Conversation 1 (3 turns)" }).getAttribute("value");
    await select.selectOption(value);
    // Turn 2 shows its image once its composite is made.
    await turn2Image().waitFor();
    const beforeUrl = await page.evaluate(
      (b64) => URL.createObjectURL(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: "image/png" })),
      before.toString("base64"),
    );
    const whole = { x0: [0, 0], x1: [1, 0], y0: [0, 0], y1: [1, 0] };
    // The conversation may be shown again as it finishes loading (the
    // composite made anew, the old URL revoked): compare once it stays.
    let same;
    for (let i = 0; i < 25 && same === undefined; i++) {
      same = await turn2Image()
        .getAttribute("src", { timeout: 1000 })
        .then((src) => compareInPage(page, beforeUrl, src, whole))
        .catch(() => undefined);
      if (same === undefined) await page.waitForTimeout(200);
    }
    assert.ok(same, "the composite shows after the reload");
    assert.deepEqual(same.b, same.a, "a PNG at the same size");
    assert.equal(same.checked, 128 * 128);
    assert.equal(same.differ, 0, "the same pixels");
    await context.close();
  });

  test("a reference image in the composer: Edit region with the Brush; the composite keeps the reference outside what was painted", async () => {
    const { context, page } = await openStudio(chromium());
    const reference = makePng(96, 64, 7);
    await page.getByLabel("Add images").setInputFiles({ name: "ref.png", mimeType: "image/png", buffer: reference });
    const thumb = page.getByRole("img", { name: "Reference image: ref.png" });
    await thumb.waitFor();
    const referenceSrc = await thumb.getAttribute("src");
    await page.getByRole("list", { name: "Reference images" }).getByRole("button", { name: "Edit region" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit region" });
    await dialog.waitFor();
    await page.waitForFunction(() => document.querySelector(".region__image")?.complete);
    // Paint a stroke across the middle with the Brush.
    await dialog.getByRole("button", { name: "Brush" }).click();
    assert.equal(await dialog.getByRole("button", { name: "Brush" }).getAttribute("aria-pressed"), "true");
    const box = await dialog.getByRole("img", { name: "Image to edit" }).boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 8 });
    await page.mouse.up();
    await dialog.getByRole("textbox", { name: "Instruction" }).fill("[[solid:ff0000]] make it red");
    await dialog.getByRole("button", { name: "Apply edit" }).click();
    await results(page).first().waitFor({ timeout: 30_000 });
    // Sent: the wrapper, the reference as it was, and the marked copy.
    const parts = (await requests()).at(-1).body.contents.at(-1).parts;
    assert.match(parts[0].text, /^Edit the first image\./);
    assert.deepEqual(Buffer.from(parts[1].inlineData.data, "base64"), reference, "the reference, byte for byte");
    // The composite: red along the stroke, the reference's pixels far from it.
    const composite = await results(page).first().getAttribute("src");
    assert.deepEqual(await pixelAt(page, composite, 0.5, 0.5), [255, 0, 0, 255], "painted: the model's output");
    assert.deepEqual(await pixelAt(page, composite, 0.05, 0.05), await pixelAt(page, referenceSrc, 0.05, 0.05), "not painted: the reference");
    assert.deepEqual(await pixelAt(page, composite, 0.95, 0.95), await pixelAt(page, referenceSrc, 0.95, 0.95));
    await context.close();
  });
});

describe("annotate", () => {
  test("marks drawn with Pen, Arrow, Box and Text, one undone, go to the composer flattened at the source's size", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "[[solid:ffffff]] A white page");
    const source = results(page).first();
    const sourceBytes = await imageBytes(page, source);
    const opener = page.getByRole("article", { name: "Turn 1" }).getByRole("button", { name: "Annotate" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Annotate" });
    await dialog.waitFor();
    // Escape closes, focus goes back.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Annotate");
    await opener.click();
    await dialog.waitFor();
    const target = dialog.getByRole("img", { name: "Image to annotate" });
    await page.waitForFunction(() => document.querySelector("dialog[open] .region__image")?.complete);
    const box = await target.boundingBox();
    const drag = async (from, to) => {
      await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * ((from[0] + to[0]) / 2), box.y + box.height * ((from[1] + to[1]) / 2), { steps: 3 });
      await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 3 });
      await page.mouse.up();
    };
    // A red box.
    await dialog.getByRole("button", { name: "Box" }).click();
    await dialog.getByLabel("Colour").selectOption("Red");
    await drag([0.2, 0.2], [0.8, 0.8]);
    // A pen line, undone.
    await dialog.getByRole("button", { name: "Pen" }).click();
    await drag([0.1, 0.9], [0.9, 0.9]);
    await dialog.getByRole("button", { name: "Undo" }).click();
    // A blue arrow.
    await dialog.getByRole("button", { name: "Arrow" }).click();
    await dialog.getByLabel("Colour").selectOption("Blue");
    await drag([0.1, 0.1], [0.1, 0.6]);
    // Text.
    await dialog.getByLabel("Text to place").fill("X");
    await dialog.getByRole("button", { name: "Text" }).click();
    await page.mouse.click(box.x + box.width * 0.55, box.y + box.height * 0.3);
    assert.equal(await dialog.locator("svg text").count(), 1);
    assert.equal(await dialog.locator("svg polyline").count(), 1, "the pen line was undone; the arrow's shaft remains");
    await dialog.getByRole("button", { name: "Add to composer" }).click();
    await dialog.waitFor({ state: "hidden" });

    const ref = page.getByRole("img", { name: "Reference image: annotated.png" });
    await ref.waitFor();
    const src = await ref.getAttribute("src");
    const info = await page.evaluate(async (u) => {
      const blob = await (await fetch(u)).blob();
      const bmp = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext("2d");
      ctx.drawImage(bmp, 0, 0);
      const px = (fx, fy) => [...ctx.getImageData(Math.floor(bmp.width * fx), Math.floor(bmp.height * fy), 1, 1).data];
      return { type: blob.type, w: bmp.width, h: bmp.height, edge: px(0.2, 0.5), centre: px(0.5, 0.65), pen: px(0.5, 0.9), arrow: px(0.1, 0.35) };
    }, src);
    const natural = await source.evaluate((i) => [i.naturalWidth, i.naturalHeight]);
    assert.equal(info.type, "image/png");
    assert.deepEqual([info.w, info.h], natural, "the source's size");
    assert.ok(info.edge[0] > 180 && info.edge[1] < 120 && info.edge[2] < 120, `the box is red: ${info.edge}`);
    assert.ok(info.arrow[2] > 180 && info.arrow[0] < 120, `the arrow is blue: ${info.arrow}`);
    assert.deepEqual(info.centre, [255, 255, 255, 255], "inside the box: the image");
    assert.deepEqual(info.pen, [255, 255, 255, 255], "the undone pen line is not drawn");
    // The original is untouched.
    assert.deepEqual(await imageBytes(page, source), sourceBytes);

    // Sent as a reference image with the next prompt.
    const annotated = await imageBytes(page, ref);
    await generate(page, "Remove what is boxed in red");
    const parts = (await requests()).at(-1).body.contents.at(-1).parts;
    assert.equal(parts[0].text, "Remove what is boxed in red");
    assert.equal(parts[1].inlineData.mimeType, "image/png");
    assert.deepEqual(Buffer.from(parts[1].inlineData.data, "base64"), annotated);
    await context.close();
  });
});
