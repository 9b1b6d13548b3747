// Nothing lost under any fault: the fault matrix. Each case is injected through
// the local API server (markers in the prompt) or the browser (IndexedDB patched
// or held open, a second tab, a reload), and must show a specific message, never
// panic, lose nothing, and leave what the server received and what IndexedDB
// holds as they should be.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  b64decode,
  claimedPng,
  generate,
  makePng,
  openStudio,
  readDownload,
  requests,
  results,
  secondTab,
  send,
  untilStored,
  useBrowser,
} from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });

const prompt = (page) => page.getByRole("textbox", { name: "Prompt" });
const alertText = async (page) => {
  const alert = page.getByRole("alert");
  await alert.waitFor({ timeout: 90_000 });
  return alert.innerText();
};
const attach = (page, files) => page.getByLabel("Add images").setInputFiles(files);

/** The turns stored in the page's IndexedDB. */
async function storedTurns(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("gemini-studio");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction("turns").objectStore("turns").getAll();
          req.onsuccess = () => {
            db.close();
            resolve(req.result.map((t) => ({ id: t.id, prompt: t.prompt, conversationId: t.conversationId })));
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

describe("retries: as the server asks, never what may have been billed", () => {
  test("a 429 is retried after RetryInfo's delay, counting down, and the image arrives", async () => {
    const { context, page } = await openStudio(chromium());
    await send(page, "A lighthouse [[fail-first:1:429]][[retry-delay:2s]]");
    await page.getByText(/Rate limited — retrying in [12] s \(attempt 2 of 4\)/).waitFor();
    await results(page).first().waitFor({ timeout: 30_000 });
    const log = await requests();
    assert.deepEqual(log.map((r) => r.status), [429, 200]);
    assert.ok(log[1].receivedMs - log[0].receivedMs >= 2000, `waited ${log[1].receivedMs - log[0].receivedMs} ms`);
    assert.deepEqual(log[1].body, log[0].body, "the retry sends the same body");
    await context.close();
  });

  test("a 503 is retried after its Retry-After header", async () => {
    const { context, page } = await openStudio(chromium());
    await send(page, "A harbour [[fail-first:1:503]][[retry-after:2]]");
    await page.getByText(/Server overloaded — retrying in/).waitFor();
    await results(page).first().waitFor({ timeout: 30_000 });
    const log = await requests();
    assert.deepEqual(log.map((r) => r.status), [503, 200]);
    assert.ok(log[1].receivedMs - log[0].receivedMs >= 2000);
    await context.close();
  });

  test("Cancel during the wait sends nothing more and keeps the prompt", async () => {
    const { context, page } = await openStudio(chromium());
    const text = "A mountain [[fail-first:1:429]][[retry-delay:30s]]";
    await send(page, text);
    await page.getByText(/Rate limited — retrying in \d+ s/).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("Cancelled. Your prompt and images are still here.").waitFor();
    await page.waitForTimeout(1500);
    assert.equal((await requests()).length, 1);
    assert.equal(await prompt(page).inputValue(), text);
    await context.close();
  });

  test("what cannot help is not retried: no quota, a refusal, an unreadable answer", async () => {
    const { context, page } = await openStudio(chromium());
    await send(page, "A key without quota [[status:429-no-quota]]");
    assert.match(await alertText(page), /no quota for this model/);
    assert.equal((await requests()).length, 1);
    await page.getByRole("button", { name: "Dismiss error" }).click();
    await send(page, "A refused one [[status:400-precondition]]");
    await alertText(page);
    assert.equal((await requests()).length, 2);
    await page.getByRole("button", { name: "Dismiss error" }).click();
    await send(page, "An unreadable one [[malformed]]");
    assert.match(await alertText(page), /billed/);
    assert.equal((await requests()).length, 3);
    await context.close();
  });

  test("Retries 0 sends once; a failure then says what happened", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByText("Requests", { exact: true }).click();
    await page.getByLabel("Retries").selectOption("0");
    await send(page, "Once only [[fail-first:1:503]]");
    assert.match(await alertText(page), /overloaded|unavailable/i);
    assert.equal((await requests()).length, 1);
    await context.close();
  });

  test("variants retry on their own: one lands while the other waits", async () => {
    const { context, page } = await openStudio(chromium());
    await page.getByLabel("Variants").selectOption("2");
    await send(page, "Two cats [[fail-first:1:503]][[retry-after:8]]");
    await page.getByRole("img", { name: /^Variant [12]: ready$/ }).waitFor();
    assert.ok(await page.getByText(/retrying in \d+ s/).isVisible(), "the other still waits");
    await results(page).nth(1).waitFor({ timeout: 30_000 });
    assert.deepEqual((await requests()).map((r) => r.status).sort(), [200, 200, 503]);
    await context.close();
  });
});

describe("time limits", () => {
  test("no answer within the time limit, or a body that stops: aborted, said, Try again", async () => {
    const browser = chromium();
    const run = async (marker, limit, expected) => {
      const { context, page } = await openStudio(browser);
      await page.getByText("Requests", { exact: true }).click();
      if (limit) await page.getByLabel("Time limit").selectOption(limit);
      await send(page, `A slow answer ${marker}`);
      const text = await alertText(page);
      assert.match(text, expected);
      assert.match(text, /billed/);
      assert.ok(await page.getByRole("button", { name: "Try again" }).isVisible());
      assert.equal(await page.getByRole("article", { name: "Turn 1" }).count(), 0);
      await context.close();
    };
    await Promise.all([
      run("[[slow:45000]]", "30", /No answer within 30 s/),
      run("[[stall-body:70000]]", null, /stopped arriving/),
    ]);
  });
});

describe("work typed during a run is never wiped", () => {
  test("Generate pressed while an image is still being read waits for it and sends it; Cancel calls it off", async () => {
    const browser = chromium();
    const context = await browser.newContext();
    // Reading a file waits until the test lets it go (a large photo on a slow machine).
    await context.addInitScript(() => {
      const read = Blob.prototype.arrayBuffer;
      Blob.prototype.arrayBuffer = function () {
        return (window.__hold ?? Promise.resolve()).then(() => read.call(this));
      };
    });
    const page = await secondTab(context);
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.text().includes("panicked at") && errors.push(m.text()));
    const hold = () =>
      page.evaluate(() => {
        window.__hold = new Promise((r) => (window.__release = r));
      });
    const release = () => page.evaluate(() => window.__release());
    const generateButton = page.getByRole("button", { name: "Generate" });
    // Attaches `file`, held while it is read, and presses Generate meanwhile: it waits.
    const generateWhileReading = async (file) => {
      await hold();
      await attach(page, file);
      await page.getByRole("status").filter({ hasText: "Adding an image…" }).waitFor();
      await generateButton.click();
      await page.getByText(/Generate starts when the images being added are in/).waitFor();
    };

    // Pressed while the file is read: it waits, then sends the image with the prompt.
    await prompt(page).fill("Use the photo");
    const png = makePng(24, 24, 5);
    await generateWhileReading({ name: "slow.png", mimeType: "image/png", buffer: png });
    assert.equal((await requests()).length, 0, "nothing sent without the image");
    await release();
    await results(page).first().waitFor({ timeout: 30_000 });
    const log = await requests();
    assert.equal(log.length, 1);
    const parts = log[0].body.contents.at(-1).parts;
    assert.equal(parts[0].text, "Use the photo");
    assert.equal(parts.length, 2, "the image went with the prompt");
    assert.deepEqual(b64decode(parts[1].inlineData.data), png);

    // Cancel (shown while it waits) calls it off; the image still comes in.
    await prompt(page).fill("Not yet");
    await generateWhileReading({ name: "second.png", mimeType: "image/png", buffer: makePng(20, 20, 6) });
    assert.equal(await page.getByRole("timer").count(), 0, "nothing is running: it waits");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("status").filter({ hasText: "Cancelled." }).waitFor();
    await generateButton.waitFor();
    await release();
    await page.getByRole("img", { name: "Reference image: second.png" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Adding an image…" }).waitFor({ state: "detached" });
    assert.equal((await requests()).length, 1, "the cancelled Generate sent nothing");
    assert.equal(await prompt(page).inputValue(), "Not yet");

    // A file refused once read calls it off too, and says so.
    await generateWhileReading({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image at all") });
    await release();
    await page.getByText("Generate was not started: an image was not added (see why below).").waitFor();
    await page.getByRole("alert").filter({ hasText: "notes.png" }).waitFor();
    assert.equal((await requests()).length, 1, "nothing sent without the refused image");
    assert.equal(await prompt(page).inputValue(), "Not yet");

    // Escape calls it off as Cancel does.
    await page.getByRole("button", { name: "Dismiss error" }).click();
    await generateWhileReading({ name: "third.png", mimeType: "image/png", buffer: makePng(18, 18, 7) });
    await prompt(page).focus();
    await page.keyboard.press("Escape");
    await page.getByRole("status").filter({ hasText: "Cancelled." }).waitFor();
    await release();
    await page.getByRole("img", { name: "Reference image: third.png" }).waitFor();

    // So does starting a new conversation: it was meant for the one left.
    await generateWhileReading({ name: "fourth.png", mimeType: "image/png", buffer: makePng(16, 16, 8) });
    await page.getByRole("button", { name: "New conversation" }).click();
    await page.getByText("Generate was called off: the conversation changed. Your prompt and images are still here.").waitFor();
    await release();
    await page.getByRole("img", { name: "Reference image: fourth.png" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Adding an image…" }).waitFor({ state: "detached" });
    assert.equal((await requests()).length, 1, "neither sent anything");
    assert.equal(await prompt(page).inputValue(), "Not yet");
    assert.deepEqual(errors, [], "no uncaught error or panic in the page");
    await context.close();
  });

  test("what was sent leaves the composer when the turn lands; what was typed or attached meanwhile stays", async () => {
    const { context, page } = await openStudio(chromium());
    await attach(page, { name: "sent.png", mimeType: "image/png", buffer: makePng(32, 32, 1) });
    await page.getByRole("img", { name: "Reference image: sent.png" }).waitFor();
    await send(page, "A red fox [[slow:2000]]");
    await page.getByRole("article", { name: "Turn in progress" }).waitFor();
    await prompt(page).press("End");
    await prompt(page).pressSequentially(" wearing a hat");
    await attach(page, { name: "later.png", mimeType: "image/png", buffer: makePng(32, 32, 2) });
    await page.getByRole("img", { name: "Reference image: later.png" }).waitFor();
    await results(page).first().waitFor({ timeout: 30_000 });
    assert.equal(await prompt(page).inputValue(), "A red fox [[slow:2000]] wearing a hat");
    await page.getByRole("img", { name: "Reference image: sent.png" }).waitFor({ state: "detached" });
    assert.ok(await page.getByRole("img", { name: "Reference image: later.png" }).isVisible());
    const [req] = await requests();
    assert.equal(req.body.contents[0].parts[0].text, "A red fox [[slow:2000]]");
    assert.equal(req.body.contents[0].parts.length, 2);
    // Sent and untouched: it leaves the composer.
    await prompt(page).fill("Make it night [[slow:500]]");
    await page.getByRole("button", { name: "Remove later.png" }).click();
    await page.getByRole("button", { name: "Generate" }).click();
    await results(page).nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await prompt(page).inputValue(), "");
    await context.close();
  });

  test("a reload mid-request asks first, then brings back what was sent, saying so", async () => {
    const { context, page } = await openStudio(chromium());
    const dialogs = [];
    page.on("dialog", (d) => {
      dialogs.push(d.type());
      d.accept();
    });
    await attach(page, { name: "ref.png", mimeType: "image/png", buffer: makePng(40, 40, 3) });
    await page.getByRole("img", { name: "Reference image: ref.png" }).waitFor();
    await send(page, "An interrupted dog [[slow:8000]]");
    await page.getByRole("article", { name: "Turn in progress" }).waitFor();
    // What is sent is kept before it leaves (the "inflight" draft).
    await untilStored(page, "drafts", (all) => all.some((d) => d.id === "inflight"), "the request in flight is kept");
    await page.reload();
    assert.ok(dialogs.includes("beforeunload"), "closing mid-request asks first");
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.getByText(/was interrupted when the page closed/).waitFor();
    assert.equal(await prompt(page).inputValue(), "An interrupted dog [[slow:8000]]");
    assert.equal(await page.getByRole("img", { name: /^Reference image:/ }).count(), 1);
    await context.close();
  });
});

describe("bad bytes from outside", () => {
  for (const [marker, found] of [
    ["[[svg-image]]", /SVG/],
    ["[[html-image]]", /HTML/],
    ["[[mime-lie]]", /claims to be image\/png and is SVG/],
    ["[[huge-dims]]", /30000×30000 pixels/],
  ]) {
    test(`an answer whose image is ${marker} is never shown; it can be saved as a file`, async () => {
      const { context, page } = await openStudio(chromium());
      await send(page, `A trap ${marker}`);
      const text = await alertText(page);
      assert.match(text, /The answer's image is not shown/);
      assert.match(text, found);
      assert.equal(await results(page).count(), 0);
      assert.equal(await page.evaluate(() => window.__mockScriptRan ?? null), null, "nothing ran");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download it as a file" }).click(),
      ]);
      assert.ok((await readDownload(download)).length > 0);
      assert.match(download.suggestedFilename(), /\.bin$/);
      await context.close();
    });
  }

  test("a file that claims a huge canvas is refused before anything decodes it", async () => {
    const { context, page } = await openStudio(chromium());
    await attach(page, { name: "bomb.png", mimeType: "image/png", buffer: claimedPng(30000, 30000) });
    const text = await alertText(page);
    assert.match(text, /bomb\.png.*30000×30000 pixels \(900 megapixels\)/);
    assert.equal(await page.getByRole("img", { name: /^Reference image:/ }).count(), 0);
    await context.close();
  });

  test("a prompt over the limit is refused before it is sent", async () => {
    const { context, page } = await openStudio(chromium());
    await prompt(page).fill("a".repeat(100_001));
    await page.getByRole("button", { name: "Generate" }).click();
    assert.match(await alertText(page), /at most 100000/);
    assert.equal((await requests()).length, 0);
    await context.close();
  });
});

/**
 * A context where another tab holds the studio's database open at an older
 * version (so the studio's storage waits for it), and the studio open in a
 * second tab, saying so. `holder.evaluate(() => window.__held.close())` lets go.
 */
async function whileAnotherTabHoldsTheDatabase() {
  const context = await chromium().newContext();
  const holder = await context.newPage();
  // A page of the studio's origin that does not run the app: the API server's request log.
  await holder.goto(new URL("__mock/requests", process.env.STUDIO_URL ?? "http://127.0.0.1:8080/").href);
  await holder.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("gemini-studio", 1);
        open.onsuccess = () => {
          window.__held = open.result;
          resolve();
        };
      }),
  );
  const page = await secondTab(context);
  await page.getByText(/Another tab has the studio open with an older version/).waitFor();
  return { context, holder, page };
}

describe("saves are never silent", () => {
  test("while another tab holds the database at an older version, turns wait and are saved once it lets go", async () => {
    const { context, holder, page } = await whileAnotherTabHoldsTheDatabase();
    await generate(page, "Put aside while waiting");
    await page.getByText("Waiting for storage…").waitFor();
    // A conversation put aside meanwhile is kept in memory, and saved too.
    await page.getByRole("button", { name: "New conversation" }).click();
    await generate(page, "Kept later");
    await page.getByText("Waiting for storage…").waitFor();
    await holder.evaluate(() => window.__held.close());
    await page.getByText("Waiting for storage…").waitFor({ state: "detached", timeout: 20_000 });
    const turns = await untilStored(page, "turns", (all) => all.length === 2, "both turns are stored");
    assert.deepEqual(turns.map((t) => t.prompt).sort(), ["Kept later", "Put aside while waiting"]);
    assert.equal(new Set(turns.map((t) => t.conversationId)).size, 2, "in two conversations");
    await context.close();
  });

  test("a New conversation pressed while storage opens stays: the conversation left is not reopened over it", async () => {
    const { context, holder, page } = await whileAnotherTabHoldsTheDatabase();
    await generate(page, "Left for a new one");
    await page.getByText("Waiting for storage…").waitFor();
    await page.getByRole("button", { name: "New conversation" }).click();
    await results(page).first().waitFor({ state: "detached" });
    // Typed in the new conversation: once it is in storage, storage has opened
    // (the draft is kept from the end of the opening on).
    await prompt(page).fill("Typed in the new conversation");
    await holder.evaluate(() => window.__held.close());
    await untilStored(page, "turns", (all) => all.length === 1, "the turn left behind is stored");
    await untilStored(
      page,
      "drafts",
      (all) => all.some((d) => d.record?.prompt === "Typed in the new conversation"),
      "the draft in IndexedDB",
    );
    await page.getByText("History (1)").waitFor();
    await assert.rejects(
      results(page).first().waitFor({ timeout: 2_000 }),
      /Timeout/,
      "the new conversation stays on screen",
    );
    assert.equal(await prompt(page).inputValue(), "Typed in the new conversation");
    await context.close();
  });

  test("a draft that cannot be kept is said", async () => {
    const browser = chromium();
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (value, key) {
        if (this.name === "drafts") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        return put.call(this, value, key);
      };
    });
    const page = await secondTab(context);
    await prompt(page).fill("Something worth keeping");
    await page.getByText(/Your draft could not be kept in this browser/).waitFor();
    await context.close();
  });

  test("what is typed while the database is still opening is kept once it opens", async () => {
    const { context, holder, page } = await whileAnotherTabHoldsTheDatabase();
    await prompt(page).fill("Typed before storage opened");
    await holder.evaluate(() => window.__held.close());
    // Nothing more is typed: the draft is kept because storage opened, not because of a keystroke.
    await untilStored(
      page,
      "drafts",
      (all) => all.some((d) => d.record?.prompt === "Typed before storage opened"),
      "the draft in IndexedDB",
    );
    await page.reload();
    await page.getByRole("button", { name: "Generate" }).waitFor();
    await page.waitForFunction((el) => el.value === "Typed before storage opened", await prompt(page).elementHandle(), {
      timeout: 10_000,
    });
    await context.close();
  });

  test("two tabs never fork a conversation: the other shows it read-only, then reloads it", async () => {
    const browser = chromium();
    const context = await browser.newContext();
    const a = await secondTab(context);
    await generate(a, "Tab A, first turn");
    const b = await secondTab(context);
    // B reopens the conversation A was in (it was open when the page loaded).
    await b.getByRole("article", { name: "Turn 1" }).waitFor();
    await send(a, "Tab A, second turn [[slow:4000]]");
    await b.getByText(/being continued in another tab/).waitFor();
    assert.ok(await b.getByRole("button", { name: "Generate" }).isDisabled());
    await results(a).nth(1).waitFor({ timeout: 30_000 });
    await b.getByRole("article", { name: "Turn 2" }).waitFor({ timeout: 20_000 });
    await b.getByText(/being continued in another tab/).waitFor({ state: "detached" });
    assert.ok(await b.getByRole("button", { name: "Generate" }).isEnabled());
    await context.close();
  });

  test("deleting the open conversation while its request runs cancels it; it never comes back", async () => {
    const { context, page } = await openStudio(chromium());
    await generate(page, "To be deleted");
    await send(page, "Second turn [[slow:5000]]");
    await page.getByRole("article", { name: "Turn in progress" }).waitFor();
    await page.locator("summary", { hasText: "History" }).click();
    await page.getByRole("button", { name: "Delete To be deleted" }).click();
    await page.getByText("Cancelled. Your prompt and images are still here.").waitFor();
    await page.getByText("History (0)").waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1000);
    assert.deepEqual(await storedTurns(page), []);
    await page.reload();
    await page.getByText("History (0)").waitFor();
    await context.close();
  });

  test("damaged stored data: the turn says what is missing; export keeps what is intact, and it imports", async () => {
    const browser = chromium();
    const { context, page } = await openStudio(browser);
    await generate(page, "Intact turn");
    await generate(page, "Turn that loses its image");
    // Damage the store: the second turn's image goes, and a record that does not read appears.
    await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("gemini-studio");
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["turns", "images"], "readwrite");
            const turns = tx.objectStore("turns");
            turns.getAll().onsuccess = (e) => {
              const all = e.target.result.sort((x, y) => x.index - y.index);
              const last = all[all.length - 1];
              const model = last.variants[0].model;
              const ref = model.parts.filter((p) => p.inlineData && !p.thought).pop().inlineData.data;
              tx.objectStore("images").delete(ref.slice("sha256:".length));
              turns.put({ id: "garbled", conversationId: last.conversationId, index: 2, prompt: "Garbled record" });
            };
            tx.oncomplete = () => {
              db.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    await page.reload();
    await page.getByRole("article", { name: "Turn 3" }).waitFor();
    assert.match(await page.getByRole("article", { name: "Turn 2" }).innerText(), /damaged: its image .* is missing/);
    assert.match(await page.getByRole("article", { name: "Turn 3" }).innerText(), /record could not be read/);
    assert.equal(await results(page).count(), 1, "the intact turn still shows");
    await page.locator("summary", { hasText: "History" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export all" }).click(),
    ]);
    const path = await download.path();
    const fresh = await openStudio(browser);
    await fresh.page.locator("summary", { hasText: "History" }).click();
    await fresh.page.getByLabel("Import").setInputFiles(path);
    await fresh.page.getByText("Imported 1 conversation.").waitFor();
    await fresh.page.getByRole("button", { name: /Intact turn/ }).first().click();
    await fresh.page.getByRole("article", { name: "Turn 1" }).waitFor();
    assert.equal(await fresh.page.getByRole("article", { name: "Turn 2" }).count(), 0);
    assert.equal(await results(fresh.page).count(), 1);
    await fresh.context.close();
    await context.close();
  });

  test("an import whose conversation id is taken by other content gets a fresh id, overwriting nothing", async () => {
    const browser = chromium();
    const { context, page } = await openStudio(browser);
    await generate(page, "Exported once");
    await page.locator("summary", { hasText: "History" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export all" }).click(),
    ]);
    const path = await download.path();
    // The same conversation continues here: its id is now other content.
    await generate(page, "Continued after the export");
    await page.getByLabel("Import").setInputFiles(path);
    await page.getByText("Imported 1 conversation.").waitFor();
    await page.getByText("History (2)").waitFor();
    const turns = await storedTurns(page);
    assert.equal(turns.length, 3, "the original two turns and the imported one");
    assert.equal(new Set(turns.map((t) => t.conversationId)).size, 2);
    // The same file again: already here.
    await page.getByLabel("Import").setInputFiles(path);
    await page.getByText(/Imported 0 conversations \(1 already here, skipped\)/).waitFor();
    await context.close();
  });

  test("an import stopped midway (the tab closed) is taken back at the next start", async () => {
    const browser = chromium();
    const { context, page } = await openStudio(browser);
    await generate(page, "Kept through the clean-up");
    const kept = (await untilStored(page, "images", (all) => all.length > 0, "the turn's images are stored")).map((i) => i.hash);
    // What a closed tab leaves midway through an import: images no conversation
    // uses yet, and the import's note of them (one of kept's images among them).
    await page.evaluate(
      ([used]) =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("gemini-studio");
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["images", "drafts"], "readwrite");
            const blob = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])], { type: "image/png" });
            tx.objectStore("images").put({ hash: "f".repeat(64), mime: "image/png", blob });
            tx.objectStore("drafts").put({ id: "import-closed", hashes: ["f".repeat(64), used], writtenMs: Date.now() });
            tx.oncomplete = () => {
              db.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
      [kept[0]],
    );
    await page.reload();
    await untilStored(page, "drafts", (all) => !all.some((d) => d.id === "import-closed"), "the note is gone");
    const left = (await untilStored(page, "images", () => true, "")).map((i) => i.hash).sort();
    assert.deepEqual(left, [...kept].sort(), "the unused image is deleted; the conversation's stay");
    await page.getByRole("img", { name: /^Generated image/ }).first().waitFor();
    await context.close();
  });
});

describe("a stopped app is never silent", () => {
  test("a wasm trap (memory the browser would not give) shows a message with Reload", async () => {
    const browser = chromium();
    const context = await browser.newContext();
    await context.addInitScript(() => {
      addEventListener("TrunkApplicationStarted", (e) => {
        window.__wasm = e.detail.wasm;
      });
    });
    const page = await secondTab(context);
    await page.waitForFunction(() => window.__wasm);
    await page.evaluate(() => setTimeout(() => window.__wasm.__wbindgen_malloc(0xfffffff0, 1)));
    await page.getByText("Something went wrong: your work is saved; reload to continue.").waitFor();
    assert.ok(await page.getByRole("link", { name: "Reload" }).isVisible());
    // The page's own checker would fail on the trap it was asked to cause.
    await context.close();
  });
});
