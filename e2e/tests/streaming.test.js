// Streaming: `:streamGenerateContent?alt=sse`, thoughts and drafts shown as
// their events arrive, the merged model turn replayed verbatim, and a stream
// cut short or ended by an error said plainly, nothing kept.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { generate, openStudio, requests, results, send, useBrowser } from "./helpers.js";

const chromium = useBrowser({ before, after, beforeEach });

async function streamed(page) {
  await page.getByText("Requests", { exact: true }).click();
  await page.getByLabel("Stream").check();
}

describe("streaming", () => {
  test("thoughts and drafts show as their events arrive, then the image", async () => {
    const { context, page } = await openStudio(chromium());
    await streamed(page);
    await page.getByLabel("Include thoughts").check();
    await page.getByLabel("Thinking level").selectOption("high");
    await send(page, "A glass city in a bottle [[stream-delay:600]]");
    const pending = page.getByRole("article", { name: "Turn in progress" });
    // What a screen reader hears, from the turn's live region.
    await pending.getByRole("status").filter({ hasText: /The model is (thinking|drawing)…/ }).waitFor();
    await pending.getByRole("img", { name: "Draft 1 (thought, not the result)" }).waitFor();
    assert.equal(await results(page).count(), 0, "the result is not shown before its event");
    await results(page).first().waitFor({ timeout: 30_000 });
    const [req] = await requests();
    assert.equal(req.stream, true);
    assert.match(req.path, /:streamGenerateContent\?alt=sse$/);
    // The finished turn shows its thinking like a non-streamed one.
    assert.match(await page.getByText(/^Thinking \(\d+ parts/).innerText(), /drafts, not the result/);
    await context.close();
  });

  test("a three-turn streamed conversation: each merged model turn passes the signature check", async () => {
    const { context, page } = await openStudio(chromium());
    await streamed(page);
    await page.getByLabel("Include thoughts").check();
    for (const [i, p] of ["A paper crane", "Make it gold", "Put it on a desk"].entries()) {
      await generate(page, p);
      await results(page).nth(i).waitFor();
    }
    const log = await requests();
    assert.deepEqual(log.map((r) => r.status), [200, 200, 200]);
    const last = log[2].body.contents;
    assert.equal(last.length, 5);
    for (const k of [1, 3]) {
      assert.ok(last[k].parts.some((p) => p.inlineData && p.thoughtSignature), "signatures sent back");
      // Merged: one text part per run of text, not one per event.
      const texts = last[k].parts.filter((p) => p.text !== undefined && !p.thought);
      assert.ok(texts.length <= 1, `turn ${k}: ${texts.length} answer text parts`);
    }
    await context.close();
  });

  test("a stream cut mid-event, or ended by an error event, is said; nothing is kept", async () => {
    const { context, page } = await openStudio(chromium());
    await streamed(page);
    await send(page, "A cut answer [[stream-cut]]");
    const alert = page.getByRole("alert");
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.innerText(), /incomplete|cut off/i);
    assert.equal(await results(page).count(), 0);
    assert.equal((await requests()).length, 1, "not retried: it may have been billed");
    await page.getByRole("button", { name: "Dismiss error" }).click();
    await send(page, "An answer that fails [[stream-error]]");
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.innerText(), /internal|error/i);
    assert.equal(await results(page).count(), 0);
    assert.equal(await page.getByRole("textbox", { name: "Prompt" }).inputValue(), "An answer that fails [[stream-error]]");
    await context.close();
  });

  test("retries and Cancel work as without streaming", async () => {
    const { context, page } = await openStudio(chromium());
    await streamed(page);
    await send(page, "A kite [[fail-first:1:503]][[retry-after:4]]");
    await page.getByText(/Server overloaded — retrying in/).waitFor();
    await results(page).first().waitFor({ timeout: 30_000 });
    assert.deepEqual((await requests()).map((r) => r.status), [503, 200]);
    await send(page, "A slow kite [[stream-delay:3000]]");
    await page.getByRole("article", { name: "Turn in progress" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("Cancelled. Your prompt and images are still here.").waitFor();
    assert.equal(await results(page).count(), 1);
    await context.close();
  });
});
