// Deployments: nginx with the shipped config (deploy/nginx/gemini-studio.conf) in
// front of a local API server, a build served under a sub-path, and config.json
// read at run time. `cargo xtask test` starts nginx and passes NGINX_* here.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import {
  MOCK_URL,
  STUDIO_URL,
  clearRequests,
  generate,
  lastRequest,
  launch,
  makeNoisePng,
  pngSize,
  b64decode,
} from "./helpers.js";

const NGINX_URL = process.env.NGINX_URL;
const SUB = process.env.NGINX_SUB_PATH ?? "/tools/studio/";
const NGINX_MOCK = process.env.NGINX_MOCK_URL;
const NGINX_KEY = process.env.NGINX_API_KEY;
const SHOTS = process.env.SCREENSHOT_DIR;
const MODEL = "gemini-3.1-flash-image-preview";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Collects CSP violations (as events and as console messages), page errors and requests. */
async function watch(context, page) {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const log = { console: [], pageErrors: [], requests: [] };
  page.on("console", (m) => log.console.push(m.text()));
  page.on("pageerror", (e) => log.pageErrors.push(String(e)));
  page.on("request", (r) => log.requests.push(r));
  return log;
}

async function cspViolations(page, log) {
  const events = await page.evaluate(() => window.__csp ?? []);
  return [...events, ...log.console.filter((m) => /Content Security Policy/i.test(m))];
}

async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const log = await watch(context, page);
  // Closing also checks that nothing threw or panicked in the page.
  const close = context.close.bind(context);
  context.close = async () => {
    const panics = log.console.filter((m) => m.includes("panicked at"));
    await close();
    assert.deepEqual([...log.pageErrors, ...panics], [], "no uncaught error or panic in the page");
  };
  return { context, page, log };
}

async function nginxRequests() {
  const r = await fetch(`${NGINX_MOCK}/__mock/requests`);
  assert.ok(r.ok);
  return r.json();
}

/** POSTs a generateContent body to nginx the way the page does: no key. */
function postThroughNginx(body, model = MODEL) {
  return fetch(`${NGINX_URL}/v1beta/models/${model}:generateContent`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function finalImage(answer) {
  const parts = answer.candidates[0].content.parts;
  return b64decode(parts.filter((p) => p.inlineData && !p.thought).at(-1).inlineData.data);
}

describe("through nginx: the shipped config, the key held by the server", { skip: !NGINX_URL && "NGINX_URL is not set (run through cargo xtask test)" }, () => {
  // Started first, checked last: a wait longer than nginx's default 60 s timeout.
  let slow;
  before(() => {
    slow = postThroughNginx({
      contents: [{ role: "user", parts: [{ text: "[[slow:70000]] a 4K render that takes its time" }] }],
    }).then(async (r) => ({ status: r.status, body: await r.text() }));
    slow.catch(() => {});
  });

  test("the page works through nginx; the browser sends no key and the API server gets nginx's", async () => {
    const { context, page, log } = await newPage();
    const response = await page.goto(`${NGINX_URL}/`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    // Headers from the nginx config; the policy from the build.
    const headers = response.headers();
    assert.match(headers["content-security-policy"], /frame-ancestors 'none'/);
    assert.equal(headers["x-content-type-options"], "nosniff");
    assert.match(headers["cache-control"], /no-cache/);
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    // Trunk's loader and the start-failure message, each by its hash.
    assert.match(meta, /script-src 'self'( 'sha256-[A-Za-z0-9+/=]+'){2} 'wasm-unsafe-eval'/);
    // config.json says the proxy holds the key: no key fields, and the page says so.
    await page.getByText("Served from / through nginx: the proxy adds the API key.").waitFor();
    await page.getByText(/This site's proxy adds the API key/).waitFor();
    assert.equal(await page.getByLabel("API key", { exact: true }).count(), 0);
    assert.equal(await page.getByLabel("Key header").count(), 0);
    assert.match(await page.locator(".endpoint").innerText(), /key added by the proxy/);

    await fetch(`${NGINX_MOCK}/__mock/requests`, { method: "DELETE" });
    await generate(page, "A lighthouse served through nginx");
    await page.getByRole("img", { name: "Generated image: A lighthouse served through nginx" }).waitFor();

    const received = (await nginxRequests()).at(-1);
    assert.equal(received.status, 200);
    assert.equal(received.model, MODEL);
    assert.equal(received.apiKey, NGINX_KEY, "nginx added the key from its own configuration");
    assert.equal(received.keyHeader, "x-goog-api-key");
    assert.equal(received.origin, null, "nginx does not pass the page's Origin on");
    const apiCalls = log.requests.filter((r) => r.url().includes("/v1beta/"));
    assert.equal(apiCalls.length, 1);
    for (const r of apiCalls) {
      const h = await r.allHeaders();
      assert.equal(h["x-goog-api-key"], undefined, "the browser sent no key header");
      assert.equal(h["authorization"], undefined, "the browser sent no Authorization");
    }
    for (const r of log.requests) assert.ok(!r.url().includes(NGINX_KEY));
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(NGINX_KEY));
    assert.deepEqual(await cspViolations(page, log), []);
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test("a build under a sub-path loads every file and config.json from there, and generates", async () => {
    const { context, page, log } = await newPage();
    await page.goto(`${NGINX_URL}${SUB}`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.getByText(`Served from ${SUB} through nginx: the proxy adds the API key.`).waitFor();
    await generate(page, "A lighthouse under a sub-path");
    await page.getByRole("img", { name: "Generated image: A lighthouse under a sub-path" }).waitFor();

    const origin = new URL(NGINX_URL).origin;
    const paths = log.requests
      .map((r) => new URL(r.url()))
      .filter((u) => u.protocol === "http:" && u.origin === origin)
      .map((u) => u.pathname);
    assert.ok(paths.includes(`${SUB}config.json`), paths.join(" "));
    assert.ok(paths.some((p) => p.startsWith(SUB) && p.endsWith(".wasm")), paths.join(" "));
    for (const p of paths) {
      assert.ok(p.startsWith(SUB) || p.startsWith("/v1beta/models/"), `${p} is outside ${SUB}`);
    }
    for (const r of log.requests) {
      if (r.url().includes("/v1beta/")) assert.equal((await r.allHeaders())["x-goog-api-key"], undefined);
    }
    const received = (await nginxRequests()).at(-1);
    assert.equal(received.apiKey, NGINX_KEY);
    assert.deepEqual(await cspViolations(page, log), []);
    assert.deepEqual(log.pageErrors, []);

    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/sub-path-desktop.png` });
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await phone.goto(`${NGINX_URL}${SUB}`);
      await phone.getByRole("button", { name: "Generate" }).waitFor();
      await phone.getByText(`Served from ${SUB}`).waitFor();
      await phone.screenshot({ path: `${SHOTS}/sub-path-phone.png`, fullPage: true });
      await phone.close();
    }
    await context.close();
  });

  test("the sub-path without its trailing slash works too", async () => {
    const { context, page, log } = await newPage();
    await page.goto(`${NGINX_URL}${SUB.replace(/\/$/, "")}`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.getByText(`Served from ${SUB}`).waitFor();
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test("a request of tens of MB and a 4K answer pass through nginx whole", async () => {
    const images = Array.from({ length: 6 }, () => makeNoisePng(1250, 1250));
    const body = JSON.stringify({
      contents: [
        {
          role: "user",
          parts: [
            { text: "Blend these six photos into one" },
            ...images.map((png) => ({ inlineData: { mimeType: "image/png", data: png.toString("base64") } })),
          ],
        },
      ],
      generationConfig: { responseModalities: ["IMAGE"], imageConfig: { imageSize: "4K", aspectRatio: "16:9" } },
    });
    assert.ok(body.length > 30 * 1024 * 1024, `${body.length} bytes`);
    const r = await postThroughNginx(body);
    const text = await r.text();
    assert.equal(r.status, 200, text.slice(0, 300));
    const answer = JSON.parse(text);
    const image = finalImage(answer);
    assert.deepEqual(pngSize(image), { width: 5504, height: 3072 }, "a real 4K 16:9 image");
    assert.ok(text.length > 1024 * 1024, `the answer is ${text.length} bytes`);
  });

  test("only generateContent is forwarded, and only by POST", async () => {
    assert.equal((await fetch(`${NGINX_URL}/v1beta/models`)).status, 404);
    const countTokens = await fetch(`${NGINX_URL}/v1beta/models/${MODEL}:countTokens`, { method: "POST", body: "{}" });
    assert.equal(countTokens.status, 404);
    assert.equal((await fetch(`${NGINX_URL}/v1beta/models/${MODEL}:generateContent`)).status, 403);
    // A browser's own key or cookies never reach the API.
    await fetch(`${NGINX_MOCK}/__mock/requests`, { method: "DELETE" });
    const r = await fetch(`${NGINX_URL}/v1beta/models/${MODEL}:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer browser-key", cookie: "session=1" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hello" }] }] }),
    });
    assert.equal(r.status, 200);
    const received = (await nginxRequests()).at(-1);
    assert.equal(received.apiKey, NGINX_KEY);
    assert.equal(received.keyHeader, "x-goog-api-key");
  });

  test("a wait of more than a minute is not cut off", async () => {
    const { status, body } = await slow;
    assert.equal(status, 200, body.slice(0, 300));
    assert.ok(finalImage(JSON.parse(body)).length > 0);
  });
});

describe("config.json, read at run time", () => {
  /** Opens the studio with config.json answered by `body` (or a 404 when undefined). */
  async function withConfig(body, { contentType = "application/json" } = {}) {
    const { context, page, log } = await newPage();
    await page.route("**/config.json", (route) =>
      body === undefined
        ? route.fulfill({ status: 404, body: "not found" })
        : route.fulfill({ status: 200, contentType, body: typeof body === "string" ? body : JSON.stringify(body) }),
    );
    const configLoaded = page.waitForResponse((r) => r.url().endsWith("/config.json"));
    await page.goto(STUDIO_URL);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await configLoaded;
    // Let the page apply what it read.
    await page.waitForTimeout(100);
    return { context, page, log };
  }

  async function modelOptions(page) {
    return page.getByLabel("Model", { exact: true }).locator("option").evaluateAll((os) => os.map((o) => o.value));
  }

  test("no config.json: the built-in defaults and no message", async () => {
    const { context, page, log } = await withConfig(undefined);
    assert.equal(await page.getByRole("alert").count(), 0);
    assert.deepEqual(await modelOptions(page), [
      "gemini-3.1-flash-image-preview",
      "gemini-3-pro-image-preview",
      "gemini-2.5-flash-image",
      "__custom",
    ]);
    assert.equal(await page.getByLabel("API key", { exact: true }).count(), 1);
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test("a host that answers every path with index.html counts as no config.json", async () => {
    const { context, page } = await withConfig("<!DOCTYPE html><html></html>", { contentType: "text/html" });
    assert.equal(await page.getByRole("alert").count(), 0);
    await context.close();
  });

  test("a broken config.json: a clear message on the page, the defaults, and the studio still works", async () => {
    const { context, page, log } = await withConfig('{ "banner": "half a file", ');
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /config\.json was not used: it is not valid JSON .*built-in settings/s);
    assert.equal(await page.getByText("half a file").count(), 0);
    assert.equal(await page.getByLabel("API key", { exact: true }).count(), 1);
    await page.getByRole("button", { name: "Dismiss configuration message" }).click();
    await page.getByLabel("API key", { exact: true }).fill("e2e-config-key");
    await clearRequests();
    await generate(page, "Still works with a broken config");
    await page.getByRole("img", { name: "Generated image: Still works with a broken config" }).waitFor();
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test("wrong fields are named, and none of the file is used", async () => {
    const { context, page } = await withConfig({ apiBaseUrl: "/x", proxyHoldsKey: "yes", banner: "not shown" });
    const text = await page.getByRole("alert").innerText();
    assert.match(text, /unknown field .apiBaseUrl./);
    assert.match(text, /.proxyHoldsKey. must be true or false/);
    assert.equal(await page.getByText("not shown").count(), 0);
    assert.equal(await page.getByLabel("API key", { exact: true }).count(), 1);
    await context.close();
  });

  test("every field applies: models offered, default model, key header, banner as text, API base", async () => {
    const config = {
      apiBase: "/team-proxy",
      keyHeader: "authorization",
      defaultModel: "gemini-3-pro-image-preview",
      models: ["gemini-3-pro-image-preview", "gemini-3.1-flash-image-preview"],
      banner: "<b>Team studio</b>: images are deleted nightly",
    };
    const { context, page, log } = await withConfig(config);
    await page.getByText("<b>Team studio</b>: images are deleted nightly", { exact: true }).waitFor();
    assert.equal(await page.locator(".site-banner b").count(), 0, "the banner is text, not HTML");
    assert.deepEqual(await modelOptions(page), ["gemini-3-pro-image-preview", "gemini-3.1-flash-image-preview"]);
    assert.equal(await page.getByLabel("Model", { exact: true }).inputValue(), "gemini-3-pro-image-preview");
    assert.equal(await page.getByLabel("Key header").inputValue(), "bearer");
    assert.equal(await page.getByLabel("API base URL").inputValue(), "/team-proxy");

    // The API base is a path on this site here: forward it to the API server to prove where it went.
    const seen = [];
    await page.route("**/team-proxy/v1beta/**", async (route) => {
      const url = new URL(route.request().url());
      seen.push(url.pathname);
      const response = await route.fetch({ url: `${MOCK_URL}${url.pathname.replace("/team-proxy", "")}` });
      await route.fulfill({ response });
    });
    await page.getByLabel("API key", { exact: true }).fill("e2e-config-key");
    await clearRequests();
    await generate(page, "A team portrait");
    await page.getByRole("img", { name: "Generated image: A team portrait" }).waitFor();
    assert.deepEqual(seen, ["/team-proxy/v1beta/models/gemini-3-pro-image-preview:generateContent"]);
    const req = await lastRequest();
    assert.equal(req.model, "gemini-3-pro-image-preview");
    assert.equal(req.keyHeader, "authorization");
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test("a model list may allow custom ids", async () => {
    const { context, page } = await withConfig({ models: ["my-endpoint-model"], allowCustomModel: true });
    assert.deepEqual(await modelOptions(page), ["my-endpoint-model", "__custom"]);
    assert.equal(await page.getByLabel("Model", { exact: true }).inputValue(), "my-endpoint-model");
    await context.close();
  });
});
