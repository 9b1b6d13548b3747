// Shared set-up for the end-to-end tests: Chromium, the page, the local API
// server's request log, and image fixtures made here (real PNG/JPEG bytes).
import { chromium } from "playwright-core";
import { deflateSync, inflateRawSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import assert from "node:assert/strict";

export const STUDIO_URL = process.env.STUDIO_URL ?? "http://127.0.0.1:8080/";
export const MOCK_URL = process.env.MOCK_URL ?? "http://127.0.0.1:8080";
const FLAGS = (process.env.CHROMIUM_FLAGS ??
  "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync").split(" ");

export const TEST_KEY = "e2e-secret-key-1234567890";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: FLAGS.filter((f) => f !== "--headless=new"),
    headless: true,
  });
}

/** A fresh page of the studio with a key entered; collects console output and request URLs. */
export async function openStudio(browser, { key = TEST_KEY, url = STUDIO_URL, contextOptions = {}, prepare } = {}) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, ...contextOptions });
  // Routes that must be in place before the page's first request.
  await prepare?.(context);
  const page = await context.newPage();
  const log = { console: [], urls: [], pageErrors: [] };
  page.on("console", (m) => log.console.push(m.text()));
  page.on("pageerror", (e) => log.pageErrors.push(String(e)));
  page.on("request", (r) => log.urls.push(r.url()));
  // Closing the context also checks that nothing panicked or threw in the page:
  // with panic = "abort" one panic kills the app.
  const close = context.close.bind(context);
  context.close = async () => {
    const panics = log.console.filter((m) => m.includes("panicked at"));
    await close();
    assert.deepEqual([...log.pageErrors, ...panics], [], "no uncaught error or panic in the page");
  };
  await page.goto(url);
  await page.getByRole("button", { name: "Generate" }).waitFor();
  if (key) await page.getByLabel("API key", { exact: true }).fill(key);
  return { context, page, log };
}

/**
 * Shares one Chromium between the tests of a file and empties the API server's
 * request log before each test. Returns a getter for the browser.
 */
export function useBrowser({ before, after, beforeEach }) {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(clearRequests);
  return () => browser;
}

export async function clearRequests() {
  const r = await fetch(`${MOCK_URL}/__mock/requests`, { method: "DELETE" });
  assert.ok(r.ok);
}

export async function requests() {
  const r = await fetch(`${MOCK_URL}/__mock/requests`);
  assert.ok(r.ok);
  return r.json();
}

export async function lastRequest() {
  const all = await requests();
  assert.ok(all.length > 0, "the API server received no request");
  return all[all.length - 1];
}

/** Types a prompt and presses Generate; waits for a new result image or an alert. */
export async function generate(page, prompt) {
  const before = await page.getByRole("img", { name: /^Generated image/ }).count();
  await page.getByRole("textbox", { name: "Prompt" }).fill(prompt);
  await page.getByRole("button", { name: "Generate" }).click();
  await Promise.race([
    page.getByRole("img", { name: /^Generated image/ }).nth(before).waitFor({ timeout: 30_000 }),
    page.getByRole("alert").waitFor({ timeout: 30_000 }),
  ]);
  // The image shows first; wait until it is also in browser storage (or its
  // save failed, with an alert).
  await page.getByText("Saving…").first().waitFor({ state: "detached", timeout: 30_000 });
}

/** The result images on the page, in order. */
export const results = (page) => page.getByRole("img", { name: /^Generated image/ });

/** The bytes behind an image element's (blob:) src, as the page holds them. */
export async function imageBytes(page, locator) {
  const src = await locator.getAttribute("src");
  const b64 = await page.evaluate(async (u) => {
    const buf = new Uint8Array(await (await fetch(u)).arrayBuffer());
    let s = "";
    for (const b of buf) s += String.fromCharCode(b);
    return btoa(s);
  }, src);
  return b64decode(b64);
}

export function b64decode(s) {
  return Buffer.from(s, "base64");
}

// ---------------------------------------------------------------- fixtures

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A real RGB PNG of w×h filled with a gradient seeded by `seed`. */
export function makePng(w, h, seed = 1) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 7 + seed * 40) & 255;
      raw[o + 1] = (y * 5 + seed * 90) & 255;
      raw[o + 2] = (x + y + seed * 13) & 255;
    }
  }
  return encodePng(w, h, raw);
}

/** A PNG file from 8-bit RGB rows, each led by its filter byte. */
function encodePng(w, h, raw, level = 6) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A PNG whose header says w×h (its pixel data is a single empty row): a
 * small file that claims a huge canvas. */
export function claimedPng(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc(4))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Waits until the page has read and applied config.json (or found none): its root says data-config="read". */
export async function configApplied(page) {
  await page.locator('.app[data-config="read"]').waitFor({ state: "attached", timeout: 20_000 });
}

/** Every record of one object store of the page's IndexedDB ([] while it does not exist). */
export async function storedRecords(page, storeName) {
  return page.evaluate(
    (name) =>
      new Promise((resolve) => {
        const open = indexedDB.open("gemini-studio");
        open.onerror = () => resolve([]);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(name)) return (db.close(), resolve([]));
          const req = db.transaction(name).objectStore(name).getAll();
          req.onsuccess = () => (db.close(), resolve(req.result.map((r) => ({ ...r, blobs: r.blobs?.length }))));
          req.onerror = () => (db.close(), resolve([]));
        };
      }),
    storeName,
  );
}

/** Polls one object store until `ok(records)` holds (saves are asynchronous); fails with `what`. */
export async function untilStored(page, storeName, ok, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let records = await storedRecords(page, storeName);
  while (!ok(records)) {
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(records).slice(0, 500)}`);
    await page.waitForTimeout(200);
    records = await storedRecords(page, storeName);
  }
  return records;
}

/** Another page of the studio in the same browser context (same storage), key entered. */
export async function secondTab(context, { key = TEST_KEY, url = STUDIO_URL } = {}) {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole("button", { name: "Generate" }).waitFor();
  if (key) await page.getByLabel("API key", { exact: true }).fill(key);
  return page;
}

/** Types a prompt and presses Generate, without waiting for the answer. */
export async function send(page, prompt) {
  await page.getByRole("textbox", { name: "Prompt" }).fill(prompt);
  await page.getByRole("button", { name: "Generate" }).click();
}

/** PNG width and height from its header. */
export function pngSize(buf) {
  assert.equal(buf.subarray(1, 4).toString("ascii"), "PNG");
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

export async function readDownload(download) {
  const stream = await download.createReadStream();
  const parts = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

/** A PNG of random pixels: it does not compress, so w×h×3 bytes and more. */
export function makeNoisePng(w, h) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = randomBytes(w * 3);
    raw[y * (w * 3 + 1)] = 0;
    row.copy(raw, y * (w * 3 + 1) + 1);
  }
  return encodePng(w, h, raw, 0);
}

/** Makes a File inside the page from bytes, for drag-and-drop and paste. */
export async function pageFile(page, bytes, name, type) {
  return page.evaluateHandle(
    ([b64, name, type]) => {
      const bin = atob(b64);
      const arr = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([arr], name, { type }));
      return dt;
    },
    [bytes.toString("base64"), name, type],
  );
}

/** An init script: keeps the object URLs the page has made and not revoked in `window.__liveUrls`. */
export const TRACK_OBJECT_URLS = () => {
  const live = new Set();
  const create = URL.createObjectURL.bind(URL);
  const revoke = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (o) => {
    const u = create(o);
    live.add(u);
    return u;
  };
  URL.revokeObjectURL = (u) => {
    live.delete(u);
    revoke(u);
  };
  window.__liveUrls = live;
};

// ---------------------------------------------------------------- zip

/** The entries of a ZIP file (stored or deflated), by name, read from its central directory. */
export function readZip(buf) {
  let end = buf.length - 22;
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, "a ZIP end record");
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const out = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, "a central directory entry");
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString("utf8");
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    assert.equal(data.length, size, `${name}: its size`);
    assert.equal(crc32(data), crc, `${name}: its CRC`);
    out.set(name, data);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** A ZIP file of stored entries ([name, Buffer] pairs, in order). */
export function writeZip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0800, 6);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(n.length, 26);
    parts.push(head, n, data);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(n.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, n);
    offset += 30 + n.length + data.length;
  }
  const dirBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dirBuf, end]);
}
