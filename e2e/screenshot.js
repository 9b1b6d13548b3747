// Screenshots of the studio at desktop and phone widths, for a person to look at:
//   node screenshot.js URL OUT_PREFIX
import { launch } from "./tests/helpers.js";

const url = process.argv[2] ?? "http://127.0.0.1:8080/";
const out = process.argv[3] ?? "/tmp/studio";
const browser = await launch();
for (const [name, viewport] of [["desktop", { width: 1366, height: 860 }], ["phone", { width: 390, height: 844 }]]) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.getByRole("button", { name: "Generate" }).waitFor();
  if (process.env.SCRIPT) await new Function("page", `return (async () => { ${process.env.SCRIPT} })()`)(page);
  await page.screenshot({ path: `${out}-${name}.png`, fullPage: name === "phone" });
  await page.close();
}
await browser.close();
