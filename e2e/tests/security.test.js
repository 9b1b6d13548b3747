// Security: the built page's Content Security Policy, where the API key may go
// (and where it must never appear), and model output treated as data.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  MOCK_URL,
  STUDIO_URL,
  TEST_KEY,
  clearRequests,
  configApplied,
  generate,
  lastRequest,
  launch,
  makePng,
  readDownload,
  requests,
} from "./helpers.js";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A fresh studio page that records everything a key could leak into. */
async function open({ key = TEST_KEY } = {}) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile ?? ""}:${e.lineNumber ?? ""}`),
    );
  });
  const page = await context.newPage();
  const log = { console: [], urls: [], pageErrors: [], dialogs: [] };
  page.on("console", (m) => log.console.push(m.text()));
  page.on("pageerror", (e) => log.pageErrors.push(String(e)));
  page.on("request", (r) => log.urls.push(r.url()));
  page.on("dialog", async (d) => {
    log.dialogs.push(d.message());
    await d.dismiss();
  });
  // Closing also checks that nothing threw or panicked in the page.
  const close = context.close.bind(context);
  context.close = async () => {
    const panics = log.console.filter((m) => m.includes("panicked at"));
    await close();
    assert.deepEqual([...log.pageErrors, ...panics], [], "no uncaught error or panic in the page");
  };
  await page.goto(STUDIO_URL);
  await page.getByRole("button", { name: "Generate" }).waitFor();
  if (key) await page.getByLabel("API key", { exact: true }).fill(key);
  return { context, page, log };
}

async function violations(page, log) {
  const events = await page.evaluate(() => window.__csp ?? []);
  return [...events, ...log.console.filter((m) => /Content Security Policy/i.test(m))];
}

/** Everything the page keeps: localStorage, sessionStorage and every IndexedDB record, as text. */
async function storedEverywhere(page) {
  return page.evaluate(async () => {
    const text = async (v, depth = 0) => {
      if (depth > 8 || v == null) return String(v);
      if (v instanceof Blob) return v.text();
      if (v instanceof ArrayBuffer) return new TextDecoder().decode(v);
      if (ArrayBuffer.isView(v)) return new TextDecoder().decode(v);
      if (Array.isArray(v)) return (await Promise.all(v.map((x) => text(x, depth + 1)))).join(" ");
      if (typeof v === "object") {
        const parts = [];
        for (const [k, x] of Object.entries(v)) parts.push(`${k}=${await text(x, depth + 1)}`);
        return parts.join(" ");
      }
      return String(v);
    };
    const req = (r) => new Promise((res, rej) => ((r.onsuccess = () => res(r.result)), (r.onerror = () => rej(r.error))));
    const idb = [];
    for (const { name } of (await indexedDB.databases?.()) ?? []) {
      const db = await req(indexedDB.open(name));
      for (const store of db.objectStoreNames) {
        const tx = db.transaction(store);
        const keys = await req(tx.objectStore(store).getAllKeys());
        const values = await req(tx.objectStore(store).getAll());
        idb.push(`${name}/${store}: ${await text(keys)} ${await text(values)}`);
      }
      db.close();
    }
    return {
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      indexedDb: idb.join("\n"),
    };
  });
}

describe("content security policy", () => {
  test("the built page carries a strict policy that hashes Trunk's inline loader", async () => {
    const html = await (await fetch(STUDIO_URL)).text();
    const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
    assert.ok(policy, "a CSP <meta> in index.html");
    assert.ok(html.indexOf("Content-Security-Policy") < html.indexOf("<script"), "before any script");
    const directives = Object.fromEntries(
      policy.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
    );
    assert.deepEqual(directives["default-src"], ["'none'"]);
    assert.ok(!directives["script-src"].includes("'unsafe-inline'"), policy);
    assert.equal(directives["script-src-elem"], undefined);
    assert.equal(directives["script-src-attr"], undefined);
    assert.ok(!policy.includes("'unsafe-eval'"), policy);
    assert.ok(directives["script-src"].includes("'wasm-unsafe-eval'"));
    // Styles from the site's files only: no <style> element, no style attribute
    // (the search suggestions' styles go through CSSOM in their frame).
    assert.deepEqual(directives["style-src"], ["'self'"]);
    assert.equal(directives["style-src-elem"], undefined);
    assert.equal(directives["style-src-attr"], undefined);
    assert.deepEqual(directives["img-src"], ["'self'", "blob:", "data:"]);
    assert.deepEqual(directives["object-src"], ["'none'"]);
    assert.deepEqual(directives["base-uri"], ["'self'"]);
    assert.deepEqual(directives["connect-src"].slice(0, 2), ["'self'", "blob:"]);
    for (const origin of directives["connect-src"].slice(2)) assert.match(origin, /^https:\/\/[a-z0-9.-]+$/);
    // Every inline script is allowed by its hash, and only by it.
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.ok(inline.length >= 1);
    const hashes = directives["script-src"].filter((s) => s.startsWith("'sha256-"));
    // The inline scripts of index.html, and the search suggestions' frame script.
    assert.equal(hashes.length, inline.length + 1);
    const frameScript = readFileSync(new URL("../../assets/suggestions-frame.js", import.meta.url), "utf8");
    assert.ok(hashes.includes(`'sha256-${createHash("sha256").update(frameScript).digest("base64")}'`));
    for (const s of inline) {
      const hash = `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
      assert.ok(hashes.includes(hash), `${hash} for the inline loader`);
    }
  });

  test("an inline style injected into the page is blocked, while the search suggestions still render", async () => {
    const { context, page } = await open();
    await page.getByLabel("Google Search").check();
    await generate(page, "The weather as a chart");
    const frame = page.frameLocator("iframe.sources__suggestions");
    await frame.getByText("weather san francisco").waitFor();
    // Its style applied (through CSSOM), its script not run.
    assert.equal(
      await frame.getByText("weather san francisco").evaluate((e) => getComputedStyle(e).color),
      "rgb(26, 115, 232)",
    );
    assert.equal(await page.evaluate(() => window.__groundingScriptRan ?? null), null);
    assert.equal(await page.title(), "Gemini Studio");
    const blocked = await page.evaluate(
      () =>
        new Promise((resolve) => {
          addEventListener("securitypolicyviolation", (e) => resolve(e.effectiveDirective), { once: true });
          const s = document.createElement("style");
          s.textContent = "body { background: rgb(255, 0, 0) !important; }";
          document.head.appendChild(s);
          setTimeout(() => resolve(getComputedStyle(document.body).backgroundColor), 2000);
        }),
    );
    assert.match(blocked, /^style-src/);
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(255, 0, 0)");
    await context.close();
  });

  test("a full session raises no policy violation", async () => {
    const { context, page, log } = await open();
    // Settings: every control once.
    await page.getByLabel("Image only").check();
    await page.getByLabel("Image only").uncheck();
    await page.getByLabel("Aspect ratio").selectOption("3:2");
    await page.getByLabel("Image size").selectOption("1K");
    await page.getByLabel("Thinking level").selectOption("high");
    await page.getByLabel("Include thoughts").check();
    await page.getByLabel("Google Search").check();
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByRole("button", { name: "Hide" }).click();
    // An image in, a generation with thoughts and search grounding, the thinking shown, a download.
    await page.getByLabel("Add images").setInputFiles({ name: "ref.png", mimeType: "image/png", buffer: makePng(24, 24, 4) });
    await page.getByRole("img", { name: "Reference image: ref.png" }).waitFor();
    await generate(page, "A weather chart for Lisbon");
    await page.getByRole("img", { name: /^Generated image/ }).first().waitFor();
    await page.locator("details.thinking summary").first().click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download" }).first().click(),
    ]);
    await readDownload(download);
    // Model text that looks like HTML, an API error, a Cancel.
    await generate(page, "[[html-text]] now as text");
    await generate(page, "[[status:503]] overloaded");
    await page.getByRole("alert").waitFor();
    await page.getByRole("textbox", { name: "Prompt" }).fill("[[slow:20000]] slow");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    // The key-destination dialog, declined.
    await page.getByLabel("API base URL").fill("https://generativelanguage.googleapis.com");
    await page.getByLabel("API base URL").press("Tab");
    await page.getByRole("button", { name: "Keep the current address" }).click();
    await page.waitForTimeout(300);
    assert.deepEqual(await violations(page, log), []);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.dialogs, []);
    await context.close();
  });

  test("an API origin the build does not allow is blocked by the browser, and the key never leaves", async () => {
    const { context, page, log } = await open();
    // Same server, another origin: not in this build's connect-src.
    const other = MOCK_URL.replace("127.0.0.1", "localhost");
    await page.getByLabel("API base URL").fill(other);
    await page.getByLabel("API base URL").press("Tab");
    await page.getByRole("alertdialog").waitFor();
    await page.getByRole("button", { name: "Send my key there" }).click();
    await page.getByText(/This page's security policy does not allow requests to http:\/\/localhost:\d+/).waitFor();
    await clearRequests();
    await generate(page, "This must not leave the page");
    await page.getByRole("alert").waitFor();
    assert.equal((await requests()).length, 0, "the API server received nothing");
    const v = await violations(page, log);
    assert.ok(v.some((x) => x.includes("connect-src") && x.includes("localhost")), v.join("\n"));
    await context.close();
  });
});

describe("the API key", () => {
  test("never appears in a URL, storage, IndexedDB, the console, the page, an error or a download", async () => {
    const { context, page, log } = await open();
    await clearRequests();
    await generate(page, "A key-safe lighthouse");
    await page.getByRole("img", { name: "Generated image: A key-safe lighthouse" }).waitFor();
    const req = await lastRequest();
    assert.equal(req.apiKey, TEST_KEY, "sent, in its header");
    assert.equal(req.keyHeader, "x-goog-api-key");
    const downloads = [];
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download" }).first().click(),
    ]);
    downloads.push(await readDownload(download));
    // Any export the page offers (conversation, history …) is searched as well.
    const exports = page.getByRole("button", { name: /export/i }).or(page.getByRole("link", { name: /export/i }));
    for (let i = 0; i < (await exports.count()); i++) {
      const [d] = await Promise.all([page.waitForEvent("download", { timeout: 10_000 }), exports.nth(i).click()]);
      downloads.push(await readDownload(d));
    }
    // Errors, including a refused key.
    const errors = [];
    for (const prompt of ["[[status:403]] denied", "[[status:400-precondition]] region", "[[status:500]] broken"]) {
      await generate(page, prompt);
      errors.push(await page.getByRole("alert").innerText());
    }
    await page.getByLabel("API key", { exact: true }).fill("invalid-key");
    await generate(page, "with a wrong key");
    errors.push(await page.getByRole("alert").innerText());
    await page.getByLabel("API key", { exact: true }).fill(TEST_KEY);

    for (const u of log.urls) assert.ok(!u.includes(TEST_KEY), `in a URL: ${u}`);
    for (const m of log.console) assert.ok(!m.includes(TEST_KEY), `in the console: ${m}`);
    for (const e of errors) assert.ok(!e.includes(TEST_KEY), `in an error: ${e}`);
    for (const d of downloads) assert.ok(!d.includes(Buffer.from(TEST_KEY)), "in a download");
    const stored = await storedEverywhere(page);
    assert.ok(!stored.local.includes(TEST_KEY), "in localStorage");
    assert.ok(!stored.session.includes(TEST_KEY), "in sessionStorage");
    assert.ok(!stored.indexedDb.includes(TEST_KEY), "in IndexedDB");
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(TEST_KEY), "in the page's markup");
    await context.close();
  });

  test("is stored only when Remember is ticked, only in localStorage, and Forget key removes it", async () => {
    const { context, page } = await open();
    await page.getByLabel("Remember on this device").check();
    await page.waitForTimeout(100);
    let stored = await storedEverywhere(page);
    assert.ok(stored.local.includes(TEST_KEY), "remembered in localStorage");
    assert.ok(!stored.session.includes(TEST_KEY));
    assert.ok(!stored.indexedDb.includes(TEST_KEY));
    // Remembered across a reload, with a visible way to forget it.
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    assert.equal(await page.getByLabel("API key", { exact: true }).inputValue(), TEST_KEY);
    await page.getByRole("button", { name: "Forget key" }).click();
    await page.waitForTimeout(100);
    stored = await storedEverywhere(page);
    assert.ok(!stored.local.includes(TEST_KEY), "forgotten");
    assert.equal(await page.getByLabel("API key", { exact: true }).inputValue(), "");
    assert.equal(await page.getByLabel("Remember on this device").isChecked(), false);
    await context.close();
  });

  test("Remember for this session keeps the key in sessionStorage only: this tab, not the next", async () => {
    const { context, page } = await open();
    await page.getByLabel("Remember for this session").check();
    await page.waitForTimeout(100);
    let stored = await storedEverywhere(page);
    assert.ok(stored.session.includes(TEST_KEY), "kept for the session");
    assert.ok(!stored.local.includes(TEST_KEY) && !stored.indexedDb.includes(TEST_KEY));
    assert.match(await page.getByText(/A remembered key can be read by anything running on this site/).innerText(), /site/);
    // The same tab, reloaded: still there.
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    assert.equal(await page.getByLabel("API key", { exact: true }).inputValue(), TEST_KEY);
    // Another tab: not there.
    const other = await context.newPage();
    await other.goto(STUDIO_URL);
    await other.getByRole("button", { name: "Generate" }).waitFor();
    assert.equal(await other.getByLabel("API key", { exact: true }).inputValue(), "");
    await page.getByRole("button", { name: "Forget key" }).click();
    await page.waitForTimeout(100);
    stored = await storedEverywhere(page);
    assert.ok(!stored.session.includes(TEST_KEY), "forgotten");
    await context.close();
  });

  test("an error that echoes the key shows it in no form: whole, URL-encoded, inside JSON or in part", async () => {
    const { context, page } = await open();
    await generate(page, "Echo my key [[echo-key]]");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /\[key hidden\]/);
    for (const form of [TEST_KEY, encodeURIComponent(TEST_KEY), TEST_KEY.slice(0, 12)]) {
      assert.ok(!text.includes(form), `no ${form}`);
    }
    assert.ok(!(await page.content()).includes(TEST_KEY.slice(0, 12)));
    await context.close();
  });

  test("moving the base URL to another origin while a key is held asks first; declining keeps the old one", async () => {
    const { context, page } = await open();
    const base = page.getByLabel("API base URL");
    await base.fill("https://generativelanguage.googleapis.com/");
    await base.press("Tab");
    const dialog = page.getByRole("alertdialog", { name: "Send your API key to generativelanguage.googleapis.com?" });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /instead of 127\.0\.0\.1/);
    // Focus starts on the safe choice; Escape declines too.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Keep the current address");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal(await base.inputValue(), "", "reverted");
    assert.match(await page.locator(".endpoint").innerText(), /this site's proxy/);
    // Still goes to this site, with the key.
    await clearRequests();
    await generate(page, "Stays on this site");
    await page.getByRole("img", { name: "Generated image: Stays on this site" }).waitFor();
    assert.equal((await lastRequest()).apiKey, TEST_KEY);

    // Confirmed: the new address applies.
    await base.fill("https://generativelanguage.googleapis.com");
    await base.press("Tab");
    await page.getByRole("button", { name: "Send my key there" }).click();
    assert.equal(await base.inputValue(), "https://generativelanguage.googleapis.com");
    assert.match(await page.locator(".endpoint").innerText(), /generativelanguage\.googleapis\.com · key in memory/);

    // Same origin, or no key held: no question.
    await base.fill("");
    await base.press("Tab");
    await page.getByRole("alertdialog").waitFor();
    await page.getByRole("button", { name: "Send my key there" }).click();
    await base.fill("/some/path");
    await base.press("Tab");
    await page.waitForTimeout(200);
    assert.equal(await page.getByRole("alertdialog").count(), 0);
    await page.getByRole("button", { name: "Forget key" }).click();
    await base.fill("https://api.cometapi.com");
    await base.press("Tab");
    await page.waitForTimeout(200);
    assert.equal(await page.getByRole("alertdialog").count(), 0);
    assert.equal(await base.inputValue(), "https://api.cometapi.com");

    // Not a URL a key should go to: refused with a reason, nothing changes.
    for (const bad of ["http://api.example.com", "https://user:pw@api.example.com", "https://api.example.com/?key=x"]) {
      await base.fill(bad);
      await base.press("Tab");
      assert.match(await page.getByRole("alert").innerText(), /Not used/);
      assert.match(await page.locator(".endpoint").innerText(), /api\.cometapi\.com/);
    }
    await context.close();
  });

  test("config.json cannot silently move a remembered key to another origin", async () => {
    // No service worker: the reload below must meet the routed config.json.
    const context = await browser.newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    await page.goto(STUDIO_URL);
    await page.getByLabel("API key", { exact: true }).fill(TEST_KEY);
    await page.getByLabel("Remember on this device").check();
    await page.waitForTimeout(100);
    // The site's config now points elsewhere.
    await page.route("**/config.json", (r) =>
      r.fulfill({ contentType: "application/json", body: JSON.stringify({ apiBase: "https://api.cometapi.com" }) }),
    );
    await page.reload();
    const dialog = page.getByRole("alertdialog", { name: "Send your API key to api.cometapi.com?" });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /This site's configuration \(config\.json\)/);
    await page.getByRole("button", { name: "Keep the current address" }).click();
    assert.match(await page.locator(".endpoint").innerText(), /this site's proxy · key remembered/);
    // The choice sticks: no question on the next visit.
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await configApplied(page);
    // The question's code is in the chunk loaded after the first paint: in
    // before its absence means anything.
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /\/split_later-/.test(e.name)));
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole("alertdialog").count(), 0);
    assert.match(await page.locator(".endpoint").innerText(), /this site's proxy/);
    await context.close();
  });
});

describe("model output is data", () => {
  test("text that looks like HTML is shown as text: nothing is injected, nothing runs", async () => {
    const { context, page, log } = await open();
    await page.evaluate(() => {
      window.alert = () => {
        window.__alerted = true;
      };
    });
    await generate(page, "[[html-text]] describe the image");
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    const shown = await page.locator(".turn__text").first().innerText();
    assert.equal(shown.trim(), "<img src=x onerror=alert(1)>");
    assert.equal(await page.locator('img[src="x"]').count(), 0, "no element was made from the text");
    assert.equal(await page.locator(".turn__text img, .turn__text script").count(), 0);
    assert.equal(await page.evaluate(() => window.__alerted ?? false), false);
    assert.deepEqual(log.dialogs, []);
    assert.deepEqual(await violations(page, log), []);
    await context.close();
  });

  test("download names are made safe whatever the prompt says", async () => {
    const { context, page } = await open();
    const prompt = '../../etc/passwd <script>alert(1)</script> "C:\\con" | *?';
    await generate(page, prompt);
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download" }).first().click(),
    ]);
    assert.match(download.suggestedFilename(), /^[a-z0-9-]+-\d{8}-\d{6}\.png$/);
    const attr = await page.getByRole("link", { name: "Download" }).first().getAttribute("download");
    assert.ok(!/[\\/<>:"|?*]/.test(attr), attr);
    await context.close();
  });

  test("links that leave the page open with rel=noopener noreferrer", async () => {
    const { context, page } = await open();
    await page.getByLabel("Google Search").check();
    await generate(page, "Today's weather in Lisbon as a chart");
    await page.getByRole("img", { name: /^Generated image/ }).waitFor();
    const links = await page.locator("a[target], a[href^='http']").evaluateAll((as) =>
      as.map((a) => ({ href: a.getAttribute("href"), target: a.getAttribute("target"), rel: a.getAttribute("rel") ?? "" })),
    );
    assert.ok(links.length > 0);
    for (const l of links) {
      assert.ok(/\bnoopener\b/.test(l.rel) && /\bnoreferrer\b/.test(l.rel), JSON.stringify(l));
    }
    await context.close();
  });
});
