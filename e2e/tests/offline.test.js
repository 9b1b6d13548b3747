// Installable and offline: the web app manifest, the service worker (sw.js),
// the app opening with no network, and a new version offered, never swapped in
// silently. Chromium's offline mode is Playwright's context.setOffline(true).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { STUDIO_URL, generate, openStudio, requests, results, useBrowser } from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });
const SW_FILE = new URL("../../dist/sw.js", import.meta.url);

/** Waits until a service worker runs the page. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
}

/** Records, for each response, whether the service worker answered it. */
function fromWorker(page) {
  const seen = [];
  page.on("response", (r) => seen.push({ url: r.url(), worker: r.fromServiceWorker(), status: r.status() }));
  return seen;
}

describe("installable", () => {
  test("the page links a web app manifest for this site, with an icon, opening in its own window", async () => {
    const { context, page } = await openStudio(chromium());
    const href = await page.locator('link[rel="manifest"]').evaluate((l) => l.href);
    assert.equal(href, new URL("manifest.webmanifest", STUDIO_URL).href);
    const manifest = await (await fetch(href)).json();
    assert.equal(manifest.name, "Gemini Studio");
    assert.equal(manifest.display, "standalone");
    assert.equal(new URL(manifest.start_url, href).href, new URL(STUDIO_URL).href);
    assert.equal(new URL(manifest.scope, href).href, new URL(STUDIO_URL).href);
    const icon = await fetch(new URL(manifest.icons[0].src, href));
    assert.equal(icon.status, 200);
    assert.match(await icon.text(), /^<svg/);
    // Chromium reads it under the page's policy (manifest-src 'self'), and registers the worker (worker-src 'self').
    await controlled(page);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, new URL(STUDIO_URL).href);
    await context.close();
  });
});

describe("offline", () => {
  test("with no network the app opens from the cache, history stays readable, Generate says it needs the network", async () => {
    const { context, page } = await openStudio(chromium());
    await controlled(page);
    await generate(page, "A lighthouse kept for offline");
    assert.equal((await requests()).length, 1);

    await context.setOffline(true);
    const seen = fromWorker(page);
    const response = await page.reload();
    assert.ok(response.fromServiceWorker(), "index.html from the service worker");
    await page.getByRole("button", { name: "Generate" }).waitFor();
    const wasm = seen.find((r) => r.url.endsWith(".wasm"));
    assert.ok(wasm?.worker, `the wasm from the service worker: ${JSON.stringify(seen)}`);
    await page.getByRole("status").filter({ hasText: "Offline: your history is here; Generate needs the network." }).waitFor();
    // The conversation that was open comes back from browser storage, image and all.
    await page.getByRole("img", { name: "Generated image: A lighthouse kept for offline" }).waitFor();
    assert.ok(await results(page).first().evaluate((img) => img.complete && img.naturalWidth > 0));
    // Code loaded on first use was cached with the shell: the history panel and
    // the image viewer open offline, their chunks from the service worker.
    await page.locator("summary", { hasText: /^History \(/ }).click();
    await page.locator("ul.history__list").getByRole("button", { name: /^A lighthouse kept for offline/ }).waitFor();
    await results(page).first().click();
    await page.getByRole("dialog", { name: "Image viewer" }).waitFor();
    await page.keyboard.press("Escape");
    for (const name of ["history", "editor"]) {
      const chunk = seen.find((r) => new RegExp(`/split_${name}-[0-9a-f]{8}\\.wasm$`).test(r.url));
      assert.ok(chunk?.worker, `the ${name} chunk from the service worker: ${JSON.stringify(seen)}`);
    }

    await page.getByRole("textbox", { name: "Prompt" }).fill("Make it stormy");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("alert").filter({ hasText: "Generate needs the network" }).waitFor();
    assert.equal(await page.getByRole("textbox", { name: "Prompt" }).inputValue(), "Make it stormy", "nothing typed is lost");
    assert.equal((await requests()).length, 1, "nothing was sent");

    await context.setOffline(false);
    await page.getByRole("status").filter({ hasText: "Offline:" }).waitFor({ state: "detached" });
    await context.close();
  });

  test("a page opened offline reads the site's config.json once the network is back", async () => {
    const { context, page } = await openStudio(chromium());
    await controlled(page);
    let offline = true;
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.route("**/config.json", (route) =>
      offline
        ? route.abort("internetdisconnected")
        : route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ banner: "Welcome to the team studio" }) }),
    );
    await context.setOffline(true);
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Offline:" }).waitFor();
    assert.equal(await page.getByText("Welcome to the team studio").count(), 0);
    assert.equal(await page.getByRole("alert").count(), 0, "offline, a config.json not read is not an error");

    offline = false;
    await context.setOffline(false);
    await page.getByText("Welcome to the team studio").waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole("alert").count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a new version is fetched in the background and offered; it is used only after Reload", async () => {
    const original = readFileSync(SW_FILE, "utf8");
    assert.match(original, /const BUILD = \{ version: "[0-9a-f]+", files: \[/, "xtask wrote the build's files into sw.js");
    const { context, page } = await openStudio(chromium());
    try {
      await controlled(page);
      const first = await page.evaluate(() => navigator.serviceWorker.controller.scriptURL);
      await page.getByRole("textbox", { name: "Prompt" }).fill("Typed before the update");
      await page.evaluate(() => (window.__samePage = true));
      // A new build: another sw.js on the server.
      writeFileSync(SW_FILE, `${original}\n// a newer build ${Date.now()}\n`);
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
      const offer = page.getByRole("status").filter({ hasText: "A new version is ready —" });
      await offer.waitFor({ timeout: 30_000 });
      // Not swapped in: the same page, what was typed is still there.
      assert.equal(await page.evaluate(() => window.__samePage), true);
      assert.equal(await page.getByRole("textbox", { name: "Prompt" }).inputValue(), "Typed before the update");
      const waiting = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).waiting != null);
      assert.ok(waiting, "the new version waits");

      await Promise.all([page.waitForEvent("load"), offer.getByRole("button", { name: "Reload" }).click()]);
      await page.getByRole("button", { name: "Generate" }).waitFor();
      assert.equal(await page.evaluate(() => window.__samePage), undefined, "the page was reloaded");
      await controlled(page);
      const state = await page.evaluate(async () => {
        const r = await navigator.serviceWorker.getRegistration();
        return { waiting: r.waiting != null, url: navigator.serviceWorker.controller.scriptURL };
      });
      assert.deepEqual(state, { waiting: false, url: first });
      assert.equal(await page.getByRole("status").filter({ hasText: "A new version is ready" }).count(), 0);
      // The draft survived the reload.
      await page.waitForFunction(() => document.getElementById("prompt")?.value === "Typed before the update");
    } finally {
      writeFileSync(SW_FILE, original);
      await context.close();
    }
  });

  test("under a sub-path with the strict policy sent as headers, the worker is the sub-path's and the app opens offline", async (t) => {
    const sub = process.env.NGINX_SUB_URL;
    if (!sub) return t.skip("no sub-path build (cargo xtask test starts one)");
    const path = process.env.NGINX_SUB_PATH ?? "/tools/studio/";
    const browser = chromium();
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const response = await page.goto(`${sub}${path}`);
    assert.match(response.headers()["content-security-policy"], /worker-src 'self'/);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await controlled(page);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, new URL(path, sub).href);
    await context.setOffline(true);
    const seen = fromWorker(page);
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    assert.ok(seen.find((r) => r.url.endsWith(".wasm"))?.worker, JSON.stringify(seen));
    assert.ok(seen.every((r) => new URL(r.url).pathname.startsWith(path)), JSON.stringify(seen));
    assert.deepEqual(errors, []);
    await context.close();
  });
});
