// The first screen is only what Generate needs: Export/Import and Get code are
// loaded on first use (wasm chunks of the split release build), and code that
// cannot be loaded is said, with Reload, never a frozen control.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { STUDIO_URL, TEST_KEY, generate, makePng, openStudio, readDownload, requests, untilStored, useBrowser } from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });

// Service workers blocked: what the page fetches is what is seen (and routed),
// not what a worker answers from its cache.
const NO_WORKER = { contextOptions: { serviceWorkers: "block" } };

const wasmFetched = (log) => log.urls.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname);
const chunk = (name) => new RegExp(`/split_${name}-[0-9a-f]{8}\\.wasm$`);

/** Holds back the answer for chunk `name` until the returned function is
 * called; `target` is a page, or a context (routes in place before the first
 * request, from `openStudio`'s `prepare`). */
async function hold(target, name) {
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await target.route(chunk(name), async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

async function openHistory(page) {
  if ((await page.locator("details.history").getAttribute("open")) === null) {
    await page.locator("summary", { hasText: /^History \(/ }).click();
  }
}

async function exportAll(page) {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export all" }).click(),
  ]);
  return readDownload(download);
}

/** The studio opened with the `later` chunk held back until `release()`. */
async function openWithLaterHeld() {
  let release;
  const opened = await openStudio(chromium(), {
    ...NO_WORKER,
    // The key field comes with that chunk: typed once it is in.
    key: null,
    prepare: async (ctx) => {
      release = await hold(ctx, "later");
    },
  });
  return { ...opened, release };
}

describe("code loaded on first use", () => {
  test("the first screen fetches one wasm; each feature's chunk is fetched once, on its first use", async () => {
    const { context, page, log } = await openStudio(chromium(), NO_WORKER);
    let seen = 0;
    /** The wasm files fetched since the last call. */
    const fetchedNow = () => {
      const all = wasmFetched(log);
      const now = all.slice(seen);
      seen = all.length;
      return now;
    };
    // The main module, then (after the first paint) browser storage's code
    // and the turns' view, with any small shared chunk they need.
    const afterPaint = ["storage", "later"];
    const started = () => afterPaint.every((name) => wasmFetched(log).some((u) => chunk(name).test(u)));
    for (let i = 0; i < 100 && !started(); i++) await page.waitForTimeout(50);
    const atStart = fetchedNow();
    assert.match(atStart[0] ?? "", /_bg\.wasm$/, `the main module first: ${atStart}`);
    assert.deepEqual(
      atStart.slice(1).filter((u) => !afterPaint.some((name) => chunk(name).test(u)) && !/\/chunk_\d+-[0-9a-f]{8}\.wasm$/.test(u)),
      [],
      `nothing else at start: ${atStart}`,
    );
    for (const name of afterPaint) {
      assert.equal(atStart.filter((u) => chunk(name).test(u)).length, 1, `${name}'s chunk once: ${atStart}`);
    }
    await generate(page, "A red fox");
    assert.deepEqual(fetchedNow(), [], "Generate needs nothing more");
    // The chunk of `name`, and with it any small shared chunk (`chunk_N`) it
    // needs that was not fetched before; never one fetched twice.
    const only = (name) => {
      const now = fetchedNow();
      assert.equal(now.filter((u) => chunk(name).test(u)).length, 1, `the ${name} chunk: ${now}`);
      assert.deepEqual(now.filter((u) => !chunk(name).test(u) && !/\/chunk_\d+-[0-9a-f]{8}\.wasm$/.test(u)), [], `${now}`);
      const all = wasmFetched(log);
      assert.equal(new Set(all).size, all.length, `each wasm fetched once: ${all}`);
    };

    const turn = page.getByRole("article", { name: "Turn 1" });
    await turn.getByRole("button", { name: "Get code" }).click();
    const dialog = page.getByRole("dialog", { name: "Get code" });
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /A red fox/);
    await dialog.getByRole("button", { name: "Close" }).click();
    only("code");

    await openHistory(page);
    await page.locator("ul.history__list").waitFor();
    only("history");
    const file = await exportAll(page);
    assert.ok(file.length > 1000, "an export with the image");
    only("archive");

    // Import runs from the loaded chunk; nothing is fetched again.
    await page.getByLabel("Import").setInputFiles({ name: "gemini-studio-export.zip", mimeType: "application/zip", buffer: file });
    await page.getByRole("status").filter({ hasText: "already here" }).waitFor();
    await turn.getByRole("button", { name: "Get code" }).click();
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    assert.deepEqual(fetchedNow(), []);

    // The image tools: one chunk, on the first of them.
    await page.getByRole("img", { name: /^Generated image/ }).first().click();
    const viewer = page.getByRole("dialog", { name: "Image viewer" });
    await viewer.waitFor();
    await page.keyboard.press("Escape");
    await viewer.waitFor({ state: "hidden" });
    only("editor");
    await turn.getByRole("button", { name: "Edit region" }).click();
    await page.getByRole("dialog", { name: "Edit region" }).waitFor();
    await page.keyboard.press("Escape");
    await turn.getByRole("button", { name: "Annotate" }).click();
    await page.getByRole("dialog", { name: "Annotate" }).waitFor();
    await page.keyboard.press("Escape");
    assert.deepEqual(fetchedNow(), []);

    // The other dialogs: one chunk.
    await page.getByRole("button", { name: "Prompts", exact: true }).click();
    await page.getByRole("dialog", { name: "Prompt library" }).waitFor();
    await page.keyboard.press("Escape");
    only("dialogs");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await page.keyboard.press("Escape");
    assert.deepEqual(fetchedNow(), []);
    await context.close();
  });

  test("the chunks fetched right after the first paint go at low priority; a feature asked for meanwhile does not wait behind them", async () => {
    const context = await chromium().newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    const priority = new Map();
    cdp.on("Network.requestWillBeSent", (e) => {
      if (e.request.url.endsWith(".wasm")) priority.set(new URL(e.request.url).pathname, e.request.initialPriority);
    });
    const asked = (re) => [...priority.keys()].some((p) => re.test(p));
    await page.goto(STUDIO_URL);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    for (let i = 0; i < 100 && !(asked(chunk("later")) && asked(chunk("storage"))); i++) await page.waitForTimeout(50);
    const afterPaint = new Map(priority);
    await page.locator("summary", { hasText: /^History \(/ }).click();
    await page.locator(".history__body").waitFor();
    const main = [...afterPaint.keys()].find((p) => /\/studio-[0-9a-f]{16}_bg\.wasm$/.test(p));
    assert.equal(afterPaint.get(main), "High", "the main module as the page needs it");
    const background = [...afterPaint].filter(([p]) => p !== main);
    assert.ok(background.some(([p]) => chunk("later").test(p)) && background.some(([p]) => chunk("storage").test(p)), [...afterPaint.keys()].join(" "));
    for (const [p, level] of background) assert.equal(level, "Low", `${p}, fetched unasked after the first paint`);
    const history = [...priority].filter(([p]) => !afterPaint.has(p));
    assert.ok(history.some(([p]) => chunk("history").test(p)), `history's chunk: ${history.map(([p]) => p).join(" ")}`);
    for (const [p, level] of history) assert.equal(level, "High", `${p}, asked for by a click`);
    await context.close();
  });

  test("the stylesheet of the dialogs and tools is fetched only once the page has painted, and styles them", async () => {
    const html = await (await fetch(STUDIO_URL)).text();
    const linked = html.match(/<link rel="stylesheet" href="[^"]*\/(later-[0-9a-f]{16}\.css)" integrity="sha384-[^"]+" disabled\/>/);
    assert.ok(linked, "index.html links it, disabled");
    let generateShown = false;
    let askedBeforeGenerate = null;
    const { context, page } = await openStudio(chromium(), {
      ...NO_WORKER,
      prepare: async (ctx) => {
        await ctx.route(/\/later-[0-9a-f]{16}\.css$/, (route) => {
          askedBeforeGenerate ??= !generateShown;
          return route.continue();
        });
        await ctx.exposeFunction("__generateShown", () => (generateShown = true));
        await ctx.addInitScript(() => {
          new MutationObserver((_, obs) => {
            if (document.querySelector("form.composer button[type=submit]")) {
              window.__generateShown();
              obs.disconnect();
            }
          }).observe(document, { subtree: true, childList: true });
        });
      },
    });
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    assert.equal(askedBeforeGenerate, false, "asked for after Generate showed");
    assert.equal(await page.locator("link[rel=stylesheet][disabled]").count(), 0, "enabled");
    // `.dialog`'s rounded corners are in that stylesheet.
    assert.notEqual(await dialog.evaluate((d) => getComputedStyle(d).borderTopLeftRadius), "0px");
    await context.close();
  });

  test("the main module is fetched beside the stylesheet, not after it", async () => {
    // The stylesheet is held back until the main module is asked for (or 5 s
    // pass): nothing in the head may wait for the stylesheet before the
    // wasm's preload is reached.
    let wasmAsked;
    const asked = new Promise((resolve) => (wasmAsked = resolve));
    let cssHeldUntilWasm = null;
    const { context, page } = await openStudio(chromium(), {
      ...NO_WORKER,
      prepare: async (ctx) => {
        ctx.on("request", (r) => {
          if (/_bg\.wasm$/.test(r.url())) wasmAsked(true);
        });
        await ctx.route(/\/studio-[0-9a-f]{16}\.css$/, async (route) => {
          cssHeldUntilWasm = await Promise.race([asked, new Promise((r) => setTimeout(() => r(false), 5000))]);
          await route.continue();
        });
      },
    });
    assert.equal(cssHeldUntilWasm, true, "the main module was asked for while the stylesheet was still on its way");
    await generate(page, "a lighthouse");
    await context.close();
  });

  test("a chunk that does not load is an alert with Reload; the rest works, a later use loads it, Reload keeps the work", async () => {
    const { context, page } = await openStudio(chromium(), NO_WORKER);
    await generate(page, "A blue heron");
    let refused = 0;
    const refuse = (route) => {
      refused++;
      return route.abort("internetdisconnected");
    };
    await page.route(chunk("archive"), refuse);
    await openHistory(page);
    await page.getByRole("button", { name: "Export all" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Export could not start: its code did not load" });
    await alert.waitFor();
    assert.match(await alert.textContent(), /Reload the page/);
    assert.equal(await alert.getByRole("button", { name: "Reload" }).count(), 1);
    assert.equal(refused, 1);

    // Nothing is frozen: Generate works, and Export loads its code once it can.
    await generate(page, "Now at night");
    await page.unroute(chunk("archive"), refuse);
    const file = await exportAll(page);
    assert.ok(file.length > 1000);
    assert.equal(await alert.count(), 0, "the alert is gone (the Generate above cleared it)");

    // Get code's chunk fails too; Reload brings the page back with the work.
    await page.route(chunk("code"), refuse);
    await page.getByRole("textbox", { name: "Prompt" }).fill("Keep this prompt");
    await page.getByRole("form", { name: "Composer" }).getByRole("button", { name: "Get code" }).click();
    const codeAlert = page.getByRole("alert").filter({ hasText: "Get code could not start: its code did not load" });
    await codeAlert.waitFor();
    assert.equal(await page.getByRole("dialog", { name: "Get code" }).count(), 0);
    await page.unroute(chunk("code"), refuse);
    await untilStored(page, "drafts", (all) => all.some((d) => d.record?.prompt === "Keep this prompt"), "the draft is kept");
    await Promise.all([page.waitForEvent("load"), codeAlert.getByRole("button", { name: "Reload" }).click()]);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    const prompt = page.getByRole("textbox", { name: "Prompt" });
    for (let i = 0; i < 100 && (await prompt.inputValue()) !== "Keep this prompt"; i++) await page.waitForTimeout(100);
    assert.equal(await prompt.inputValue(), "Keep this prompt", "the prompt is back after Reload");
    await page.getByRole("img", { name: /^Generated image/ }).first().waitFor();
    await context.close();
  });

  test("a view whose chunk does not load: an alert with Reload, the control works again once it loads", async () => {
    const { context, page } = await openStudio(chromium(), NO_WORKER);
    await generate(page, "A green parrot");
    const refuse = (route) => route.abort("internetdisconnected");
    await page.route(chunk("editor"), refuse);
    await page.getByRole("img", { name: /^Generated image/ }).first().click();
    const alert = page.getByRole("alert").filter({ hasText: "The image viewer could not start: its code did not load" });
    await alert.waitFor();
    assert.equal(await alert.getByRole("button", { name: "Reload" }).count(), 1);
    assert.equal(await page.getByRole("dialog", { name: "Image viewer" }).count(), 0);
    // Not left open in the state: the same click tries again and opens it.
    await page.unroute(chunk("editor"), refuse);
    await page.getByRole("img", { name: /^Generated image/ }).first().click();
    await page.getByRole("dialog", { name: "Image viewer" }).waitFor();
    await page.keyboard.press("Escape");
    await context.close();
  });

  test("while a feature's code is being fetched, that is said; it goes when the feature opens", async () => {
    const { context, page } = await openStudio(chromium(), NO_WORKER);
    await generate(page, "A grey wolf");
    // The chunk's answer is held until the page has said it is loading.
    const release = await hold(page, "code");
    await page.getByRole("article", { name: "Turn 1" }).getByRole("button", { name: "Get code" }).click();
    const loading = page.getByRole("status").filter({ hasText: "Get code: loading…" });
    await loading.waitFor();
    assert.equal(await page.getByRole("dialog", { name: "Get code" }).count(), 0);
    release();
    await page.getByRole("dialog", { name: "Get code" }).waitFor();
    await loading.waitFor({ state: "hidden" });
    await page.getByRole("dialog", { name: "Get code" }).getByRole("button", { name: "Close" }).click();

    // A view's chunk likewise: the history panel.
    const releaseHistory = await hold(page, "history");
    await openHistory(page);
    const historyLoading = page.getByRole("status").filter({ hasText: "History: loading…" });
    await historyLoading.waitFor();
    assert.equal(await page.locator("ul.history__list").count(), 0);
    releaseHistory();
    await page.locator("ul.history__list").waitFor();
    await historyLoading.waitFor({ state: "hidden" });

    // And a command whose work waits for its code: Export.
    const releaseArchive = await hold(page, "archive");
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export all" }).click();
    const exportLoading = page.getByRole("status").filter({ hasText: "Export: loading…" });
    await exportLoading.waitFor();
    releaseArchive();
    assert.ok((await readDownload(await download)).length > 1000, "the export, with the image");
    await exportLoading.waitFor({ state: "hidden" });
    await context.close();
  });

  test("Generate works while browser storage's code is on its way; the turn is saved once it comes", async () => {
    let release;
    const { context, page } = await openStudio(chromium(), {
      ...NO_WORKER,
      prepare: async (ctx) => {
        release = await hold(ctx, "storage");
      },
    });
    await page.getByRole("textbox", { name: "Prompt" }).fill("A quiet lake");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("img", { name: /^Generated image/ }).first().waitFor();
    const waiting = page.getByText("Waiting for storage…");
    await waiting.waitFor();
    release();
    await waiting.waitFor({ state: "detached" });
    await untilStored(page, "turns", (all) => all.length === 1, "the turn made before storage opened is stored");
    await context.close();
  });

  test("a draft that comes back after something was typed is offered, never lost: Put back the draft from your last visit", async () => {
    const { context, page } = await openStudio(chromium(), NO_WORKER);
    const prompt = page.getByRole("textbox", { name: "Prompt" });
    await prompt.fill("A castle at dusk");
    await untilStored(page, "drafts", (all) => all.some((d) => d.record?.prompt === "A castle at dusk"), "the draft is kept");
    // Storage's code held back after the reload: typing comes first.
    const release = await hold(page, "storage");
    await page.reload();
    await prompt.fill("A dog");
    release();
    const offer = page.getByRole("group", { name: "Draft from your last visit" });
    await offer.waitFor();
    assert.match(await offer.textContent(), /A castle at dusk/);
    assert.equal(await prompt.inputValue(), "A dog", "what was typed stays");
    await untilStored(page, "drafts", (all) => all.some((d) => d.record?.prompt === "A dog"), "what was typed is the draft now");
    await offer.getByRole("button", { name: "Put back the draft from your last visit" }).click();
    await offer.waitFor({ state: "detached" });
    assert.equal(await prompt.inputValue(), "A castle at dusk");
    await untilStored(page, "drafts", (all) => all.some((d) => d.record?.prompt === "A castle at dusk"), "the draft put back is kept again");
    // What was typed is not lost either: offered in its place, to swap back.
    const typed = page.getByRole("group", { name: "What you typed" });
    assert.match(await typed.textContent(), /A dog/);
    await typed.getByRole("button", { name: "Put back what you typed" }).click();
    assert.equal(await prompt.inputValue(), "A dog");
    await page.getByRole("group", { name: "Draft from your last visit" }).getByRole("button", { name: "Dismiss the draft from your last visit" }).click();
    await page.getByRole("group", { name: "Draft from your last visit" }).waitFor({ state: "detached" });
    await context.close();
  });

  test("browser storage whose code does not load: an alert with Reload, Generate still works, turns say they are not saved", async () => {
    const { context, page } = await openStudio(chromium(), {
      ...NO_WORKER,
      prepare: (ctx) => ctx.route(chunk("storage"), (route) => route.abort("internetdisconnected")),
    });
    const alert = page.getByRole("alert").filter({ hasText: "Browser storage could not start: its code did not load" });
    await alert.waitFor();
    assert.equal(await alert.getByRole("button", { name: "Reload" }).count(), 1);
    // Honest about it: what is made now is not kept (never "your work is kept").
    assert.match(await alert.textContent(), /not kept in this browser/);
    assert.doesNotMatch(await alert.textContent(), /are kept\)/);
    await page.getByRole("textbox", { name: "Prompt" }).fill("A stone bridge");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("img", { name: /^Generated image/ }).first().waitFor();
    await page.getByText("Not saved", { exact: true }).first().waitFor();
    await context.close();
  });

  test("the code loaded after the first paint (turns' view, requests, connection) not loading: an alert with Reload, the prompt kept; the next use loads it", async () => {
    let refuse = true;
    const { context, page } = await openStudio(chromium(), {
      ...NO_WORKER,
      // No key field to type it in: the connection's fields are in that chunk.
      key: null,
      prepare: (ctx) => ctx.route(chunk("later"), (route) => (refuse ? route.abort("internetdisconnected") : route.continue())),
    });
    // One alert for the views that need it (whichever failed first), with Reload.
    const alert = page.getByRole("alert").filter({ hasText: /(The conversation view|The reference images|Connection settings|The top bar|History) could not start: its code did not load/ });
    await alert.waitFor();
    assert.equal(await alert.getByRole("button", { name: "Reload" }).count(), 1);
    // Nor can an image be read without it: said, nothing half-added.
    await page.getByLabel("Add images").setInputFiles({ name: "small.png", mimeType: "image/png", buffer: makePng(16, 16, 5) });
    await page.getByRole("alert").filter({ hasText: "Add images could not start: its code did not load" }).waitFor();
    await page.getByText("0 / 14 images").waitFor();
    // Generate cannot send without its code: it says so, nothing is lost.
    // Every alert shown is noted (the turns' view, tried again when the
    // request ends, may say its own right after).
    await page.evaluate(() => {
      window.__alerts = [];
      new MutationObserver(() => {
        for (const a of document.querySelectorAll('[role="alert"]')) window.__alerts.push(a.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const prompt = page.getByRole("textbox", { name: "Prompt" });
    await prompt.fill("A red kite");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.waitForFunction(() => window.__alerts.some((t) => t.includes("Generate could not start: its code did not load")));
    await page.getByRole("button", { name: "Generate" }).waitFor();
    assert.equal(await prompt.inputValue(), "A red kite", "the prompt is kept");
    assert.equal(await page.getByRole("article", { name: "Turn 1" }).count(), 0);
    assert.equal(await page.getByLabel("API key", { exact: true }).count(), 0, "no key field without its code");
    // Once it can load, opening the Connection section again asks for its
    // fields: the key, then the same Generate works and the turn shows, and
    // images can be added.
    refuse = false;
    const connection = page.locator("summary", { hasText: "Connection" });
    await connection.click();
    await connection.click();
    await page.getByLabel("API key", { exact: true }).fill(TEST_KEY);
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("article", { name: "Turn 1" }).getByRole("img", { name: /^Generated image/ }).first().waitFor();
    await page.getByLabel("Add images").setInputFiles({ name: "small.png", mimeType: "image/png", buffer: makePng(16, 16, 5) });
    await page.getByText("1 / 14 images").waitFor();
    // What the page does from the first paint on came with it too: the
    // preferences are kept, the keyboard shortcuts work.
    await page.waitForFunction(() => localStorage.getItem("studio.settings.v1") !== null);
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Shift+Slash");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await context.close();
  });

  test("Cancel while Generate waits for its code: nothing is sent, the prompt stays, the next Generate works", async () => {
    const { context, page, release } = await openWithLaterHeld();
    const prompt = page.getByRole("textbox", { name: "Prompt" });
    await prompt.fill("A barn owl");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("status").filter({ hasText: "Generate: loading…" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("Cancelled. Your prompt and images are still here.").waitFor();
    release();
    await page.getByRole("status").filter({ hasText: "Generate: loading…" }).waitFor({ state: "hidden" });
    // The chunk is in now: had the cancelled turn gone on, it would have sent.
    await page.waitForTimeout(500);
    assert.equal((await requests()).length, 0, "nothing sent");
    assert.equal(await prompt.inputValue(), "A barn owl");
    assert.equal(await page.getByRole("article", { name: "Turn 1" }).count(), 0);
    await page.getByLabel("API key", { exact: true }).fill(TEST_KEY);
    await generate(page, "A barn owl");
    assert.equal((await requests()).length, 1);
    await context.close();
  });

  test("Generate pressed while its code loads, then an image added: it waits for the image and sends it", async () => {
    const { context, page, release } = await openWithLaterHeld();
    await page.getByRole("textbox", { name: "Prompt" }).fill("A kingfisher");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("status").filter({ hasText: "Generate: loading…" }).waitFor();
    const png = makePng(16, 16, 9);
    await page.getByLabel("Add images").setInputFiles({ name: "bird.png", mimeType: "image/png", buffer: png });
    release();
    await page.getByRole("img", { name: "Reference image: bird.png" }).waitFor();
    for (let i = 0; i < 100 && (await requests()).length === 0; i++) await page.waitForTimeout(100);
    await page.waitForTimeout(300);
    const sent = await requests();
    assert.equal(sent.length, 1, "sent once");
    const parts = sent[0].body.contents.at(-1).parts;
    assert.equal(parts[0].text, "A kingfisher");
    assert.equal(parts.filter((p) => p.inlineData).length, 1, "with the image added while it waited");
    await context.close();
  });

  test("a site's config.json is checked by code fetched only when there is one; if it does not load, that is said and it is read at the next online", async () => {
    let refuse = true;
    const { context, page, log } = await openStudio(chromium(), {
      ...NO_WORKER,
      prepare: async (ctx) => {
        await ctx.route("**/config.json", (route) =>
          route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ banner: "Welcome to the team studio" }) }),
        );
        await ctx.route(chunk("config"), (route) => (refuse ? route.abort("internetdisconnected") : route.continue()));
      },
    });
    const alert = page.getByRole("alert");
    await alert.filter({ hasText: "config.json was not used" }).waitFor();
    assert.match(await alert.innerText(), /config\.json was not used: the code that reads it did not load \(reload the page\)/);
    assert.equal(await page.getByText("Welcome to the team studio").count(), 0);
    // The studio works with its built-in settings meanwhile.
    await generate(page, "Works without the site's settings");
    refuse = false;
    await page.evaluate(() => dispatchEvent(new Event("online")));
    await page.getByText("Welcome to the team studio").waitFor();
    assert.equal(await page.getByText("config.json was not used").count(), 0);
    assert.equal(wasmFetched(log).filter((u) => chunk("config").test(u)).length, 2, "asked for twice: refused, then loaded");
    await context.close();
  });

  test("config.json read twice while its code is on its way (an online event meanwhile): applied once, nothing said", async () => {
    let release;
    let configReads = 0;
    const { context, page, log } = await openStudio(chromium(), {
      ...NO_WORKER,
      prepare: async (ctx) => {
        await ctx.route("**/config.json", (route) => {
          configReads += 1;
          return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ banner: "Welcome to the team studio" }) });
        });
        release = await hold(ctx, "config");
      },
    });
    for (let i = 0; i < 100 && !wasmFetched(log).some((u) => chunk("config").test(u)); i++) await page.waitForTimeout(50);
    await page.evaluate(() => dispatchEvent(new Event("online")));
    for (let i = 0; i < 100 && configReads < 2; i++) await page.waitForTimeout(50);
    assert.equal(configReads, 2, "read again at the online event");
    release();
    await page.getByText("Welcome to the team studio").waitFor();
    await page.locator('.app[data-config="read"]').waitFor({ state: "attached" });
    assert.equal(await page.getByText("Welcome to the team studio").count(), 1);
    assert.equal(await page.getByText("config.json was not used").count(), 0);
    assert.equal(wasmFetched(log).filter((u) => chunk("config").test(u)).length, 1, "its code fetched once");
    await context.close();
  });

  test("a share link whose reading code does not load stays in the address: said with Reload, and read once the code loads", async () => {
    let refuse = true;
    const { context, page } = await openStudio(chromium(), {
      ...NO_WORKER,
      key: "",
      url: `${new URL(STUDIO_URL).href}#share?v=1&prompt=A%20heron`,
      prepare: async (ctx) => {
        await ctx.route(chunk("later"), (route) => (refuse ? route.abort("internetdisconnected") : route.continue()));
        // Every alert shown is noted (the turns' view, which needs the same
        // code, may say its own right after).
        await ctx.addInitScript(() => {
          window.__alerts = [];
          new MutationObserver(() => {
            for (const a of document.querySelectorAll('[role="alert"]')) window.__alerts.push(a.textContent);
          }).observe(document, { subtree: true, childList: true, characterData: true });
        });
      },
    });
    await page.waitForFunction(() => window.__alerts.some((t) => t.includes("The share link could not start: its code did not load")));
    await page.getByRole("alert").getByRole("button", { name: "Reload" }).waitFor();
    assert.match(page.url(), /#share\?v=1&prompt=A%20heron$/, "the link is kept for the reload");
    refuse = false;
    await page.reload();
    const offer = page.getByRole("dialog", { name: "Open a shared prompt?" });
    await offer.waitFor();
    await offer.getByRole("button", { name: "Use this prompt" }).click();
    assert.equal(await page.getByRole("textbox", { name: "Prompt" }).inputValue(), "A heron");
    assert.doesNotMatch(page.url(), /#share/, "read once: gone from the address");
    await context.close();
  });

  test("an Import whose code does not load changes nothing: a deletion waiting out its Undo time can still be undone", async () => {
    const { context, page } = await openStudio(chromium(), NO_WORKER);
    await generate(page, "A white owl");
    await openHistory(page);
    await page.getByRole("button", { name: "Delete A white owl" }).click();
    const undo = page.getByRole("status").filter({ hasText: "Deleted" });
    await undo.waitFor();
    const refuse = (route) => route.abort("internetdisconnected");
    await page.route(chunk("archive"), refuse);
    await page.getByLabel("Import").setInputFiles({ name: "gemini-studio-export.zip", mimeType: "application/zip", buffer: Buffer.from("PK") });
    await page.getByRole("alert").filter({ hasText: "Import could not start: its code did not load" }).waitFor();
    await undo.getByRole("button", { name: "Undo" }).click();
    await page.getByRole("button", { name: /^A white owl/ }).waitFor();
    await context.close();
  });
});
