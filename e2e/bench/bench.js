// The studio's byte paths against the JavaScript paths of peer apps, in one
// headless Chromium run, on the same generated data. Run through
// `cargo xtask bench` (or `cargo xtask test`, which runs it tiny as a smoke test).
//
//   node bench/bench.js --app DIR --bench DIR [--unsplit DIR] [--runs N] [--tiny] [--out FILE]
//
// --app is the shipped release build (split: code used later is in chunks
// loaded on first use; sizes, cold start, memory over N generations); --bench
// is the same app built with the `bench` feature, whose exported entry points
// run the studio's own encode and decode paths; --unsplit is the app built
// without the split, whose first screen and cold starts are measured beside.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import zlib from "node:zlib";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { TRACK_OBJECT_URLS, makePng } from "../tests/helpers.js";

// ------------------------------------------------------------------ options

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const TINY = args.includes("--tiny");
const APP = opt("--app");
const BENCH = opt("--bench");
const UNSPLIT = opt("--unsplit");
const RUNS = Number(opt("--runs", TINY ? "1" : "7"));
const OUT = opt("--out");
const FILES = TINY ? 2 : 14;
const FILE_BYTES = TINY ? 64 * 1024 : 5 * 1024 * 1024;
// The answer's final image: 15,000,000 bytes are 20,000,000 base64 characters.
const IMAGE_BYTES = TINY ? 192 * 1024 : 15_000_000;
const GENERATIONS = TINY ? 3 : 20;
// A long session in the real UI, a profile on disk, no forced garbage collection:
// that many answers of IMAGE_BYTES (40 × 15 MB: 1.2 GB of images shown and stored).
const SESSION_TURNS = Number(opt("--session-turns", TINY ? "2" : "40"));
// Export and import: that many turns, each with its own image of that size
// (200 × 10 MB: about 2 GB, a history of 4K images).
const ARCHIVE_TURNS = Number(opt("--archive-turns", TINY ? "3" : "200"));
const ARCHIVE_IMAGE_BYTES = Number(opt("--archive-image-bytes", TINY ? String(192 * 1024) : String(10 * 1024 * 1024)));
const FLAGS = (process.env.CHROMIUM_FLAGS ??
  "--no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync")
  .split(" ")
  .filter((f) => f && f !== "--headless=new");
if (!APP || !BENCH) {
  console.error("usage: node bench/bench.js --app DIR --bench DIR [--runs N] [--tiny] [--out FILE]");
  process.exit(2);
}

// ------------------------------------------------------------------ data

/** A 4K-style answer: thoughts, a draft, text, and the final image last. */
function makeAnswer(imageBytes) {
  const image = randomBytes(imageBytes);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(image);
  const draft = randomBytes(2048);
  const json = JSON.stringify({
    candidates: [
      {
        content: {
          role: "model",
          parts: [
            { text: "**Composing** the scene at 4K.", thought: true },
            { inlineData: { mimeType: "image/png", data: draft.toString("base64") }, thought: true },
            { text: "Here is the image.", thoughtSignature: randomBytes(96).toString("base64") },
            {
              inlineData: { mimeType: "image/png", data: image.toString("base64") },
              thoughtSignature: randomBytes(256).toString("base64"),
            },
          ],
        },
        finishReason: "STOP",
      },
    ],
    usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 2000, totalTokenCount: 2012 },
    modelVersion: "gemini-3.1-flash-image-preview",
  });
  // The same answer streamed (`alt=sse`): one event per part, as the API sends it.
  const parsed = JSON.parse(json);
  const parts = parsed.candidates[0].content.parts;
  const events = parts.map((part, i) => {
    const last = i === parts.length - 1;
    const ev = {
      candidates: [{ content: { role: "model", parts: [part] }, index: 0, ...(last ? { finishReason: "STOP" } : {}) }],
      modelVersion: parsed.modelVersion,
      ...(last ? { usageMetadata: parsed.usageMetadata } : {}),
    };
    return `data: ${JSON.stringify(ev)}\r\n\r\n`;
  });
  return { body: Buffer.from(json), sse: Buffer.from(events.join("")), image };
}

const answer = makeAnswer(IMAGE_BYTES);

// ------------------------------------------------------------------ servers

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** Serves a build, the answer for the benchmark page, and a stand-in API;
 * with `gzip`, the build's files gzip-encoded when the browser accepts it:
 * a file's precompressed `<file>.gz` where the build has one (as nginx's
 * `gzip_static` does), else the file at gzip level 9. */
function serve(dir, { gzip = false } = {}) {
  const packed = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/bench/answer.sse") {
      res.writeHead(200, { "content-type": "text/event-stream", "content-length": answer.sse.length });
      res.end(answer.sse);
      return;
    }
    if (url.pathname === "/bench/answer.json" || url.pathname.endsWith(":generateContent")) {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": answer.body.length });
        res.end(answer.body);
      });
      return;
    }
    const rel = url.pathname === "/" ? "index.html" : path.normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, "");
    const file = path.resolve(dir, rel);
    if (!file.startsWith(path.resolve(dir)) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const headers = { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" };
    if (gzip && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
      if (!packed.has(file)) {
        const pre = `${file}.gz`;
        packed.set(file, fs.existsSync(pre) ? fs.readFileSync(pre) : zlib.gzipSync(fs.readFileSync(file), { level: 9 }));
      }
      const body = packed.get(file);
      res.writeHead(200, { ...headers, "content-encoding": "gzip", "content-length": body.length, vary: "accept-encoding" });
      res.end(body);
      return;
    }
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const origin = (s) => `http://127.0.0.1:${s.address().port}`;

// ------------------------------------------------------------------ helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const KiB = (n) => round(n / 1024, 1);

function initialLoad(dir) {
  const files = fs.readdirSync(dir).filter((f) => /\.(wasm|js|css)$/.test(f));
  const total = { raw: 0, gzip: 0, brotli: 0 };
  const items = files.map((f) => {
    const buf = fs.readFileSync(path.join(dir, f));
    const gzip = zlib.gzipSync(buf, { level: 9 }).length;
    const brotli = zlib.brotliCompressSync(buf, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length;
    total.raw += buf.length;
    total.gzip += gzip;
    total.brotli += brotli;
    return { file: f.replace(/-[0-9a-f]{8,}(?=[._])/, ""), raw: buf.length, gzip, brotli };
  });
  return { total, items };
}

/** Network profiles of the cold-start measure (Chromium's own throttling). */
const PROFILES = [
  { name: "10 Mbit/s, 40 ms", bps: 10e6, latencyMs: 40, peerMs: 733 },
  { name: "slow 4G: 1.6 Mbit/s, 150 ms", bps: 1.6e6, latencyMs: 150, peerMs: 1295 },
];

/**
 * One cold start from `server` (fresh context, no cache) under `profile` (or
 * none): the time until Generate shows and until the main thread is next idle,
 * and every file the page fetched until Generate showed, each counted at
 * gzip -9 and brotli 11 of its decoded bytes.
 */
async function coldStart(server, profile) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(PAGE_INIT);
  if (profile) {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: profile.latencyMs,
      downloadThroughput: profile.bps / 8,
      uploadThroughput: profile.bps / 8,
    });
  }
  const responses = [];
  page.on("response", (r) => responses.push(r));
  await page.goto(`${origin(server)}/`);
  await page.getByRole("button", { name: "Generate" }).waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => window.__idle !== undefined, null, { timeout: 30_000 });
  const t = await page.evaluate(
    () =>
      new Promise((resolve) =>
        requestIdleCallback(
          () =>
            resolve({
              interactive: window.__interactive,
              idle: window.__idle,
              idleTimedOut: window.__idleTimedOut,
              // The first screen: what was requested before Generate showed
              // (what is fetched after the first paint, browser storage's
              // code, is not).
              before: performance
                .getEntriesByType("resource")
                .filter((e) => e.startTime <= window.__interactive)
                .map((e) => e.name),
            }),
          { timeout: 10_000 },
        ),
      ),
  );
  const firstScreen = new Set([...t.before, page.url()]);
  const files = [];
  for (const r of responses.filter((r) => firstScreen.has(r.url()))) {
    const body = await r.body().catch(() => Buffer.alloc(0));
    files.push({
      file: new URL(r.url()).pathname.replace(/-[0-9a-f]{8,}(?=[._])/, ""),
      status: r.status(),
      raw: body.length,
      // What went over the wire: the build's .gz where it has one.
      served: Number(r.headers()["content-length"] ?? body.length),
      gzip: zlib.gzipSync(body, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  await ctx.close();
  const sum = (k) => files.reduce((a, f) => a + f[k], 0);
  if (t.idleTimedOut) console.warn(`cold start ${profile?.name ?? "unthrottled"}: the main thread was not idle within 10 s of Generate showing`);
  return { interactiveMs: t.interactive, idleMs: t.idle, idleTimedOut: t.idleTimedOut, bytes: { raw: sum("raw"), served: sum("served"), gzip: sum("gzip"), brotli: sum("brotli") }, files };
}

/**
 * The first use of features loaded on first use, from a cold start under
 * `profile` (gzip): the time from the click until the history panel's list,
 * the region editor (on a reference image) and the prompt library show,
 * their chunks' fetch included.
 */
async function firstUse(server, profile) {
  // No service worker: it would precache the chunks after start and answer
  // from its cache, and the fetch would not be measured.
  const ctx = await browser.newContext({ serviceWorkers: "block" });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: profile.latencyMs,
    downloadThroughput: profile.bps / 8,
    uploadThroughput: profile.bps / 8,
  });
  // Browser storage's code is fetched right after the first paint: the
  // clicks start once it is in (as a person's would, a moment later).
  const storage = page.waitForResponse((r) => /\/split_storage-[0-9a-f]{8}\.wasm$/.test(r.url()), { timeout: 120_000 });
  await page.goto(`${origin(server)}/`);
  await page.getByRole("button", { name: "Generate" }).waitFor({ timeout: 120_000 });
  await storage;
  await page.evaluate(() => new Promise((r) => requestIdleCallback(r, { timeout: 10_000 })));
  const timed = async (click, shown) => {
    const t0 = Date.now();
    await click();
    await shown();
    return Date.now() - t0;
  };
  const chunks = [];
  page.on("response", (r) => {
    if (/\/split_(history|editor|dialogs)-[0-9a-f]{8}\.wasm$/.test(r.url())) chunks.push(new URL(r.url()).pathname);
  });
  // The panel's summary comes with the code fetched after the first paint
  // (`later`): a person clicks it once it is there.
  const summary = page.locator("summary", { hasText: /^History \(/ });
  await summary.waitFor({ timeout: 120_000 });
  const history = await timed(
    () => summary.click(),
    () => page.locator(".history__body").waitFor(),
  );
  await page.getByLabel("Add images").setInputFiles({ name: "ref.png", mimeType: "image/png", buffer: makePng(64, 48, 3) });
  await page.getByRole("img", { name: "Reference image: ref.png" }).waitFor();
  const editor = await timed(
    () => page.getByRole("list", { name: "Reference images" }).getByRole("button", { name: "Edit region" }).click(),
    () => page.getByRole("dialog", { name: "Edit region" }).waitFor(),
  );
  await page.keyboard.press("Escape");
  const prompts = await timed(
    () => page.getByRole("button", { name: "Prompts", exact: true }).click(),
    () => page.getByRole("dialog", { name: "Prompt library" }).waitFor(),
  );
  await ctx.close();
  // Each from the network, or the figure is not what it says.
  if (chunks.length !== 3) throw new Error(`first use fetched ${chunks.join(", ") || "no chunk"}: expected history, editor, dialogs`);
  return { historyMs: history, editorMs: editor, promptLibraryMs: prompts };
}

// Runs in the page (with TRACK_OBJECT_URLS): long tasks, the wasm instance.
const PAGE_INIT = () => {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  addEventListener("TrunkApplicationStarted", (e) => {
    window.__wasm = e.detail.wasm;
  });
  window.__interactive = null;
  new MutationObserver((_, obs) => {
    const b = [...document.querySelectorAll("button")].find((x) => x.textContent.trim() === "Generate");
    if (b && window.__interactive === null) {
      window.__interactive = performance.now();
      // The main thread's next idle moment, asked for by the page itself at
      // once (asked from the test, it would also count the round trips to
      // it, and whatever lands meanwhile).
      // (If it never came within 10 s, that is recorded and said.)
      requestIdleCallback(
        (deadline) => {
          window.__idle = performance.now();
          window.__idleTimedOut = deadline.didTimeout;
        },
        { timeout: 10_000 },
      );
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
};

/** The longest task (ms) that started between t0 and t1 in the page, 0 if none over 50 ms. */
async function longestTask(page, t0, t1) {
  await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  return page.evaluate(
    ([a, b]) => Math.max(0, ...window.__longtasks.filter((t) => t.start >= a - 1 && t.start <= b).map((t) => t.duration)),
    [t0, t1],
  );
}

// ------------------------------------------------------------------ the run

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [...FLAGS, "--js-flags=--expose-gc", "--enable-precise-memory-info"],
  headless: true,
});
const appServer = await serve(APP);
const gzipServer = await serve(APP, { gzip: true });
const unsplitServer = UNSPLIT ? await serve(UNSPLIT, { gzip: true }) : null;
const benchServer = await serve(BENCH);
const result = {
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 0),
    os: `${os.type()} ${os.release()}`,
    chromium: browser.version(),
  },
  tiny: TINY,
  runs: RUNS,
};

try {
  // --- initial load
  result.load = initialLoad(APP);
  if (UNSPLIT) result.unsplitLoad = initialLoad(UNSPLIT);

  // --- cold start: a fresh context each run, no cache
  const starts = { firstPaint: [], interactive: [] };
  for (let i = 0; i < Math.max(RUNS, 3); i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.addInitScript(PAGE_INIT);
    await page.addInitScript(TRACK_OBJECT_URLS);
    await page.goto(`${origin(appServer)}/`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    const t = await page.evaluate(() => ({
      paint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? performance.getEntriesByName("first-paint")[0]?.startTime ?? NaN,
      interactive: window.__interactive,
    }));
    starts.firstPaint.push(t.paint);
    starts.interactive.push(t.interactive);
    await ctx.close();
  }
  result.coldStart = {
    firstPaintMs: round(median(starts.firstPaint)),
    interactiveMs: round(median(starts.interactive)),
    samples: starts,
  };

  // --- the first screen: what is fetched until Generate shows; cold starts
  // under network throttling, served with gzip
  result.firstScreen = await coldStart(gzipServer, null);
  if (unsplitServer) result.unsplitFirstScreen = await coldStart(unsplitServer, null);
  result.throttled = [];
  for (const profile of PROFILES) {
    const runs = [];
    const unsplit = [];
    // Alternating, so that both builds see the same machine.
    for (let i = 0; i < (TINY ? 1 : 3); i++) {
      runs.push(await coldStart(gzipServer, profile));
      if (unsplitServer) unsplit.push(await coldStart(unsplitServer, profile));
    }
    result.throttled.push({
      profile: profile.name,
      peerMs: profile.peerMs,
      interactiveMs: round(median(runs.map((r) => r.interactiveMs))),
      idleMs: round(median(runs.map((r) => r.idleMs))),
      samples: runs.map((r) => round(r.idleMs)),
      unsplitIdleMs: unsplit.length ? round(median(unsplit.map((r) => r.idleMs))) : null,
    });
  }

  // --- the first use of what is loaded on first use (10 Mbit/s profile)
  {
    const runs = [];
    for (let i = 0; i < (TINY ? 1 : 3); i++) runs.push(await firstUse(gzipServer, PROFILES[0]));
    result.firstUse = {
      profile: PROFILES[0].name,
      historyMs: median(runs.map((r) => r.historyMs)),
      editorMs: median(runs.map((r) => r.editorMs)),
      promptLibraryMs: median(runs.map((r) => r.promptLibraryMs)),
      samples: runs,
    };
  }

  // --- encode and decode, ours against the peers', alternating
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("page error:", String(e)));
  await page.addInitScript(PAGE_INIT);
  await page.addInitScript(TRACK_OBJECT_URLS);
  await page.goto(`${origin(benchServer)}/`);
  await page.waitForFunction(() => window.wasmBindings?.bench_encode);

  await page.evaluate(
    ([count, size]) => {
      const files = [];
      for (let i = 0; i < count; i++) {
        const u = new Uint8Array(size);
        for (let o = 0; o < size; o += 65536) crypto.getRandomValues(u.subarray(o, Math.min(size, o + 65536)));
        u.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        files.push(new File([u], `photo-${i}.png`, { type: "image/png" }));
      }
      window.__files = files;
      const url = "/v1beta/models/gemini-3.1-flash-image-preview:generateContent";
      const dataUrl = (f) =>
        new Promise((res, rej) => {
          const r = new FileReader();
          r.onload = () => res(r.result);
          r.onerror = () => rej(r.error);
          r.readAsDataURL(f);
        });
      // How peer studios build the request: readAsDataURL, split(',')[1], JSON.stringify.
      window.__peerEncode = async (prompt) => {
        const parts = [{ text: prompt }];
        for (const f of window.__files) {
          const d = await dataUrl(f);
          parts.push({ inlineData: { mimeType: f.type, data: d.split(",")[1] } });
        }
        const body = JSON.stringify({ contents: [{ role: "user", parts }], generationConfig: { responseModalities: ["TEXT", "IMAGE"] } });
        return new Request(url, { method: "POST", headers: { "content-type": "application/json", "x-goog-api-key": "bench-key" }, body });
      };
      // How peer studios show the answer: JSON.parse, atob, a charCodeAt loop, a Blob.
      window.__peerDecode = async (response) => {
        const json = await response.json();
        const parts = json.candidates[0].content.parts;
        const part = parts.filter((p) => p.inlineData && !p.thought).at(-1);
        const bin = atob(part.inlineData.data);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        return URL.createObjectURL(new Blob([bytes], { type: part.inlineData.mimeType }));
      };
      window.__ourEncode = (prompt) => window.wasmBindings.bench_encode(window.__files, prompt);
      window.__ourDecode = (response) => window.wasmBindings.bench_decode(response);
      window.__streamDecode = (response) => window.wasmBindings.bench_decode_stream(response);
    },
    [FILES, FILE_BYTES],
  );
  await page.evaluate(async () => {
    window.__answer = await (await fetch("/bench/answer.json")).arrayBuffer();
    window.__sse = await (await fetch("/bench/answer.sse")).arrayBuffer();
  });

  /** Times the variants in the page, interleaved run by run so that drift in the
   * machine hits each alike; returns median ms, samples and the longest task. */
  async function time(kind, variants) {
    const out = Object.fromEntries(variants.map((v) => [v, { samples: [], longest: 0 }]));
    for (let i = 0; i < RUNS; i++) {
      for (const v of variants) {
        await page.evaluate(() => window.gc?.());
        const [t0, t1] = await page.evaluate(
          async ([kind, v]) => {
            const which = { peer: "peer", ours: "our", stream: "stream" }[v];
            const prompt = "Blend these photos into one scene";
            // The answer as it arrives: a Response (made before the clock starts).
            const response =
              kind === "decode"
                ? new Response((v === "stream" ? window.__sse : window.__answer).slice(0), {
                    headers: { "content-type": v === "stream" ? "text/event-stream" : "application/json" },
                  })
                : null;
            const t0 = performance.now();
            const made =
              kind === "encode"
                ? await window[`__${which}Encode`](prompt)
                : await window[`__${which}Decode`](response);
            const t1 = performance.now();
            if (kind === "decode") URL.revokeObjectURL(made);
            return [t0, t1];
          },
          [kind, v],
        );
        out[v].samples.push(t1 - t0);
        out[v].longest = Math.max(out[v].longest, await longestTask(page, t0, t1));
      }
    }
    for (const v of variants)
      out[v] = { ms: round(median(out[v].samples)), samples: out[v].samples.map((x) => round(x)), longestTaskMs: round(out[v].longest) };
    return out;
  }

  // Correctness first (not timed): the same request body data and the same image.
  const check = await page.evaluate(async () => {
    const ours = JSON.parse(await (await window.__ourEncode("x")).text());
    const peer = JSON.parse(await (await window.__peerEncode("x")).text());
    const a = ours.contents[0].parts.slice(1).map((p) => p.inlineData.data);
    const b = peer.contents[0].parts.slice(1).map((p) => p.inlineData.data);
    const sameBody = a.length === b.length && a.every((d, i) => d === b[i]);
    const ourUrl = await window.__ourDecode(new Response(window.__answer.slice(0)));
    const peerUrl = await window.__peerDecode(new Response(window.__answer.slice(0)));
    const streamUrl = await window.__streamDecode(new Response(window.__sse.slice(0)));
    const [x, y, z] = await Promise.all(
      [ourUrl, peerUrl, streamUrl].map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())),
    );
    const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
    const sameImage = same(x, y) && same(x, z);
    for (const u of [ourUrl, peerUrl, streamUrl]) URL.revokeObjectURL(u);
    return { sameBody, sameImage, imageBytes: x.length };
  });
  if (!check.sameBody || !check.sameImage || check.imageBytes !== IMAGE_BYTES)
    throw new Error(`our path and the peer path disagree: ${JSON.stringify(check)}`);

  const inputBytes = FILES * FILE_BYTES;
  const enc = await time("encode", ["ours", "peer"]);
  const dec = await time("decode", ["ours", "stream", "peer"]);
  const mbps = (ms) => round(inputBytes / 1e6 / (ms / 1000), 0);
  result.encode = {
    files: FILES,
    fileBytes: FILE_BYTES,
    oursMs: enc.ours.ms,
    peerMs: enc.peer.ms,
    oursMBps: mbps(enc.ours.ms),
    peerMBps: mbps(enc.peer.ms),
    throughputRatio: round(enc.peer.ms / enc.ours.ms, 2),
    longestTaskMs: { ours: enc.ours.longestTaskMs, peer: enc.peer.longestTaskMs },
    samples: { ours: enc.ours.samples, peer: enc.peer.samples },
  };
  result.decode = {
    responseBytes: answer.body.length,
    imageBytes: IMAGE_BYTES,
    oursMs: dec.ours.ms,
    streamedMs: dec.stream.ms,
    peerMs: dec.peer.ms,
    timeRatio: round(dec.ours.ms / dec.peer.ms, 2),
    streamedRatio: round(dec.stream.ms / dec.ours.ms, 2),
    longestTaskMs: { ours: dec.ours.longestTaskMs, stream: dec.stream.longestTaskMs, peer: dec.peer.longestTaskMs },
    samples: { ours: dec.ours.samples, stream: dec.stream.samples, peer: dec.peer.samples },
    // Where our time goes (medians, ms): the next change is judged by these.
    stepsMs: await decodeSteps(),
  };
  await ctx.close();

  async function decodeSteps() {
    const names = ["read", "parse", "base64", "blob"];
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      await page.evaluate(() => window.gc?.());
      runs.push(await page.evaluate(() => window.wasmBindings.bench_decode_steps(new Response(window.__answer.slice(0)))));
    }
    return Object.fromEntries(names.map((n, i) => [n, round(median(runs.map((r) => r[i])))]));
  }

  // --- export and import of a large history, in bounded memory
  result.archive = await archiveRun();

  // --- memory over N generations in the real UI, each in a new conversation
  result.memory = await memoryRun();

  // --- a long session of 4K answers: every turn saved, without a forced GC
  result.session = await sessionRun();
} finally {
  await browser.close();
  appServer.close();
  benchServer.close();
  gzipServer.close();
  unsplitServer?.close();
}

async function archiveRun() {
  // A profile on disk: a context without one keeps IndexedDB in memory, under a
  // quota too small for a history of 4K images (the export's 2 GB and their
  // import again).
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "studio-bench-archive-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [...FLAGS, "--enable-precise-memory-info"],
    headless: true,
  });
  try {
    return await archiveIn(ctx);
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function archiveIn(ctx) {
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("page error:", String(e)));
  await page.addInitScript(PAGE_INIT);
  await page.goto(`${origin(benchServer)}/`);
  await page.waitForFunction(() => window.wasmBindings?.bench_fill && window.__wasm?.memory);
  const from = `bench-export-${Date.now()}`;
  const to = `bench-import-${Date.now()}`;
  // No forced garbage collection anywhere in this run: the app must not need one
  // (Blobs it no longer uses hold the browser's blob memory until collected).
  await page.evaluate(([n, t, b]) => window.wasmBindings.bench_fill(n, t, b), [from, ARCHIVE_TURNS, ARCHIVE_IMAGE_BYTES]);
  const mem = () => page.evaluate(() => window.__wasm.memory.buffer.byteLength);
  const before = await mem();
  const [e0, e1, archiveBytes] = await page.evaluate(async (name) => {
    const t0 = performance.now();
    window.__archive = await window.wasmBindings.bench_export(name);
    return [t0, performance.now(), window.__archive.size];
  }, from);
  const afterExport = await mem();
  const exportLongest = await longestTask(page, e0, e1);
  const [i0, i1, added] = await page.evaluate(async (name) => {
    const t0 = performance.now();
    const added = await window.wasmBindings.bench_import(name, window.__archive);
    return [t0, performance.now(), added];
  }, to);
  const afterImport = await mem();
  const importLongest = await longestTask(page, i0, i1);
  // Byte for byte: every image of the first database is in the second, the same.
  const same = await page.evaluate(
    async ([a, b]) => {
      const open = (n) =>
        new Promise((res, rej) => {
          const r = indexedDB.open(n);
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      const get = (db, store, key) =>
        new Promise((res, rej) => {
          const r = key === undefined ? db.transaction(store).objectStore(store).getAllKeys() : db.transaction(store).objectStore(store).get(key);
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      const [x, y] = [await open(a), await open(b)];
      const keys = await get(x, "images");
      let ok = keys.length > 0;
      for (const k of keys) {
        const [p, q] = [await get(x, "images", k), await get(y, "images", k)];
        if (!q) {
          ok = false;
          break;
        }
        const [u, v] = [new Uint8Array(await p.blob.arrayBuffer()), new Uint8Array(await q.blob.arrayBuffer())];
        if (u.length !== v.length || !u.every((c, i) => c === v[i])) {
          ok = false;
          break;
        }
      }
      x.close();
      y.close();
      for (const n of [a, b]) indexedDB.deleteDatabase(n);
      return ok;
    },
    [from, to],
  );
  if (added !== 1 || !same) throw new Error(`export/import round trip failed: added ${added}, same ${same}`);
  const peak = Math.max(afterExport, afterImport) - before;
  return {
    turns: ARCHIVE_TURNS,
    imageBytes: ARCHIVE_IMAGE_BYTES,
    archiveBytes,
    exportMs: round(e1 - e0),
    importMs: round(i1 - i0),
    wasmGrowthBytes: peak,
    withinTwoImages: peak <= 2 * ARCHIVE_IMAGE_BYTES,
    longestTaskMs: { export: round(exportLongest), import: round(importLongest) },
    roundTripByteExact: same,
  };
}

async function sessionRun() {
  // As a person's browser: a profile on disk, and no forced garbage collection
  // (each answer's image is one Blob shown and one stored; Blobs the page let go
  // must not fill the browser's blob memory, or saves fail with DataError).
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "studio-bench-session-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: FLAGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${origin(appServer)}/`);
    await page.getByRole("button", { name: "Generate" }).waitFor();
    const key = page.getByLabel("API key", { exact: true });
    if (await key.count()) await key.fill("bench-key");
    let alerts = 0;
    const t0 = Date.now();
    for (let i = 1; i <= SESSION_TURNS; i++) {
      await page.getByRole("textbox", { name: "Prompt" }).fill(`A 4K photo of a harbour, take ${i}`);
      await page.getByRole("button", { name: "Generate" }).click();
      await page.getByRole("img", { name: /^Generated image/ }).first().waitFor({ timeout: 60_000 });
      await page.getByText("Saving…").first().waitFor({ state: "detached", timeout: 60_000 });
      if (await page.getByRole("alert").count()) alerts++;
      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByRole("img", { name: /^Generated image/ }).first().waitFor({ state: "detached" });
    }
    const seconds = (Date.now() - t0) / 1000;
    const stored = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const open = indexedDB.open("gemini-studio");
          open.onsuccess = () => {
            try {
              const req = open.result.transaction("turns").objectStore("turns").count();
              req.onsuccess = () => (open.result.close(), resolve(req.result));
              req.onerror = () => resolve(-1);
            } catch {
              resolve(-1);
            }
          };
          open.onerror = () => resolve(-1);
        }),
    );
    if (stored !== SESSION_TURNS || alerts || errors.length)
      throw new Error(`long session: ${stored} of ${SESSION_TURNS} turns stored, ${alerts} alerts, page errors ${errors}`);
    return { turns: SESSION_TURNS, imageBytes: IMAGE_BYTES, stored, alerts, seconds: round(seconds), pageErrors: errors };
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function memoryRun() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.addInitScript(PAGE_INIT);
  await page.addInitScript(TRACK_OBJECT_URLS);
  await page.goto(`${origin(appServer)}/`);
  await page.getByRole("button", { name: "Generate" }).waitFor();
  await page.waitForFunction(() => window.__wasm?.memory);
  const key = page.getByLabel("API key", { exact: true });
  if (await key.count()) await key.fill("bench-key");
  const cdp = await ctx.newCDPSession(page);
  const sample = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    await page.evaluate(() => new Promise((r) => setTimeout(r, 20)));
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = await cdp.send("Runtime.getHeapUsage");
    return page.evaluate((jsHeap) => {
      const shown = new Set(
        [...document.querySelectorAll("[src^='blob:'], [href^='blob:']")].map((e) => e.getAttribute("src") ?? e.getAttribute("href")),
      );
      const live = [...window.__liveUrls];
      return {
        wasmBytes: window.__wasm.memory.buffer.byteLength,
        jsHeapBytes: jsHeap,
        liveObjectUrls: live.length,
        unshownObjectUrls: live.filter((u) => !shown.has(u)).length,
      };
    }, heap.usedSize);
  };
  const samples = [];
  const uiMs = [];
  const storedMs = [];
  let longest = 0;
  for (let i = 1; i <= GENERATIONS; i++) {
    await page.getByRole("textbox", { name: "Prompt" }).fill(`A 4K photo of a lighthouse, take ${i}`);
    const t0 = await page.evaluate(() => performance.now());
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("img", { name: /^Generated image/ }).first().waitFor({ timeout: 60_000 });
    const t1 = await page.evaluate(() => performance.now());
    // Stored (the turn shows first, then is saved) before the next step, so
    // that each sample sees the same state.
    await page.getByText("Saving…").first().waitFor({ state: "detached", timeout: 60_000 });
    const t2 = await page.evaluate(() => performance.now());
    uiMs.push(t1 - t0);
    storedMs.push(t2 - t0);
    longest = Math.max(longest, await longestTask(page, t0, t2));
    await page.getByRole("button", { name: "New conversation" }).click();
    await page.getByRole("img", { name: /^Generated image/ }).first().waitFor({ state: "detached" });
    samples.push(await sample());
  }
  await ctx.close();
  const second = samples[Math.min(1, samples.length - 1)];
  const last = samples.at(-1);
  return {
    generations: GENERATIONS,
    responseBytes: answer.body.length,
    afterSecond: second,
    afterLast: last,
    wasmGrowthBytes: last.wasmBytes - second.wasmBytes,
    jsHeapGrowthBytes: last.jsHeapBytes - second.jsHeapBytes,
    withinOneResponse:
      last.wasmBytes - second.wasmBytes <= answer.body.length && last.jsHeapBytes - second.jsHeapBytes <= answer.body.length,
    clickToImageMs: round(median(uiMs)),
    clickToStoredMs: round(median(storedMs)),
    longestTaskMs: round(longest),
    pageErrors: errors,
    samples,
  };
}

// ------------------------------------------------------------------ report

const L = result.load.total;
const U = result.unsplitLoad?.total;
const unsplitFirst = result.unsplitFirstScreen?.bytes;
const rows = [
  [
    "all files, every chunk (wasm+js+css), gzip -9",
    `${KiB(L.gzip)} KiB`,
    U ? `unsplit build ${KiB(U.gzip)} KiB` : "",
    U ? `${round(L.gzip / U.gzip, 3)}× unsplit` : "",
    "≤ 1.1× unsplit",
  ],
  ["all files, brotli", `${KiB(L.brotli)} KiB`, U ? `unsplit build ${KiB(U.brotli)} KiB` : "", "", ""],
  [
    `first screen: ${result.firstScreen.files.length} files fetched until Generate, gzip -9 / brotli`,
    `${KiB(result.firstScreen.bytes.gzip)} / ${KiB(result.firstScreen.bytes.brotli)} KiB`,
    `133 KiB (Google's quickstart)${unsplitFirst ? `; unsplit build ${KiB(unsplitFirst.gzip)} KiB` : ""}`,
    `${round(result.firstScreen.bytes.gzip / 1024 / 133, 2)}× the quickstart`,
    "≤ 133 KiB (stretch ≤ 100)",
  ],
  [
    "the same as served (the build's Zopfli .gz files)",
    `${KiB(result.firstScreen.bytes.served)} KiB`,
    unsplitFirst ? `unsplit build ${KiB(unsplitFirst.served)} KiB (gzip -9)` : "",
    "",
    "",
  ],
  ...result.throttled.map((t) => [
    `cold start, ${t.profile}, gzip → Generate / idle`,
    `${t.interactiveMs} / ${t.idleMs} ms`,
    `${t.peerMs} ms (Next.js quickstart, measured before)${t.unsplitIdleMs !== null ? `; unsplit build ${t.unsplitIdleMs} ms idle` : ""}`,
    `${round(t.idleMs / t.peerMs, 2)}×`,
    "≤ 1×",
  ]),
  [
    `first use, ${result.firstUse.profile}: click → history / region editor / prompt library shown`,
    `${result.firstUse.historyMs} / ${result.firstUse.editorMs} / ${result.firstUse.promptLibraryMs} ms`,
    "",
    "",
    "≤ 300 ms",
  ],
  ["cold start → first paint", `${result.coldStart.firstPaintMs} ms`, "", "", ""],
  ["cold start → interactive", `${result.coldStart.interactiveMs} ms`, "", "", ""],
  [
    `encode ${FILES} × ${KiB(FILE_BYTES)} KiB → request`,
    `${result.encode.oursMs} ms (${result.encode.oursMBps} MB/s)`,
    `${result.encode.peerMs} ms (${result.encode.peerMBps} MB/s)`,
    `${result.encode.throughputRatio}× throughput`,
    "≥ 2×",
  ],
  [
    `decode ${round(answer.body.length / 1e6, 1)} MB answer → object URL`,
    `${result.decode.oursMs} ms`,
    `${result.decode.peerMs} ms`,
    `${result.decode.timeRatio}× time`,
    "≤ 0.5×",
  ],
  [
    "decode, the same answer streamed (SSE) → object URL",
    `${result.decode.streamedMs} ms`,
    "",
    `${result.decode.streamedRatio}× the non-streamed`,
    "",
  ],
  [
    "decode steps: read / parse / base64 / blob",
    Object.values(result.decode.stepsMs).join(" / ") + " ms",
    "",
    "",
    "",
  ],
  [
    "longest task: encode / decode",
    `${result.encode.longestTaskMs.ours} / ${result.decode.longestTaskMs.ours} ms`,
    `${result.encode.longestTaskMs.peer} / ${result.decode.longestTaskMs.peer} ms`,
    "",
    "≤ 200 ms",
  ],
  [
    `memory growth, generation 2 → ${GENERATIONS}: wasm / JS heap`,
    `${KiB(result.memory.wasmGrowthBytes)} / ${KiB(result.memory.jsHeapGrowthBytes)} KiB`,
    "",
    result.memory.withinOneResponse ? "within one response" : "OVER one response",
    `≤ ${KiB(answer.body.length)} KiB`,
  ],
  ["object URLs not shown, after the last", `${result.memory.afterLast.unshownObjectUrls}`, "", "", "0"],
  [
    `export + import ${result.archive.turns} turns × ${round(result.archive.imageBytes / 2 ** 20, 1)} MiB (${round(result.archive.archiveBytes / 2 ** 30, 2)} GiB)`,
    `${result.archive.exportMs} + ${result.archive.importMs} ms`,
    "",
    result.archive.roundTripByteExact ? "byte-exact" : "NOT byte-exact",
    "byte-exact",
  ],
  [
    "  … wasm growth (peak) / longest task export, import",
    `${KiB(result.archive.wasmGrowthBytes)} KiB / ${result.archive.longestTaskMs.export}, ${result.archive.longestTaskMs.import} ms`,
    "",
    result.archive.withinTwoImages ? "within 2 images" : "OVER 2 images",
    "≤ 2 images, ≤ 200 ms",
  ],
  [
    `long session, no forced GC: ${result.session.turns} answers of ${round(IMAGE_BYTES / 1e6, 1)} MB, turns stored`,
    `${result.session.stored} of ${result.session.turns}`,
    "",
    "",
    "all",
  ],
  [`UI: Generate → image shown (${round(answer.body.length / 1e6, 1)} MB answer)`, `${result.memory.clickToImageMs} ms`, "", "", ""],
  ["UI: Generate → turn stored in IndexedDB", `${result.memory.clickToStoredMs} ms`, "", "", ""],
  ["longest task in the UI over those generations", `${result.memory.longestTaskMs} ms`, "", "", ""],
];
const header = ["measure", "studio", "peer path", "ratio", "target"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
const table = [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)].join("\n");
result.table = table;
console.log(`\n${result.machine.cpu}, ${result.machine.cores} cores, Chromium ${result.machine.chromium}; median of ${RUNS} runs${TINY ? " (tiny sizes: a smoke test, not a measurement)" : ""}\n`);
console.log(table);
if (result.memory.pageErrors.length) console.log("page errors:", result.memory.pageErrors);
if (OUT) {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(result, null, 2));
  console.log(`\nwritten to ${OUT}`);
}
