// Deployments: nginx with the shipped config (deploy/nginx/gemini-studio.conf) in
// front of a local API server, a build served under a sub-path, config.json read
// at run time, and what the key-holding proxy refuses (other routes and models,
// other sites, too many requests, an upstream it cannot verify, anyone without a
// password); the response headers a static host gets from dist/_headers.
// `cargo xtask test` starts nginx (one instance per situation, see
// xtask/src/deploy/stage.rs) and passes NGINX_* here.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, existsSync } from "node:fs";
import http from "node:http";
import { extname, join, normalize } from "node:path";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import {
  MOCK_URL,
  STUDIO_URL,
  clearRequests,
  configApplied,
  generate,
  lastRequest,
  launch,
  makeNoisePng,
  pngSize,
  b64decode,
} from "./helpers.js";

const NGINX_URL = process.env.NGINX_URL;
const NGINX_SUB_URL = process.env.NGINX_SUB_URL;
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

async function newPage(viewport = { width: 1280, height: 900 }, options = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, ...options });
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
    // Headers from the build's headers.conf: its own policy, and frame-ancestors.
    const headers = response.headers();
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    assert.equal(headers["content-security-policy"], `${meta}; frame-ancestors 'none'`);
    assert.equal(headers["x-content-type-options"], "nosniff");
    assert.match(headers["cache-control"], /no-cache/);
    // Trunk's loader, the start-failure message and the search suggestions' frame, each by its hash.
    assert.match(meta, /script-src 'self'( 'sha256-[A-Za-z0-9+/=]+'){3} 'wasm-unsafe-eval'/);
    // config.json says the proxy holds the key: no key fields, and the page says so.
    await page.getByText("Served from / through nginx: the proxy adds the API key.").waitFor();
    await page.getByText(/This site's proxy adds the API key/).waitFor();
    assert.equal(await page.getByLabel("API key", { exact: true }).count(), 0);
    assert.equal(await page.getByLabel("Key header").count(), 0);
    assert.match(await page.locator(".endpoint").innerText(), /key added by the proxy/);
    // Hashed files are kept for good: the main module (16 hex digits), the
    // chunks and their loader (8).
    const urls = log.requests.map((r) => new URL(r.url()).pathname);
    const hashed = [/-[0-9a-f]{16}_bg\.wasm$/, /\/chunk_\d+-[0-9a-f]{8}\.wasm$/, /\/__wasm_split-[0-9a-f]{8}\.js$/].map((re) => urls.find((u) => re.test(u)));
    assert.ok(hashed.every(Boolean), urls.join(" "));
    for (const path of hashed) {
      const r = await raw(NGINX_URL, { method: "GET", path, headers: {} });
      assert.match(r.headers["cache-control"] ?? "", /max-age=315360000/, `${path}: cached for good`);
    }

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

  test("nginx sends the build's precompressed files: the .gz bytes as they are, gzip-encoded, decoding to the file", async () => {
    const dist = process.env.DIST_DIR;
    assert.ok(dist, "DIST_DIR is set");
    const html = readFileSync(join(dist, "index.html"), "utf8");
    const names = readdirSync(dist);
    const main = names.find((n) => /^studio-[0-9a-f]{16}_bg\.wasm$/.test(n));
    const css = names.find((n) => /^studio-[0-9a-f]{16}\.css$/.test(n));
    assert.ok(main && css && html.includes(css), `the main module and stylesheet in ${names.join(" ")}`);
    assert.equal(readFileSync(join(dist, `${main}.gz`)).length < readFileSync(join(dist, main)).length, true);
    const get = (path, encoding) => raw(NGINX_URL, { method: "GET", path, headers: encoding ? { "accept-encoding": encoding } : {} });
    // Not index.html: a site may edit it by hand, and a stale copy would be served.
    assert.ok(!names.includes("index.html.gz"), "no precompressed index.html");
    for (const [path, file] of [[`/${main}`, main], [`/${css}`, css]]) {
      const raw = readFileSync(join(dist, file));
      const gz = readFileSync(join(dist, `${file}.gz`));
      assert.ok(gz.length < gunzipSync(gz).length && gunzipSync(gz).equals(raw), `${file}.gz decodes to ${file}`);
      const packed = await get(path, "gzip, deflate, br");
      assert.equal(packed.status, 200, path);
      assert.equal(packed.headers["content-encoding"], "gzip", path);
      assert.ok(packed.body.equals(gz), `${path}: the bytes of ${file}.gz (${packed.body.length} bytes, the file ${gz.length})`);
      const plain = await get(path, null);
      assert.equal(plain.headers["content-encoding"], undefined, `${path} without Accept-Encoding`);
      assert.ok(plain.body.equals(raw), `${path} without Accept-Encoding: the file itself`);
    }
  });

  test("a build under a sub-path loads every file and config.json from there, and generates", async () => {
    const { context, page, log } = await newPage();
    await page.goto(`${NGINX_SUB_URL}${SUB}`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.getByText(`Served from ${SUB} through nginx: the proxy adds the API key.`).waitFor();
    await generate(page, "A lighthouse under a sub-path");
    await page.getByRole("img", { name: "Generated image: A lighthouse under a sub-path" }).waitFor();
    // Code loaded on first use comes from the sub-path too, under the policy:
    // the image viewer (editor chunk) and the history panel (history chunk).
    await page.getByRole("img", { name: "Generated image: A lighthouse under a sub-path" }).click();
    await page.getByRole("dialog", { name: "Image viewer" }).waitFor();
    await page.keyboard.press("Escape");
    await page.locator("summary", { hasText: /^History \(/ }).click();
    await page.locator("ul.history__list").waitFor();

    const origin = new URL(NGINX_SUB_URL).origin;
    const paths = log.requests
      .map((r) => new URL(r.url()))
      .filter((u) => u.protocol === "http:" && u.origin === origin)
      .map((u) => u.pathname);
    assert.ok(paths.includes(`${SUB}config.json`), paths.join(" "));
    assert.ok(paths.some((p) => p.startsWith(SUB) && p.endsWith(".wasm")), paths.join(" "));
    for (const name of ["editor", "history"]) {
      const chunk = new RegExp(`^${SUB}split_${name}-[0-9a-f]{8}\\.wasm$`);
      assert.ok(paths.some((p) => chunk.test(p)), `the ${name} chunk from ${SUB}: ${paths.join(" ")}`);
    }
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
      await phone.goto(`${NGINX_SUB_URL}${SUB}`);
      await phone.getByRole("button", { name: "Generate" }).waitFor();
      await phone.getByText(`Served from ${SUB}`).waitFor();
      await phone.screenshot({ path: `${SHOTS}/sub-path-phone.png`, fullPage: true });
      await phone.close();
    }
    await context.close();
  });

  test("the sub-path without its trailing slash works too", async () => {
    const { context, page, log } = await newPage();
    await page.goto(`${NGINX_SUB_URL}${SUB.replace(/\/$/, "")}`);
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
    assert.equal((await fetch(`${NGINX_URL}/v1beta/models/${MODEL}:generateContent`)).status, 404);
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
    // No service worker: its own requests are not routed by page.route (the
    // second load below would otherwise be the worker's).
    const { context, page, log } = await newPage(undefined, { serviceWorkers: "block" });
    await page.route("**/config.json", (route) =>
      body === undefined
        ? route.fulfill({ status: 404, body: "not found" })
        : route.fulfill({ status: 200, contentType, body: typeof body === "string" ? body : JSON.stringify(body) }),
    );
    const configLoaded = page.waitForResponse((r) => r.url().endsWith("/config.json"));
    await page.goto(STUDIO_URL);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await configLoaded;
    await configApplied(page);
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
    // (The connection's fields come with the code loaded right after the first paint.)
    await page.getByLabel("API key", { exact: true }).waitFor();
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
    // (The connection's fields come with the code loaded right after the first paint.)
    await page.getByLabel("API key", { exact: true }).waitFor();
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
    // (The connection's fields come with the code loaded right after the first paint.)
    await page.getByLabel("API key", { exact: true }).waitFor();
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

// ------------------------------------------------------------------------------
// The key-holding proxy: what it forwards, to whom, how often, and where to.

const NGINX_MODELS = (process.env.NGINX_MODELS ?? MODEL).split(",");
const UPSTREAM_LOG = process.env.NGINX_UPSTREAM_LOG;
const DIST_DIR = process.env.DIST_DIR;
const skipProxy = !NGINX_URL && "NGINX_URL is not set (run through cargo xtask test)";

/** A word no other request carries, to find this request (or its absence) upstream. */
const marker = () => `marker-${randomBytes(6).toString("hex")}`;

/** A small valid generateContent body whose prompt carries `m` (text answer: cheap). */
const bodyWith = (m) => JSON.stringify({ contents: [{ role: "user", parts: [{ text: `[[no-image]] ${m}` }] }] });

/**
 * An HTTP request sent exactly as written: fetch() would normalise the path
 * (dot segments, %2e) and add headers, and decode a gzip body; the point here
 * is what nginx does with what a client really can send, and the bytes it
 * sends back (`body`; also as `text`).
 */
function raw(base, { method = "POST", path, headers = {}, body }) {
  const u = new URL(base);
  const h = { ...headers };
  if (body !== undefined) h["content-length"] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: h }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: bytes, text: bytes.toString() });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The request lines that reached the upstream (the recorder in front of the API server) carrying `m`. */
function upstreamSaw(m) {
  if (!UPSTREAM_LOG) return [];
  return readFileSync(UPSTREAM_LOG, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.marker === m);
}

/** Waits (up to 10 s) for the upstream to have logged a request carrying `m`: logs are written just after answering. */
async function upstreamGot(m) {
  for (let i = 0; i < 100; i++) {
    const seen = upstreamSaw(m);
    if (seen.length > 0) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the upstream never received the request marked ${m}`);
}

/** Whether the API server's own log holds a request whose body mentions `m`. */
async function apiServerGot(m) {
  return (await nginxRequests()).some((e) => JSON.stringify(e.body ?? "").includes(m));
}

/** Asserts an answer is the proxy's own refusal, in the API's error shape, and that nothing of it went upstream. */
async function refusedByProxy(r, code, status, m, what) {
  assert.equal(r.status, code, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
  assert.match(r.headers["content-type"] ?? "", /^application\/json/, what);
  const e = JSON.parse(r.text);
  assert.deepEqual(Object.keys(e), ["error"], what);
  assert.equal(e.error.code, code, what);
  assert.equal(e.error.status, status, what);
  assert.match(e.error.message, /proxy/, `${what}: the proxy's own message`);
  assert.deepEqual(upstreamSaw(m), [], `${what}: nothing reached the upstream`);
  assert.equal(await apiServerGot(m), false, `${what}: the API server got nothing`);
}

describe("the key-holding proxy forwards only the studio's calls", { skip: skipProxy }, () => {
  test("generateContent and streamGenerateContent of every allowed model reach the upstream exactly as checked", async () => {
    for (const model of NGINX_MODELS) {
      for (const path of [
        `/v1beta/models/${model}:generateContent`,
        `/v1beta/models/${model}:streamGenerateContent`,
        `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
      ]) {
        const m = marker();
        const r = await raw(NGINX_URL, {
          path,
          headers: { "content-type": "application/json", "x-e2e-marker": m },
          body: bodyWith(m),
        });
        assert.ok(!(r.status === 404 && /This site's proxy/.test(r.text)), `${path} was refused: ${r.text}`);
        const seen = await upstreamGot(m);
        assert.deepEqual(
          seen.map((e) => `${e.method} ${e.uri}`),
          [`POST ${path}`],
          "the upstream got exactly the path that was checked",
        );
        if (path.endsWith(":generateContent")) {
          assert.equal(r.status, 200, r.text.slice(0, 200));
          const got = (await nginxRequests()).filter((e) => JSON.stringify(e.body ?? "").includes(m));
          assert.equal(got.length, 1);
          assert.equal(got[0].model, model);
          assert.equal(got[0].apiKey, NGINX_KEY);
          // Once the API server logs paths, they agree.
          if ("path" in got[0]) assert.equal(got[0].path, path);
        }
      }
    }
  });

  test("other methods, actions, models, encoded paths and queries get a 404 in the API's shape, and nothing goes upstream", async () => {
    const M = NGINX_MODELS[0];
    const ok = `/v1beta/models/${M}:generateContent`;
    const json = { "content-type": "application/json" };
    const cases = [
      // Other methods on the one route.
      ...["GET", "PUT", "PATCH", "DELETE", "OPTIONS"].map((method) => ({ method, path: ok, what: method })),
      // Other actions and resources of the API.
      ...["countTokens", "embedContent", "batchGenerateContent", "predict", "generateContent:x", "generatecontent"].map(
        (a) => ({ path: `/v1beta/models/${M}:${a}`, what: `action ${a}` }),
      ),
      { path: "/v1beta/models", what: "the model list" },
      { method: "GET", path: `/v1beta/models/${M}`, what: "a model's details" },
      { path: "/v1beta/files", what: "uploads" },
      { path: "/v1beta/cachedContents", what: "caches" },
      { path: "/v1beta/tunedModels/x:generateContent", what: "tuned models" },
      // Models not on the allow-list.
      ...[
        "gemini-2.0-flash",
        "gemini-3-pro-preview",
        M.toUpperCase(),
        `${M}-x`,
        M.slice(0, -1),
        ".",
        "..",
      ].map((model) => ({ path: `/v1beta/models/${model}:generateContent`, what: `model ${model}` })),
      // Encoded or unnormalised paths, even when they would decode to the allowed one.
      { path: `/v1beta/models/x/%2e%2e/${M}:generateContent`, what: "%2e%2e" },
      { path: `/v1beta/models/x/%2E%2E/${M}:generateContent`, what: "%2E%2E" },
      { path: `/v1beta/models/x/../${M}:generateContent`, what: "a dot segment" },
      { path: `/v1beta/models/./${M}:generateContent`, what: "a single dot segment" },
      { path: `/v1beta/models%2F${M}:generateContent`, what: "%2F" },
      { path: `/v1beta/models/${M}%2F..%2F${M}:generateContent`, what: "%2F..%2F" },
      { path: `/v1beta/models/%67${M.slice(1)}:generateContent`, what: "an escaped letter" },
      { path: `/v1beta/models/${M}%3AgenerateContent`, what: "an escaped colon" },
      { path: `/v1beta/models/x/%252e%252e/${M}:generateContent`, what: "double encoding" },
      { path: `/v1beta/models/%2567${M.slice(1)}:generateContent`, what: "a double-escaped letter" },
      { path: `/v1beta//models/${M}:generateContent`, what: "a double slash" },
      { path: `/v1beta/models/${M}:generateContent/`, what: "a trailing slash" },
      { path: `/v1beta/models/${M}:generateContent;x=1`, what: "a path parameter" },
      { path: `/foo/..${ok}`, what: "a dot segment before /v1beta" },
      { path: `/%76${ok.slice(2)}`, what: "an escaped /v1beta" },
      // Other queries.
      ...["?alt=json", "?alt=SSE", "?alt=sse&key=x", "?key=x", "?", "?alt=sse&alt=sse", "?%61lt=sse"].map((q) => ({
        path: `${ok}${q}`,
        what: `query ${q}`,
      })),
      { path: `/v1beta/models/${M}:streamGenerateContent?alt=json`, what: "streaming with alt=json" },
    ];
    for (const c of cases) {
      const m = marker();
      const method = c.method ?? "POST";
      const r = await raw(NGINX_URL, {
        method,
        path: c.path,
        headers: { ...json, "x-e2e-marker": m },
        body: method === "GET" ? undefined : bodyWith(m),
      });
      await refusedByProxy(r, 404, "NOT_FOUND", m, `${method} ${c.path} (${c.what})`);
    }
    // An unknown model is named in the answer, with the models that are forwarded.
    const r = await raw(NGINX_URL, { path: "/v1beta/models/gemini-2.0-flash:generateContent", headers: json, body: "{}" });
    const message = JSON.parse(r.text).error.message;
    assert.match(message, /does not forward the model gemini-2\.0-flash/);
    for (const model of NGINX_MODELS) assert.ok(message.includes(model), message);
  });

  test("the API's own 429 passes as it is, without the proxy's Retry-After", async () => {
    const m = marker();
    const r = await raw(NGINX_URL, {
      path: `/v1beta/models/${MODEL}:generateContent`,
      headers: { "content-type": "application/json", "x-e2e-marker": m },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: `[[status:429]] ${m}` }] }] }),
    });
    assert.equal(r.status, 429);
    assert.equal(r.headers["retry-after"], undefined);
    assert.equal(JSON.parse(r.text).error.status, "RESOURCE_EXHAUSTED");
    await upstreamGot(m);
  });
});

/** A page server on another origin (another port, reached as 127.0.0.1 or localhost). */
async function otherSite(routes) {
  const server = http.createServer((req, res) => {
    const page = routes[new URL(req.url, "http://x").pathname];
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return { port, close: () => new Promise((r) => server.close(r)) };
}

describe("the key-holding proxy refuses other sites", { skip: skipProxy }, () => {
  const path = `/v1beta/models/${MODEL}:generateContent`;

  test("crafted requests: cross-site, same-site, another Origin, or a body that is not JSON", async () => {
    const own = new URL(NGINX_URL).origin;
    const cases = [
      { h: { "sec-fetch-site": "cross-site" }, code: 403, what: "Sec-Fetch-Site: cross-site" },
      { h: { "sec-fetch-site": "same-site" }, code: 403, what: "Sec-Fetch-Site: same-site" },
      { h: { "sec-fetch-site": "none" }, code: 403, what: "Sec-Fetch-Site: none" },
      { h: { origin: "https://evil.example" }, code: 403, what: "another Origin" },
      { h: { origin: "null" }, code: 403, what: "Origin: null" },
      { h: { origin: own.replace("127.0.0.1", "localhost") }, code: 403, what: "the same port under another name" },
      { h: { origin: `${own}.evil.example` }, code: 403, what: "an Origin that starts like the site's" },
      { h: { origin: own, "sec-fetch-site": "cross-site" }, code: 403, what: "the site's Origin but cross-site" },
      { h: { "content-type": "text/plain;charset=UTF-8" }, code: 415, what: "text/plain" },
      { h: { "content-type": "application/x-www-form-urlencoded" }, code: 415, what: "a form" },
      { h: { "content-type": "multipart/form-data; boundary=x" }, code: 415, what: "multipart" },
      { h: { "content-type": "application/jsonp" }, code: 415, what: "application/jsonp" },
      { h: { "content-type": "" }, code: 415, what: "no content type" },
    ];
    for (const c of cases) {
      const m = marker();
      const headers = { "content-type": "application/json", ...c.h, "x-e2e-marker": m };
      if (headers["content-type"] === "") delete headers["content-type"];
      const r = await raw(NGINX_URL, { path, headers, body: bodyWith(m) });
      await refusedByProxy(r, c.code, c.code === 403 ? "PERMISSION_DENIED" : "INVALID_ARGUMENT", m, c.what);
    }
    // What the studio's page sends passes.
    const m = marker();
    const r = await raw(NGINX_URL, {
      path,
      headers: {
        "content-type": "application/json",
        origin: own,
        "sec-fetch-site": "same-origin",
        "x-e2e-marker": m,
      },
      body: bodyWith(m),
    });
    assert.equal(r.status, 200, r.text.slice(0, 200));
    await upstreamGot(m);
  });

  test("a page on another site cannot spend the key: no-cors POSTs, forms and CORS calls from Chromium", async () => {
    const site = await otherSite({ "/": "<!DOCTYPE html><title>elsewhere</title><p>another site</p>" });
    try {
      // Another host name (cross-site), and the same host on another port (same-site).
      for (const host of ["localhost", "127.0.0.1"]) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const statuses = [];
        page.on("response", (r) => {
          if (r.url().includes("/v1beta/")) statuses.push(`${r.request().method()} ${r.status()}`);
        });
        await page.goto(`http://${host}:${site.port}/`);
        const m = marker();
        const target = `${NGINX_URL}${path}`;
        const outcome = await page.evaluate(
          async ({ target, body }) => {
            const out = [];
            // The classic: a simple (no-cors) POST with a text body, no preflight.
            await fetch(target, { mode: "no-cors", method: "POST", body }).then(
              () => out.push("no-cors sent"),
              (e) => out.push(`no-cors failed ${e}`),
            );
            await fetch(target, { mode: "no-cors", method: "POST", body: new URLSearchParams({ q: body }) }).then(
              () => out.push("form-encoded sent"),
              (e) => out.push(`form-encoded failed ${e}`),
            );
            // A CORS call with JSON needs a preflight, which the proxy does not grant.
            await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
              (r) => out.push(`cors ${r.status}`),
              () => out.push("cors blocked"),
            );
            return out;
          },
          { target, body: bodyWith(m) },
        );
        assert.deepEqual(outcome, ["no-cors sent", "form-encoded sent", "cors blocked"], host);
        // A form posted (navigating) from the other site.
        await page.setContent(
          `<form method="POST" action="${target}" enctype="text/plain"><input name='{"a":"' value='${m}"}'></form>`,
        );
        const nav = page.waitForResponse((r) => r.url() === target);
        await page.locator("form").evaluate((f) => f.submit());
        assert.equal((await nav).status(), 403);
        // The two no-cors POSTs and the form got the proxy's 403 (a preflight, when
        // Chromium reports it, its 404); the CORS POST itself was never sent.
        assert.equal(statuses.filter((s) => s === "POST 403").length, 3, `${host}: ${statuses.join(", ")}`);
        for (const s of statuses) assert.match(s, /^(POST 403|OPTIONS 404)$/, `${host}: ${statuses.join(", ")}`);
        assert.deepEqual(upstreamSaw(m), [], "nothing reached the upstream");
        assert.equal(await apiServerGot(m), false, "the API server got nothing");
        await context.close();
      }
    } finally {
      await site.close();
    }
  });
});

describe("the key-holding proxy verifies the upstream's certificate", { skip: skipProxy }, () => {
  const TLS_URL = process.env.NGINX_TLS_URL;
  const TRUSTED_URL = process.env.NGINX_TLS_TRUSTED_URL;
  const send = (base, m) =>
    raw(base, {
      path: `/v1beta/models/${MODEL}:generateContent`,
      headers: { "content-type": "application/json", "x-e2e-marker": m },
      body: bodyWith(m),
    });

  test("an upstream whose certificate Debian's CAs do not vouch for is refused: 502 in the API's shape", async () => {
    const m = marker();
    const r = await send(TLS_URL, m);
    assert.equal(r.status, 502, r.text.slice(0, 200));
    assert.deepEqual(JSON.parse(r.text), {
      error: {
        code: 502,
        message: "The proxy of this site could not reach the Gemini API, or it did not answer in time.",
        status: "UNAVAILABLE",
      },
    });
    assert.deepEqual(upstreamSaw(m), [], "no request reached the HTTPS upstream");
    assert.equal(await apiServerGot(m), false);
  });

  test("the same upstream is used once its CA is the trusted one (only the CA line changed)", async () => {
    const m = marker();
    const r = await send(TRUSTED_URL, m);
    assert.equal(r.status, 200, r.text.slice(0, 200));
    const seen = await upstreamGot(m);
    assert.deepEqual(
      seen.map((e) => `${e.method} ${e.uri}`),
      [`POST /v1beta/models/${MODEL}:generateContent`],
    );
    const got = (await nginxRequests()).filter((e) => JSON.stringify(e.body ?? "").includes(m));
    assert.equal(got.length, 1);
    assert.equal(got[0].apiKey, NGINX_KEY);
  });
});

describe("the key-holding proxy limits each client address", { skip: skipProxy }, () => {
  test("a burst gets 429s in the API's shape with Retry-After; the site's files are not limited", async () => {
    const base = process.env.NGINX_LIMITS_URL;
    const send = () =>
      raw(base, {
        path: `/v1beta/models/${MODEL}:generateContent`,
        headers: { "content-type": "application/json" },
        // The API server refuses this at once (400): cheap, and still a request spent.
        body: "{}",
      });
    const answers = await Promise.all(Array.from({ length: 40 }, send));
    const limited = answers.filter((r) => r.status === 429);
    const passed = answers.filter((r) => r.status !== 429);
    assert.ok(limited.length > 0, "some were refused");
    assert.ok(passed.length > 0, "the first ones passed");
    for (const r of passed) assert.equal(r.status, 400, r.text.slice(0, 200));
    for (const r of limited) {
      const wait = r.headers["retry-after"];
      assert.match(wait ?? "", /^[1-9][0-9]*$/, "Retry-After in seconds");
      const e = JSON.parse(r.text);
      assert.equal(e.error.code, 429);
      assert.equal(e.error.status, "RESOURCE_EXHAUSTED");
      assert.match(e.error.message, /Too many requests/);
      // As Google says it, for clients that read the body rather than the header.
      assert.deepEqual(e.error.details, [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${wait}s` }]);
    }
    // The page and its files are not limited.
    for (const p of ["/", "/index.html", "/config.json"]) {
      const r = await raw(base, { method: "GET", path: p });
      assert.equal(r.status, 200, p);
      assert.equal(r.headers["retry-after"], undefined, p);
    }
  });
});

describe("authentication in front of the proxy", { skip: skipProxy }, () => {
  const user = process.env.NGINX_AUTH_USER;
  const password = process.env.NGINX_AUTH_PASSWORD;

  test("basic authentication (deploy/nginx/basic-auth.conf, a password from openssl passwd): 401 without, the studio with", async () => {
    const base = process.env.NGINX_AUTH_URL;
    const page401 = await raw(base, { method: "GET", path: "/" });
    assert.equal(page401.status, 401);
    assert.equal(page401.headers["www-authenticate"], 'Basic realm="Gemini Studio"');
    const wrong = await raw(base, {
      method: "GET",
      path: "/",
      headers: { authorization: `Basic ${Buffer.from(`${user}:not-the-password`).toString("base64")}` },
    });
    assert.equal(wrong.status, 401);
    const m = marker();
    const api = await raw(base, {
      path: `/v1beta/models/${MODEL}:generateContent`,
      headers: { "content-type": "application/json", "x-e2e-marker": m },
      body: bodyWith(m),
    });
    assert.equal(api.status, 401);
    assert.deepEqual(upstreamSaw(m), []);
    assert.equal(await apiServerGot(m), false);

    // With the password: the page loads and generates; the password does not go upstream.
    const context = await browser.newContext({ httpCredentials: { username: user, password } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await fetch(`${NGINX_MOCK}/__mock/requests`, { method: "DELETE" });
    await generate(page, "A lighthouse behind a password");
    await page.getByRole("img", { name: "Generated image: A lighthouse behind a password" }).waitFor();
    const received = (await nginxRequests()).at(-1);
    assert.equal(received.status, 200);
    assert.equal(received.keyHeader, "x-goog-api-key", "the browser's Authorization: Basic is not passed on");
    assert.equal(received.apiKey, NGINX_KEY);
    await context.close();
  });

  test("single sign-on (deploy/nginx/sso-auth.conf): the page goes to the sign-in, the API says 401, a signed-in browser works", async () => {
    const base = process.env.NGINX_SSO_URL;
    const page302 = await raw(base, { method: "GET", path: "/" });
    assert.equal(page302.status, 302);
    assert.match(page302.headers.location ?? "", /\/oauth2\/start\?rd=\/$/);
    const signIn = await raw(base, { method: "GET", path: "/oauth2/start?rd=/" });
    assert.equal(signIn.status, 200);
    assert.match(signIn.text, /Sign in to the test SSO/);
    const m = marker();
    const api = await raw(base, {
      path: `/v1beta/models/${MODEL}:generateContent`,
      headers: { "content-type": "application/json", "x-e2e-marker": m },
      body: bodyWith(m),
    });
    assert.equal(api.status, 401);
    assert.deepEqual(upstreamSaw(m), []);

    const context = await browser.newContext();
    await context.addCookies([{ name: "sso", value: "signed-in", url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await generate(page, "A lighthouse after signing in");
    await page.getByRole("img", { name: "Generated image: A lighthouse after signing in" }).waitFor();
    const received = (await nginxRequests()).at(-1);
    assert.equal(received.apiKey, NGINX_KEY);
    await context.close();
  });
});

// ------------------------------------------------------------------------------
// Response headers on a static host (dist/_headers) and through nginx.

/** dist/headers.txt as [name, value] pairs. */
function headerList() {
  return readFileSync(join(DIST_DIR, "headers.txt"), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const i = l.indexOf(": ");
      return [l.slice(0, i), l.slice(i + 2)];
    });
}

/** Netlify / Cloudflare Pages `_headers` rules: [{ pattern, headers: [[name, value]] }]. */
function readHeadersFile(text) {
  const rules = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    if (!/^\s/.test(line)) rules.push({ pattern: line.trim(), headers: [] });
    else {
      const l = line.trim();
      const i = l.indexOf(":");
      rules.at(-1).headers.push([l.slice(0, i).trim(), l.slice(i + 1).trim()]);
    }
  }
  return rules;
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * A tiny static host: serves DIST_DIR, applying its _headers rules as Netlify
 * and Cloudflare Pages do (unless `apply` is false), and passes /v1beta/ to the
 * local API server so the studio can generate.
 */
async function staticHost({ apply = true } = {}) {
  const rules = readHeadersFile(readFileSync(join(DIST_DIR, "_headers"), "utf8"));
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const headers = {};
    if (apply) {
      for (const r of rules) {
        const re = new RegExp(`^${r.pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
        if (re.test(url.pathname)) for (const [n, v] of r.headers) headers[n] = v;
      }
    }
    if (url.pathname.startsWith("/v1beta/")) {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const up = await fetch(`${MOCK_URL}${url.pathname}${url.search}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "", "x-goog-api-key": req.headers["x-goog-api-key"] ?? "" },
        body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(up.status, { ...headers, "content-type": up.headers.get("content-type") ?? "application/json" });
      res.end(Buffer.from(await up.arrayBuffer()));
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(DIST_DIR, rel);
    if (url.pathname.endsWith("/")) file = join(file, "index.html");
    if (!file.startsWith(DIST_DIR) || !existsSync(file)) {
      res.writeHead(404, headers).end("not found");
      return;
    }
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Loads `target` in an iframe of a page on another origin and reports what the
 * frame loaded: how many of the studio's own files (styles, scripts, wasm) it
 * fetched, which a frame must do before its load event when the studio runs.
 */
async function framedRuns(target) {
  const site = await otherSite({
    "/": `<!DOCTYPE html><title>framer</title><iframe src="${target}" onload="document.body.dataset.loaded = 1"></iframe>`,
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const files = [];
  page.on("request", (r) => {
    if (new URL(r.url()).origin === new URL(target).origin && r.url() !== target) files.push(r.url());
  });
  try {
    await page.goto(`http://localhost:${site.port}/`);
    await page.waitForFunction(() => document.body.dataset.loaded === "1");
    const frame = page.frames().find((f) => f.parentFrame() === page.mainFrame());
    let generate = 0;
    if (files.length > 0) {
      // It started: wait for it to be up before looking.
      await frame.getByRole("button", { name: "Generate" }).waitFor();
      generate = await frame.getByRole("button", { name: "Generate" }).count();
    }
    return { files, generate, url: frame?.url() };
  } finally {
    await context.close();
    await site.close();
  }
}

describe("response headers for every host", { skip: !DIST_DIR && "DIST_DIR is not set (run through cargo xtask test)" }, () => {
  test("a static host that applies dist/_headers sends every header of headers.txt, and the studio works under them", async () => {
    const host = await staticHost();
    try {
      const html = readFileSync(join(DIST_DIR, "index.html"), "utf8");
      const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
      const list = headerList();
      assert.deepEqual(
        list.map(([n]) => n),
        [
          "Content-Security-Policy",
          "X-Frame-Options",
          "X-Content-Type-Options",
          "Referrer-Policy",
          "Permissions-Policy",
          "Cross-Origin-Opener-Policy",
        ],
      );
      const expected = Object.fromEntries(list.map(([n, v]) => [n.toLowerCase(), v]));
      assert.equal(expected["content-security-policy"], `${meta}; frame-ancestors 'none'`);
      assert.equal(expected["x-content-type-options"], "nosniff");
      assert.equal(expected["referrer-policy"], "no-referrer");
      assert.equal(expected["cross-origin-opener-policy"], "same-origin");
      assert.equal(expected["x-frame-options"], "DENY");
      const features = Object.fromEntries(expected["permissions-policy"].split(", ").map((f) => f.split("=")));
      for (const f of ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "bluetooth", "display-capture"]) {
        assert.equal(features[f], "()", `${f} is denied`);
      }
      assert.equal(features["clipboard-read"], "(self)");
      assert.equal(features["clipboard-write"], "(self)");
      for (const [f, allow] of Object.entries(features)) {
        if (!f.startsWith("clipboard-")) assert.equal(allow, "()", `${f} is denied`);
      }

      const wasmFile = readdirSyncSafe(DIST_DIR).find((f) => f.endsWith(".wasm"));
      for (const p of ["/", "/index.html", `/${wasmFile}`]) {
        const r = await fetch(`${host.url}${p}`);
        assert.equal(r.status, 200, p);
        for (const [n, v] of Object.entries(expected)) assert.equal(r.headers.get(n), v, `${p}: ${n}`);
      }

      // The page runs and generates under these headers, with nothing refused.
      const { context, page, log } = await newPage();
      await page.goto(`${host.url}/`);
      await page.getByRole("button", { name: "Generate" }).waitFor();
      await page.getByLabel("API key", { exact: true }).fill("e2e-static-host-key");
      await generate(page, "A lighthouse on a static host");
      await page.getByRole("img", { name: "Generated image: A lighthouse on a static host" }).waitFor();
      assert.deepEqual(await cspViolations(page, log), []);
      // Every feature is one Chromium knows (a typo would be ignored silently
      // elsewhere), except two it knows only on the platforms that have them
      // (Web Share: Android, Windows, ChromeOS; Web Bluetooth: not Linux).
      const elsewhere = /Unrecognized feature: '(web-share|bluetooth)'/;
      const policyWarnings = log.console.filter((m) => /permissions.policy|feature policy/i.test(m) && !elsewhere.test(m));
      assert.deepEqual(policyWarnings, [], "every Permissions-Policy feature is one Chromium knows");
      await context.close();
    } finally {
      await host.close();
    }
  });

  test("nginx sends the same headers as dist/_headers, on pages and on the proxy's answers", { skip: skipProxy }, async () => {
    const expected = headerList();
    for (const [p, method] of [
      ["/", "GET"],
      ["/config.json", "GET"],
      [`/v1beta/models/${MODEL}:countTokens`, "POST"],
    ]) {
      const r = await raw(NGINX_URL, { method, path: p, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined });
      for (const [n, v] of expected) assert.equal(r.headers[n.toLowerCase()], v, `${p}: ${n}`);
    }
  });

  test("the studio does not run in a frame on another site (static host and nginx)", async () => {
    const host = await staticHost();
    const bare = await staticHost({ apply: false });
    try {
      // The check can see a frame that runs: without the headers, it does.
      const control = await framedRuns(`${bare.url}/`);
      assert.ok(control.files.length > 0, "without the headers the framed page loads its files");
      assert.equal(control.generate, 1, "and the studio runs in the frame");
      const framed = await framedRuns(`${host.url}/`);
      assert.deepEqual(framed.files, [], `the framed page loaded nothing of the studio (${framed.url})`);
      assert.notEqual(framed.url, `${host.url}/`, "the frame shows the browser's refusal instead");
      if (NGINX_URL) {
        const viaNginx = await framedRuns(`${NGINX_URL}/`);
        assert.deepEqual(viaNginx.files, [], `through nginx too (${viaNginx.url})`);
      }
    } finally {
      await host.close();
      await bare.close();
    }
  });
});

function readdirSyncSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
