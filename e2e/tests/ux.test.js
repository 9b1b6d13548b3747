// A studio people choose: accessibility audits (axe-core) on every state, the
// whole flow by keyboard, shortcuts, themes, Markdown, the examples of the
// empty page, and layouts from phone to wide desktop, with screenshots.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { generate, makePng, openStudio, readDownload, requests, results, send, STUDIO_URL, TEST_KEY, useBrowser } from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const SHOTS = process.env.SCREENSHOT_DIR;
const prompt = (page) => page.getByRole("textbox", { name: "Prompt" });

/** The axe-core audit of the page as it is now: its serious and critical
 * violations (the rest go to the report the run writes). */
const report = [];
async function audit(page, state) {
  // Through the DevTools protocol, so the page's policy (no inline script) does not apply.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    // Not into frames: the search suggestions frame is sandboxed (an opaque origin); its title is checked here.
    const r = await window.axe.run(document, { resultTypes: ["violations"], iframes: false });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
  });
  report.push({ state, violations });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Presses Tab until `locator` has the focus, as a keyboard user would. */
async function tabTo(page, locator, { back = false, max = 80 } = {}) {
  const handle = await locator.elementHandle();
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((el) => document.activeElement === el, handle)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  assert.fail(`Tab never reached ${locator}`);
}

/** The focused element shows where it is (an outline or a ring). */
async function focusShows(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    const label = el.labels?.[0];
    const ring = (st) => (st.outlineStyle !== "none" && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== "none";
    return ring(s) || (label && ring(getComputedStyle(label)));
  });
}

describe("accessible to everyone", () => {
  after(() => {
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      writeFileSync(join(SHOTS, "..", "accessibility-report.json"), JSON.stringify(report, null, 2));
    }
  });

  test("axe finds no serious or critical violation in any state of the page, in either theme", async () => {
    for (const scheme of ["dark", "light"]) {
      const { context, page } = await openStudio(chromium());
      await page.emulateMedia({ colorScheme: scheme });
      const found = [];
      const check = async (state) => found.push(...(await audit(page, `${scheme}: ${state}`)).map((v) => ({ state, ...v })));
      await check("empty");
      await page.getByText("Requests", { exact: true }).click();
      await page.getByLabel("Retries").waitFor();
      await check("settings open");
      await page.getByLabel("Include thoughts").check();
      await page.getByLabel("Google Search").check();
      await send(page, "A lighthouse [[slow:3000]]");
      await page.getByRole("article", { name: "Turn in progress" }).waitFor();
      await check("a running turn");
      await results(page).first().waitFor({ timeout: 30_000 });
      await page.locator("details.thinking summary").first().click();
      await check("a finished turn with thinking and sources");
      await generate(page, "[[status:400]] refused");
      await page.getByRole("alert").waitFor();
      await check("an error");
      await page.locator("summary", { hasText: /^History/ }).click();
      await page.getByRole("list", { name: "Conversations" }).waitFor();
      await check("history open");
      await page.getByRole("button", { name: "Get code" }).last().click();
      await page.getByRole("dialog", { name: "Get code" }).waitFor();
      await check("the Get code dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
      await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
      await check("the Keyboard shortcuts dialog");
      await page.keyboard.press("Escape");
      await page.getByLabel("API base URL").fill("https://generativelanguage.googleapis.com");
      await page.getByLabel("API base URL").press("Tab");
      await page.getByRole("alertdialog").waitFor();
      await check("the key-destination dialog");
      assert.deepEqual(found, [], "no serious or critical violation");
      await context.close();
    }
  });

  test("a whole session by keyboard alone: settings, images, generate, cancel, download, history, dialogs", async () => {
    const { context, page } = await openStudio(chromium());
    // Settings: a menu changed with the arrow keys.
    const ratio = page.getByLabel("Aspect ratio");
    const before = await ratio.inputValue();
    await tabTo(page, ratio, { back: true });
    assert.ok(await focusShows(page), "the focus shows on a menu");
    await page.keyboard.press("ArrowDown");
    assert.notEqual(await ratio.inputValue(), before);
    // An image through the file chooser, opened with the keyboard. Listening
    // well before the key press lets Playwright turn on Chromium's file
    // chooser interception first (listening in the same step as the press
    // can miss the chooser).
    const chooserShown = page.waitForEvent("filechooser", { timeout: 60_000 });
    await tabTo(page, page.getByLabel("Add images"));
    assert.ok(await focusShows(page), "the focus shows on Add images");
    await page.keyboard.press("Space");
    const chooser = await chooserShown;
    await chooser.setFiles({ name: "ref.png", mimeType: "image/png", buffer: makePng(32, 32, 3) });
    await page.getByRole("img", { name: "Reference image: ref.png" }).waitFor();
    // Generate with Ctrl+Enter from the prompt.
    await tabTo(page, prompt(page), { back: true });
    await page.keyboard.type("A fox made by keyboard");
    await page.keyboard.press("Control+Enter");
    await results(page).first().waitFor({ timeout: 30_000 });
    // Cancel with Escape: the prompt stays.
    await prompt(page).focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("[[slow:20000]] a slow one");
    await page.keyboard.press("Control+Enter");
    await page.getByRole("button", { name: "Cancel" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Generate" }).waitFor();
    assert.equal(await prompt(page).inputValue(), "[[slow:20000]] a slow one");
    // Download with Enter.
    const download = page.getByRole("link", { name: "Download" }).first();
    await tabTo(page, download, { back: true });
    assert.ok(await focusShows(page), "the focus shows on a link");
    const [file] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    assert.ok((await readDownload(file)).length > 0);
    // History with Enter on its summary.
    const history = page.locator("summary", { hasText: /^History/ });
    await tabTo(page, history, { back: true });
    await page.keyboard.press("Enter");
    await page.getByRole("list", { name: "Conversations" }).waitFor();
    // A dialog traps the focus and gives it back to its opener.
    const opener = page.getByRole("button", { name: "Get code" }).last();
    await tabTo(page, opener);
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Get code" });
    await dialog.waitFor();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "the focus stays in the dialog");
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.ok(await opener.evaluate((el) => document.activeElement === el), "the focus is back on Get code");
    // The shortcuts dialog by "?", closed by Escape.
    await page.keyboard.press("Shift+Slash");
    const shortcuts = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await shortcuts.waitFor();
    await page.keyboard.press("Escape");
    await shortcuts.waitFor({ state: "hidden" });
    assert.ok(await opener.evaluate((el) => document.activeElement === el), "the focus is back where it was");
    await context.close();
  });

  test("shortcuts: / focuses the prompt, N starts a conversation, H toggles the history, ? lists them all", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "A first picture");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).focus();
    await page.keyboard.press("/");
    assert.ok(await prompt(page).evaluate((el) => document.activeElement === el));
    assert.equal(await prompt(page).inputValue(), "", "the / is not typed");
    // Single keys type in a text field.
    await page.keyboard.type("nh");
    assert.equal(await prompt(page).inputValue(), "nh");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).focus();
    await page.keyboard.press("h");
    await page.getByRole("list", { name: "Conversations" }).waitFor();
    await page.keyboard.press("h");
    await page.getByRole("list", { name: "Conversations" }).waitFor({ state: "detached" });
    await page.keyboard.press("n");
    await page.getByRole("article", { name: "Turn 1" }).waitFor({ state: "detached" });
    assert.ok(await prompt(page).evaluate((el) => document.activeElement === el), "a new conversation puts the focus in the prompt");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).focus();
    await page.keyboard.press("Shift+Slash");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    assert.deepEqual(await dialog.locator("kbd").allInnerTexts(), ["Ctrl+Enter (⌘+Enter)", "Escape", "N", "/", "H", "?"]);
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal((await requests()).length, 1, "no shortcut sent anything");
    await context.close();
  });

  test("a running turn is announced politely, then its result", async () => {
    const { context, page } = await openStudio(chromium());
    await send(page, "A heron [[slow:1500]]");
    await page.getByRole("article", { name: "Turn in progress" }).getByRole("status").filter({ hasText: /Sending|Waiting|model/ }).waitFor();
    assert.equal(await page.getByRole("article", { name: "Turn in progress" }).getByRole("status").getAttribute("aria-live"), "polite");
    await results(page).first().waitFor({ timeout: 30_000 });
    await context.close();
  });
});

describe("looks and feels right", () => {
  test("the model's Markdown shows as formatting, never as markup or HTML", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Include thoughts").check();
    await generate(page, "A **bold** fox with *soft* fur");
    const text = page.locator(".turn__text").first();
    await text.locator("strong", { hasText: "bold" }).waitFor();
    await text.locator("em", { hasText: "soft" }).waitFor();
    assert.ok(!(await text.innerText()).includes("**"));
    await page.locator("details.thinking summary").first().click();
    const thinking = page.locator("details.thinking").first();
    await thinking.locator("strong", { hasText: "Planning the composition" }).waitFor();
    assert.ok(!(await thinking.innerText()).includes("**"), "no asterisks in the thinking");
    // HTML in the model's text is text.
    await generate(page, "[[html-text]] as text");
    assert.equal(await page.locator(".turn__text img, .turn__text script, .turn__text b").count(), 0);
    await context.close();
  });

  test("the empty page teaches with three examples that fill the composer and send nothing", async () => {
    const { context, page } = await openStudio(chromium());
    const examples = page.getByRole("list", { name: "Example prompts" });
    for (const name of ["Create from words", "Edit a photo", "Combine images"]) {
      await examples.getByRole("button", { name: new RegExp(`^${name}`) }).waitFor();
    }
    await examples.getByRole("button", { name: /^Edit a photo/ }).click();
    assert.match(await prompt(page).inputValue(), /pencil sketch/);
    assert.ok(await prompt(page).evaluate((el) => document.activeElement === el));
    await examples.getByRole("button", { name: /^Create from words/ }).click();
    assert.match(await prompt(page).inputValue(), /lighthouse/);
    assert.equal((await requests()).length, 0);
    await context.close();
  });

  test("light and dark follow the system until the Theme menu chooses, and the choice is kept", async () => {
    const { context, page } = await openStudio(chromium());
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = (c) => c.match(/\d+/g).slice(0, 3).every((n) => Number(n) > 200);
    await page.emulateMedia({ colorScheme: "light" });
    assert.ok(light(await background()), "light system: light page");
    await page.emulateMedia({ colorScheme: "dark" });
    assert.ok(!light(await background()), "dark system: dark page");
    await page.getByLabel("Theme").selectOption("light");
    assert.ok(light(await background()), "chosen light wins over a dark system");
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    assert.equal(await page.getByLabel("Theme").inputValue(), "light");
    assert.ok(light(await background()), "the choice is kept");
    await page.getByLabel("Theme").selectOption("system");
    assert.ok(!light(await background()));
    await context.close();
  });

  test("more contrast and less motion, when the system asks", async () => {
    const { context, page } = await openStudio(chromium());
    const border = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--border").trim());
    const plain = await border();
    await page.emulateMedia({ contrast: "more" });
    assert.notEqual(await border(), plain, "stronger borders with prefers-contrast: more");
    // A running turn's placeholder animates, unless motion is reduced.
    const animation = () =>
      page.locator(".placeholder").first().evaluate((el) => parseFloat(getComputedStyle(el).animationDuration) * 1000);
    await send(page, "A slow river [[slow:4000]]");
    await page.locator(".placeholder").first().waitFor();
    assert.ok((await animation()) > 1, "it moves by default");
    await page.emulateMedia({ reducedMotion: "reduce" });
    assert.ok((await animation()) < 1, "nothing moves with prefers-reduced-motion");
    await page.getByRole("button", { name: "Cancel" }).click();
    await context.close();
  });

  test("phone, tablet and desktop: nothing scrolls sideways, touch targets are 44 px, screenshots written", async () => {
    const browser = chromium();
    for (const width of [360, 768, 1280, 1920]) {
      const touch = width <= 768;
      const context = await browser.newContext({ viewport: { width, height: 900 }, isMobile: touch, hasTouch: touch, acceptDownloads: true });
      const page = await context.newPage();
      await page.goto(STUDIO_URL);
      await page.getByRole("button", { name: "Generate" }).waitFor();
      await page.getByLabel("API key", { exact: true }).fill(TEST_KEY);
      const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const shoot = async (name) => {
        assert.ok((await sideways()) <= 0, `${width} px, ${name}: nothing scrolls sideways`);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `ux-${width}-${name}.png`), fullPage: touch });
      };
      await shoot("empty");
      for (const p of ["A red kite over dunes", "Make the sky violet", "Add a second kite"]) await generate(page, p);
      await shoot("three-turns");
      if (touch) {
        const small = await page.evaluate(() =>
          [...document.querySelectorAll("button, select, summary, a.button, label.button")]
            .filter((el) => el.offsetParent !== null && !el.closest(".visually-hidden"))
            .map((el) => ({ el, r: el.getBoundingClientRect() }))
            .filter(({ r }) => r.width > 0 && (r.height < 44 || r.width < 44))
            .map(({ el, r }) => `${el.tagName} "${(el.getAttribute("aria-label") ?? el.textContent).trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`),
        );
        assert.deepEqual(small, [], `${width} px: every touch target is at least 44 × 44 px`);
      }
      await page.getByText("Requests", { exact: true }).scrollIntoViewIfNeeded();
      await page.getByText("Requests", { exact: true }).click();
      await shoot("settings");
      await page.locator("summary", { hasText: /^History/ }).click();
      await page.getByRole("list", { name: "Conversations" }).waitFor();
      await shoot("history");
      for (const scheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme: scheme });
        if (SHOTS && (width === 360 || width === 1280)) await page.screenshot({ path: join(SHOTS, `ux-${width}-${scheme}.png`) });
      }
      await context.close();
    }
  });
});
