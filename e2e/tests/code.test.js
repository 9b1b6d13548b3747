// Get code and prices: the code the studio gives for a turn, downloaded as a ZIP,
// unpacked and run for real (curl, Python with google-genai, node with
// @google/genai) against the local API server, must send the very request the
// studio sent for that turn and write the same image. Each turn and the
// conversation show an estimated price; config.json can replace or hide prices.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureVenv, runPrograms, sameRequest } from "../codegen/run.js";
import {
  MOCK_URL,
  STUDIO_URL,
  TEST_KEY,
  clearRequests,
  configApplied,
  generate,
  imageBytes,
  launch,
  makePng,
  openStudio,
  readDownload,
  requests,
  results,
} from "./helpers.js";

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

let browser;
let python;
let work;
before(async () => {
  browser = await launch();
  python = ensureVenv();
  work = mkdtempSync(join(tmpdir(), "studio-code-"));
});
after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});
beforeEach(clearRequests);

/** The body the studio sent for its latest request, checked to be accepted. */
async function studioBody() {
  const all = await requests();
  const last = all.at(-1);
  assert.equal(last?.status, 200, "the studio's request was accepted");
  return last.body;
}

/** Opens Get code from `scope` (a turn or the composer) and returns the dialog. */
async function openCode(page, scope) {
  await scope.getByRole("button", { name: "Get code" }).click();
  const dialog = page.getByRole("dialog", { name: "Get code" });
  await dialog.waitFor();
  return dialog;
}

/** Downloads the dialog's ZIP, unpacks it with Python's zipfile and returns the folder. */
async function downloadZip(page, dialog, expectedName) {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("button", { name: "Download code and images" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${expectedName}.zip`);
  const zip = join(work, download.suggestedFilename());
  writeFileSync(zip, await readDownload(download));
  const out = mkdtempSync(join(work, "unpacked-"));
  execFileSync("python3", ["-m", "zipfile", "-e", zip, out]);
  assert.deepEqual(readdirSync(out), [expectedName], "everything in one folder");
  await dialog.getByRole("status").filter({ hasText: `Saved ${expectedName}.zip.` }).waitFor();
  return join(out, expectedName);
}

/** No file of `dir` holds the key. */
function assertNoKey(dir) {
  for (const name of readdirSync(dir)) {
    assert.ok(!readFileSync(join(dir, name)).includes(TEST_KEY), `${name} holds no key`);
  }
}

/**
 * Runs the programs of `dir` and checks each sent the studio's body (as
 * `sameRequest` allows; curl byte for byte as JSON), with the key in `keyHeader`,
 * and wrote `image`.
 */
async function runAndCompare(dir, body, image, { keyHeader = "x-goog-api-key", only } = {}) {
  const runs = await runPrograms(dir, { apiUrl: MOCK_URL, key: TEST_KEY, python, only });
  assert.deepEqual(Object.keys(runs), only ?? ["curl", "python", "javascript"]);
  for (const [program, run] of Object.entries(runs)) {
    assert.equal(run.status, 0, `${program} exited ${run.status ?? run.signal}:\n${run.stderr}\n${run.stdout}`);
    assert.equal(run.requests.length, 1, `${program} sent one request`);
    const [received] = run.requests;
    assert.equal(received.status, 200, `${program}: accepted by the API server`);
    assert.equal(received.keyHeader, keyHeader, `${program}: the key's header`);
    assert.equal(received.apiKey, TEST_KEY, `${program}: the key from GEMINI_API_KEY`);
    const cmp = sameRequest(body, received.body);
    assert.deepEqual(cmp.differences, [], `${program}: the studio's request`);
    if (program === "curl") assert.deepEqual(received.body, body, "curl sends the studio's very body");
    assert.ok(run.image, `${program} wrote one result image: ${run.written}`);
    assert.ok(run.image.bytes.equals(image), `${program} wrote the studio's image`);
  }
  return runs;
}

describe("Get code", () => {
  test("a first turn with two reference images: the downloaded curl, Python and JavaScript send its request", async () => {
    const { context, page } = await openStudio(browser);
    await page.getByLabel("Aspect ratio").selectOption("16:9");
    const refs = [makePng(40, 30, 3), makePng(24, 24, 7)];
    await page.getByLabel("Add images").setInputFiles(
      refs.map((buffer, i) => ({ name: `ref${i + 1}.png`, mimeType: "image/png", buffer })),
    );
    await generate(page, "Put the 'cat' from image 1 on the \"sofa\" of image 2 — $HOME `x` \\ ünïcode");
    const body = await studioBody();
    assert.equal(body.contents[0].parts.filter((p) => p.inlineData).length, 2);
    const image = await imageBytes(page, results(page).first());

    const dialog = await openCode(page, page.getByRole("article", { name: "Turn 1" }));
    const text = await dialog.innerText();
    assert.match(text, /The request turn 1 sent/);
    assert.ok(text.includes(`POST ${MOCK_URL}/v1beta/models/gemini-3.1-flash-image-preview:generateContent`), text);
    assert.ok(!text.includes(TEST_KEY), "the key is not in the dialog");

    // ARIA tabs: curl first; arrow keys, Home and End move between them.
    const tabs = dialog.getByRole("tablist", { name: "Language" }).getByRole("tab");
    assert.deepEqual(await tabs.allInnerTexts(), ["curl", "Python", "JavaScript"]);
    const selected = async () => dialog.getByRole("tab", { selected: true }).innerText();
    assert.equal(await selected(), "curl");
    await dialog.getByRole("tab", { name: "curl" }).focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(await selected(), "Python");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Python");
    assert.match(await dialog.getByRole("tabpanel").innerText(), /from google import genai/);
    await page.keyboard.press("ArrowRight");
    assert.equal(await selected(), "JavaScript");
    await page.keyboard.press("ArrowRight");
    assert.equal(await selected(), "curl");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await selected(), "JavaScript");
    await page.keyboard.press("Home");
    assert.equal(await selected(), "curl");
    await page.keyboard.press("End");
    assert.equal(await selected(), "JavaScript");
    assert.match(await dialog.getByRole("tabpanel").innerText(), /@google\/genai/);
    assert.equal(await dialog.getByRole("tabpanel").count(), 1, "only the selected panel shows");

    const dir = await downloadZip(page, dialog, "gemini-code-turn-1");
    assert.deepEqual(readdirSync(dir).sort(), ["README.txt", "curl.sh", "image-1.png", "image-2.png", "main.mjs", "main.py"]);
    assert.ok(readFileSync(join(dir, "image-1.png")).equals(refs[0]));
    assert.ok(readFileSync(join(dir, "image-2.png")).equals(refs[1]));
    assertNoKey(dir);
    await runAndCompare(dir, body, image);

    // Escape closes the dialog.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await context.close();
  });

  test("a third turn with thoughts: the code replays the conversation, signatures and all", async () => {
    const { context, page } = await openStudio(browser);
    await page.getByLabel("Include thoughts").check();
    await page.getByLabel("Key header").selectOption("bearer");
    for (const prompt of ["A lighthouse at dusk", "Add a rowing boat", "Make it snow"]) await generate(page, prompt);
    const body = await studioBody();
    assert.equal(body.contents.length, 5);
    assert.ok(body.contents[1].parts.some((p) => p.thought === true && p.inlineData), "thought images are sent back");
    assert.ok(body.contents[3].parts.some((p) => p.thoughtSignature), "signatures are sent back");
    const image = await imageBytes(page, results(page).nth(2));

    const dialog = await openCode(page, page.getByRole("article", { name: "Turn 3" }));
    assert.match(await dialog.innerText(), /sent as Authorization: Bearer/);
    const dir = await downloadZip(page, dialog, "gemini-code-turn-3");
    assertNoKey(dir);
    await runAndCompare(dir, body, image, { keyHeader: "authorization" });
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
    await context.close();
  });

  test("the composer's Get code is the request Generate sends; Copy copies the code shown", async () => {
    const { context, page } = await openStudio(browser);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(STUDIO_URL).origin });
    await generate(page, "A paper crane");
    const ref = makePng(16, 16, 5);
    await page.getByLabel("Add images").setInputFiles({ name: "small.png", mimeType: "image/png", buffer: ref });
    await page.getByRole("textbox", { name: "Prompt" }).fill("Fold it from newspaper");

    const dialog = await openCode(page, page.getByRole("form", { name: "Composer" }));
    const text = await dialog.innerText();
    assert.match(text, /The request Generate would send now/);
    assert.match(text, /Images: 2 images \(.*\), pasted into this code as base64/);
    const shown = await dialog.getByRole("tabpanel").locator("pre").innerText();
    assert.ok(shown.includes("Fold it from newspaper"));
    assert.ok(shown.includes(ref.toString("base64")), "a small image is pasted in");
    await dialog.getByRole("button", { name: "Copy" }).click();
    await dialog.getByRole("status").filter({ hasText: "Copied the curl code." }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied.trim(), shown.trim());
    assert.ok(!copied.includes(TEST_KEY));

    const dir = await downloadZip(page, dialog, "gemini-code-next-turn");
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
    // Generate sends what the code sends.
    await clearRequests();
    await page.getByRole("button", { name: "Generate" }).click();
    await results(page).nth(1).waitFor();
    await page.getByText("Saving…").first().waitFor({ state: "detached" });
    const body = await studioBody();
    await runAndCompare(dir, body, await imageBytes(page, results(page).nth(1)), { only: ["curl"] });
    await context.close();
  });

  test("behind a proxy that holds the key, the dialog says any GEMINI_API_KEY will do", async () => {
    const { context, page, errors } = await openWithConfig({ proxyHoldsKey: true }, { key: null });
    await page.getByRole("textbox", { name: "Prompt" }).fill("A kettle");
    const dialog = await openCode(page, page.getByRole("form", { name: "Composer" }));
    assert.match(await dialog.innerText(), /This site's proxy adds its own API key: set GEMINI_API_KEY to any value/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a request the studio would refuse gives no code, and says why", async () => {
    const { context, page } = await openStudio(browser);
    await page.getByRole("form", { name: "Composer" }).getByRole("button", { name: "Get code" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /No code for this request.*Write a prompt or add an image first/s);
    assert.equal(await page.getByRole("dialog", { name: "Get code" }).count(), 0);
    await context.close();
  });
});

// ---------------------------------------------------------------- prices

const PRICES = JSON.parse(readFileSync(join(REPO, "gemini/data/prices.json"), "utf8"));

/** "This turn: 10 in · 1130 out · 300 thinking · 1440 total tokens" → numbers. */
function tokens(line) {
  const m = /(\d+) in · (\d+) out · (\d+) thinking · (\d+) total tokens/.exec(line);
  assert.ok(m, line);
  return { input: +m[1], output: +m[2], thinking: +m[3] };
}

/** Micro-dollars as the page writes them: to a tenth of a cent. */
function usd(micros) {
  const mills = Math.round(micros / 1000);
  const s = (mills / 1000).toFixed(3);
  return `$${s.endsWith("0") ? s.slice(0, -1) : s}`;
}

async function openWithConfig(config, { key = TEST_KEY } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.route("**/config.json", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(config) }),
  );
  const loaded = page.waitForResponse((r) => r.url().endsWith("/config.json"));
  await page.goto(STUDIO_URL);
  await page.getByRole("button", { name: "Generate" }).waitFor();
  await loaded;
  await configApplied(page);
  if (key) await page.getByLabel("API key", { exact: true }).fill(key);
  return { context, page, errors };
}

const turnLine = (page, n) => page.getByRole("article", { name: `Turn ${n}` }).locator(".turn__actions .turn__meta").first();
const totalLine = (page) => page.locator(".conversation__total");

describe("prices", () => {
  test("each turn shows its estimated price beside its tokens, the conversation its total", async () => {
    const { context, page } = await openStudio(browser);
    await page.getByLabel("Variants").selectOption("2");
    await generate(page, "A red kite over hills");
    const line = await turnLine(page, 1).innerText();
    // The local API server reports 1120 image tokens for a 1K image of 3.1 Flash;
    // the rest of the output is text. Both variants count.
    const p = PRICES.models["gemini-3.1-flash-image-preview"];
    const t = tokens(line);
    const micros =
      t.input * p.inputPerMillion +
      (t.output - 2 * 1120) * p.outputTextPerMillion +
      t.thinking * p.outputTextPerMillion +
      2 * 1120 * p.outputImagePerMillion;
    assert.ok(line.endsWith(` · est. ${usd(micros)}`), `${line} (expected ${usd(micros)})`);
    assert.ok(micros > 2 * 60_000, "two images at about $0.067 each");
    const total = await totalLine(page).innerText();
    assert.ok(total.endsWith(` · est. ${usd(micros)}`), total);
    await context.close();
  });

  test("config.json can set the prices, leave a model without one, or hide prices", async () => {
    const perImage = {
      models: {
        "gemini-3.1-flash-image-preview": {
          inputPerMillion: 0,
          outputTextPerMillion: 0,
          outputImagePerImage: { default: 0.5 },
        },
      },
    };
    let { context, page, errors } = await openWithConfig({ prices: perImage });
    await generate(page, "A teapot");
    await generate(page, "Make it blue");
    assert.match(await turnLine(page, 1).innerText(), / · est\. \$0\.50$/);
    assert.match(await totalLine(page).innerText(), / · est\. \$1\.00$/);
    assert.deepEqual(errors, []);
    await context.close();

    // A table without the model in use: no guess.
    ({ context, page, errors } = await openWithConfig({
      prices: { models: { "gemini-3-pro-image-preview": perImage.models["gemini-3.1-flash-image-preview"] } },
    }));
    await generate(page, "A teapot");
    assert.match(await turnLine(page, 1).innerText(), / · price unknown$/);
    assert.match(await totalLine(page).innerText(), / · price unknown$/);
    await context.close();

    ({ context, page, errors } = await openWithConfig({ prices: false }));
    await generate(page, "A teapot");
    const line = await turnLine(page, 1).innerText();
    assert.match(line, /total tokens$/, "tokens still shown");
    assert.doesNotMatch(await page.locator("main").innerText(), /est\. \$|price unknown/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
