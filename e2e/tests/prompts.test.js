// Prompts kept at hand: share links (the prompt and settings of a turn in the
// URL fragment) and the prompt library (saved in the browser, in the export).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  STUDIO_URL,
  TEST_KEY,
  clearRequests,
  configApplied,
  generate,
  openStudio,
  readDownload,
  readZip,
  requests,
  useBrowser,
  writeZip,
} from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });
const prompt = (page) => page.getByRole("textbox", { name: "Prompt" });

describe("share links", () => {
  test("a turn's link carries its prompt and settings, never the key or images; opening it asks first and sends nothing", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Aspect ratio").selectOption("16:9");
    await page.getByLabel("Image size").selectOption("2K");
    await page.getByLabel("Google Search").check();
    const text = "A fox & a hare at 100% — «dawn» #1\nsecond line";
    await generate(page, text);
    await page.getByRole("button", { name: "Share", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Share this prompt" });
    await dialog.waitFor();
    const link = await dialog.getByLabel("Share link").inputValue();
    const url = new URL(link);
    assert.equal(url.origin + url.pathname, new URL(STUDIO_URL).href);
    assert.equal(url.search, "", "nothing in the query: a server would log it");
    assert.match(url.hash, /^#share\?v=1&prompt=/);
    assert.ok(!link.includes(TEST_KEY), "never the key");
    assert.ok(!/base64|data:|blob:|iVBOR/.test(link), "never images");
    assert.ok(link.length < 400, link);
    await dialog.getByRole("button", { name: "Close" }).click();
    await context.close();

    // Someone else opens it: they see what it carries; nothing is applied or sent until they accept.
    await clearRequests();
    // (No key typed: the offer is a modal dialog, the page behind it inert.)
    const other = await openStudio(chromium(), { url: link, key: "" });
    const offer = other.page.getByRole("dialog", { name: "Open a shared prompt?" });
    await offer.waitFor();
    assert.equal(await offer.getByLabel("Shared prompt").innerText(), text);
    await offer.getByText(/Settings: .*16:9 · 2K.*Google Search/).waitFor();
    assert.equal(await prompt(other.page).inputValue(), "", "not applied before accepting");
    assert.equal(new URL(other.page.url()).hash, "", "the fragment is read once and removed");
    await offer.getByRole("button", { name: "Use this prompt" }).click();
    await offer.waitFor({ state: "hidden" });
    assert.equal(await prompt(other.page).inputValue(), text);
    assert.equal(await other.page.getByLabel("Aspect ratio").inputValue(), "16:9");
    assert.equal(await other.page.getByLabel("Image size").inputValue(), "2K");
    assert.ok(await other.page.getByLabel("Google Search").isChecked());
    assert.deepEqual(await requests(), [], "opening a share link sends nothing");
    await other.context.close();
  });

  test("a link's model the site does not offer is not chosen: the prompt goes in, the settings stay, a notice says why", async () => {
    const context = await chromium().newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    await page.route("**/config.json", (route) =>
      route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ models: ["gemini-3.1-flash-image-preview"], allowCustomModel: false }) }),
    );
    const configLoaded = page.waitForResponse((r) => r.url().endsWith("/config.json"));
    await page.goto(`${new URL(STUDIO_URL).href}#share?v=1&prompt=Hello%20there&model=gemini-3-pro-image-preview`);
    await configLoaded;
    const offer = page.getByRole("dialog", { name: "Open a shared prompt?" });
    await offer.waitFor();
    await configApplied(page);
    await offer.getByRole("button", { name: "Use this prompt" }).click();
    await page.getByText(/The link's model \(gemini-3-pro-image-preview\) is not offered on this site/).waitFor();
    assert.equal(await prompt(page).inputValue(), "Hello there");
    assert.equal(await page.getByLabel("Model", { exact: true }).inputValue(), "gemini-3.1-flash-image-preview");
    assert.equal((await requests()).length, 0);
    await context.close();
  });

  test("dismissing leaves the composer alone; a damaged or hostile link is refused or trimmed, never applied blindly", async () => {
    const base = new URL(STUDIO_URL).href;
    const { context, page } = await openStudio(chromium(), {
      url: `${base}#share?v=1&prompt=Hello&key=SECRET&apiBase=https%3A%2F%2Fevil.example&model=gemini-3.1-flash-image-preview&ratio=99:1`,
      key: "",
    });
    const offer = page.getByRole("dialog", { name: "Open a shared prompt?" });
    await offer.waitFor();
    await offer.getByText(/Not used from the link: Unknown field “key”; unknown field “apiBase”; aspect ratio “99:1”/).waitFor();
    assert.ok(!(await offer.innerText()).includes("SECRET"));
    await offer.getByRole("button", { name: "Dismiss" }).click();
    await offer.waitFor({ state: "hidden" });
    assert.equal(await prompt(page).inputValue(), "");

    // Bad percent-encoding: said, nothing offered.
    await page.goto(`${base}#share?v=1&prompt=%E2%82`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.getByRole("alert").filter({ hasText: "This share link cannot be used" }).waitFor();
    await page.getByRole("alert").getByText(/damaged/).waitFor();
    assert.equal(await offer.isVisible(), false);
    // Far too long: refused before it is read.
    await page.goto(`${base}#share?v=1&prompt=${"a".repeat(1_300_000)}`);
    await page.getByRole("alert").filter({ hasText: "This share link cannot be used" }).getByText(/too long/).waitFor();
    assert.equal(await prompt(page).inputValue(), "");
    assert.deepEqual(await requests(), []);
    await context.close();
  });
});

async function openLibrary(page) {
  await page.getByRole("button", { name: "Prompts", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Prompt library" });
  await dialog.waitFor();
  return dialog;
}

describe("prompt library", () => {
  test("save (with settings), search, insert, edit, delete; kept across a reload", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Aspect ratio").selectOption("3:4");
    await prompt(page).fill("A watercolor fox in the snow");
    let lib = await openLibrary(page);
    await lib.getByLabel("Name", { exact: true }).fill("Fox");
    await lib.getByRole("button", { name: "Save prompt" }).click();
    await lib.getByRole("heading", { name: "Fox" }).waitFor();
    await lib.getByRole("button", { name: "Close" }).click();

    await page.getByLabel("Aspect ratio").selectOption("1:1");
    await prompt(page).fill("A brutalist lighthouse at night");
    lib = await openLibrary(page);
    await lib.getByLabel("Name", { exact: true }).fill("Lighthouse");
    await lib.getByLabel("With its settings").uncheck();
    await lib.getByRole("button", { name: "Save prompt" }).click();
    await lib.getByRole("heading", { name: "Lighthouse" }).waitFor();
    const saved = lib.getByRole("list", { name: "Saved prompts" }).getByRole("listitem");
    assert.equal(await saved.count(), 2);

    // Search by name or by words of the prompt.
    await lib.getByLabel("Search prompts").fill("snow");
    await lib.getByRole("heading", { name: "Lighthouse" }).waitFor({ state: "detached" });
    assert.equal(await saved.count(), 1);
    await lib.getByLabel("Search prompts").fill("nothing like this");
    await lib.getByText("No saved prompt matches.").waitFor();
    await lib.getByLabel("Search prompts").fill("");

    // Kept in the browser: a reload still has both.
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.getByLabel("API key", { exact: true }).fill(TEST_KEY);
    await page.getByLabel("Aspect ratio").selectOption("1:1");
    await prompt(page).fill("");
    lib = await openLibrary(page);
    await lib.getByRole("heading", { name: "Lighthouse" }).waitFor();

    // Insert with its settings: the composer and the aspect ratio; nothing is sent.
    await lib.getByRole("button", { name: "Insert Fox" }).click();
    await lib.waitFor({ state: "hidden" });
    assert.equal(await prompt(page).inputValue(), "A watercolor fox in the snow");
    assert.equal(await page.getByLabel("Aspect ratio").inputValue(), "3:4");
    // Saved without settings: the settings stay as they are.
    lib = await openLibrary(page);
    await lib.getByRole("button", { name: "Insert Lighthouse" }).click();
    assert.equal(await prompt(page).inputValue(), "A brutalist lighthouse at night");
    assert.equal(await page.getByLabel("Aspect ratio").inputValue(), "3:4");
    assert.deepEqual(await requests(), []);

    // Edit in place.
    lib = await openLibrary(page);
    await lib.getByRole("button", { name: "Edit Fox" }).click();
    const form = lib.getByRole("form", { name: "Edit Fox" });
    await form.getByLabel("Name").fill("Arctic fox");
    await form.getByLabel("Prompt text").fill("An arctic fox, watercolor");
    await form.getByRole("button", { name: "Save changes" }).click();
    await lib.getByRole("heading", { name: "Arctic fox" }).waitFor();
    await lib.getByText("An arctic fox, watercolor").waitFor();

    // Delete.
    await lib.getByRole("button", { name: "Delete Lighthouse" }).click();
    await lib.getByRole("heading", { name: "Lighthouse" }).waitFor({ state: "detached" });
    assert.equal(await saved.count(), 1);
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    lib = await openLibrary(page);
    await lib.getByRole("heading", { name: "Arctic fox" }).waitFor();
    assert.equal(await saved.count(), 1);
    await context.close();
  });

  test("the library goes with Export all and comes back with Import; an export without prompts still imports", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A teapot");
    await prompt(page).fill("A porcelain teapot, studio light");
    const lib = await openLibrary(page);
    await lib.getByLabel("Name", { exact: true }).fill("Teapot");
    await lib.getByRole("button", { name: "Save prompt" }).click();
    await lib.getByRole("heading", { name: "Teapot" }).waitFor();
    await lib.getByRole("button", { name: "Close" }).click();
    const summary = page.locator("summary", { hasText: /^History \(/ });
    await page.locator("summary", { hasText: "History (1)" }).waitFor();
    await summary.click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export all" }).click(),
    ]);
    const file = await readDownload(download);
    const manifest = JSON.parse(readZip(file).get("manifest.json").toString("utf8"));
    assert.equal(manifest.version, 2);
    assert.equal(manifest.prompts.length, 1);
    assert.equal(manifest.prompts[0].name, "Teapot");
    assert.equal(manifest.prompts[0].prompt, "A porcelain teapot, studio light");
    assert.equal(manifest.prompts[0].settings.model, "gemini-3.1-flash-image-preview");
    await context.close();

    const fresh = await openStudio(chromium());
    await fresh.page.locator("summary", { hasText: "History (0)" }).waitFor();
    await fresh.page.locator("summary", { hasText: /^History \(/ }).click();
    await fresh.page.getByLabel("Import").setInputFiles({ name: "gemini-studio-export.zip", mimeType: "application/zip", buffer: file });
    await fresh.page.getByRole("status").filter({ hasText: "Imported 1 conversation and 1 saved prompt." }).waitFor();
    const freshLib = await openLibrary(fresh.page);
    await freshLib.getByRole("heading", { name: "Teapot" }).waitFor();
    await freshLib.getByRole("button", { name: "Close" }).click();
    // The same again adds nothing; the same file without its prompts imports as before.
    await fresh.page.getByLabel("Import").setInputFiles({ name: "gemini-studio-export.zip", mimeType: "application/zip", buffer: file });
    await fresh.page.getByRole("status").filter({ hasText: "Imported 0 conversations (1 already here, skipped)." }).waitFor();
    await fresh.context.close();

    // An export written before the library existed (no "prompts") still imports.
    const { prompts, ...older } = manifest;
    assert.equal(prompts.length, 1);
    const entries = [...readZip(file)].map(([name, data]) => [name, name === "manifest.json" ? Buffer.from(JSON.stringify(older)) : data]);
    const third = await openStudio(chromium());
    await third.page.locator("summary", { hasText: "History (0)" }).waitFor();
    await third.page.locator("summary", { hasText: /^History \(/ }).click();
    await third.page.getByLabel("Import").setInputFiles({ name: "older.zip", mimeType: "application/zip", buffer: writeZip(entries) });
    await third.page.getByRole("status").filter({ hasText: "Imported 1 conversation." }).waitFor();
    const thirdLib = await openLibrary(third.page);
    await thirdLib.getByText("No saved prompts yet", { exact: false }).waitFor();
    await third.context.close();
  });
});
