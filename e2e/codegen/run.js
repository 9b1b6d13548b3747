// Runs the studio's "Get code" programs for real and checks what they send.
//
// A folder made by `gemini::codegen` holds `curl.sh`, `main.py`, `main.mjs` and the
// image files they read. `runPrograms` runs each of them (`sh curl.sh`, `python
// main.py` from the virtual environment `ensureVenv` makes, `node main.mjs`) with
// GEMINI_API_KEY set and the folder as working directory, one after the other, and
// returns for each its exit status, output, the image file it wrote and the requests
// the local API server logged meanwhile. `sameRequest` compares the body the studio
// sends with the one an SDK sent, allowing only the SDKs' documented differences.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CODEGEN_DIR = dirname(fileURLToPath(import.meta.url));
const E2E_DIR = dirname(CODEGEN_DIR);
export const VENV_DIR = join(CODEGEN_DIR, ".venv");
const VENV_PYTHON = join(VENV_DIR, "bin", "python");
const REQUIREMENTS = join(CODEGEN_DIR, "requirements.txt");

/** The `google-genai` version pinned in requirements.txt. */
export function pinnedGenaiVersion() {
  const line = readFileSync(REQUIREMENTS, "utf8")
    .split("\n")
    .find((l) => l.trim().startsWith("google-genai=="));
  if (!line) throw new Error(`${REQUIREMENTS} pins no google-genai version`);
  return line.trim().slice("google-genai==".length);
}

/**
 * Makes `e2e/codegen/.venv` with the pinned requirements if it is missing or holds
 * another google-genai version; returns its python. `python` is the interpreter
 * that creates it (default `python3`).
 */
export function ensureVenv({ python = "python3", log = () => {} } = {}) {
  const want = pinnedGenaiVersion();
  const have = () => {
    if (!existsSync(VENV_PYTHON)) return null;
    const r = spawnSync(VENV_PYTHON, ["-c", "import google.genai as g; print(g.__version__)"], {
      encoding: "utf8",
    });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  if (have() === want) return VENV_PYTHON;
  const run = (cmd, args) => {
    log(`${cmd} ${args.join(" ")}`);
    const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (r.status !== 0) {
      throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr || r.stdout}`);
    }
  };
  if (!existsSync(VENV_PYTHON)) run(python, ["-m", "venv", VENV_DIR]);
  run(VENV_PYTHON, ["-m", "pip", "install", "--quiet", "-r", REQUIREMENTS]);
  const now = have();
  if (now !== want) throw new Error(`the virtual environment has google-genai ${now}, not ${want}`);
  return VENV_PYTHON;
}

/** The programs, in the order they run, with how each is started. */
function programs(python) {
  return [
    { key: "curl", file: "curl.sh", cmd: "sh", args: ["curl.sh"] },
    { key: "python", file: "main.py", cmd: python, args: ["main.py"] },
    { key: "javascript", file: "main.mjs", cmd: process.execPath, args: ["main.mjs"] },
  ];
}

function runOne(cmd, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => err.push(Buffer.from(String(e))));
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({
        status,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

const resultFiles = (dir) => readdirSync(dir).filter((n) => /^result\.[a-z]+$/.test(n));

/**
 * Runs `curl.sh`, `main.py` and `main.mjs` of `dir` against the local API server at
 * `apiUrl` (the programs must have been written for it) with GEMINI_API_KEY = `key`.
 * Before each run the server's request log is emptied and any `result.*` removed.
 * Returns `{curl, python, javascript}`, each `{status, signal, timedOut, stdout,
 * stderr, image: {name, bytes} | null, requests}` (`requests`: what the server
 * logged during that run, each with `body`, `apiKey`, `keyHeader`). `only` limits
 * the run to some of "curl", "python", "javascript"; `env` adds to the environment.
 */
export async function runPrograms(dir, { apiUrl, key, python = ensureVenv(), timeoutMs = 120_000, only, env: extraEnv = {} } = {}) {
  // `main.mjs` imports @google/genai: node looks for it beside the program.
  const link = join(dir, "node_modules");
  const linked = !existsSync(link);
  if (linked) symlinkSync(join(E2E_DIR, "node_modules"), link, "dir");
  const env = { ...process.env, ...extraEnv, GEMINI_API_KEY: key };
  for (const name of Object.keys(env)) {
    if (name === "GOOGLE_API_KEY" || name.startsWith("GOOGLE_GENAI_") || name.startsWith("GOOGLE_CLOUD_")) delete env[name];
  }
  const results = {};
  try {
    for (const p of programs(python)) {
      if (only && !only.includes(p.key)) continue;
      for (const old of resultFiles(dir)) rmSync(join(dir, old));
      const cleared = await fetch(`${apiUrl}/__mock/requests`, { method: "DELETE" });
      if (!cleared.ok) throw new Error(`could not clear the API server's request log: ${cleared.status}`);
      const run = await runOne(p.cmd, p.args, { cwd: dir, env, timeoutMs });
      const written = resultFiles(dir);
      const image = written.length === 1 ? { name: written[0], bytes: readFileSync(join(dir, written[0])) } : null;
      const logged = await fetch(`${apiUrl}/__mock/requests`);
      const requests = logged.ok ? await logged.json() : [];
      results[p.key] = { program: p.file, ...run, image, written, requests };
    }
  } finally {
    if (linked) rmSync(link);
  }
  return results;
}

// ------------------------------------------------------------------ comparison

const camel = (k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** Fields holding bytes (protobuf `bytes`: base64 in JSON, any alphabet or padding). */
const BYTES = [/^contents\.\d+\.parts\.\d+\.inlineData\.data$/, /^contents\.\d+\.parts\.\d+\.thoughtSignature$/];
/** Fields holding enum values (an SDK may send them in upper case). */
const ENUMS = [
  /^generationConfig\.responseModalities\.\d+$/,
  /^generationConfig\.thinkingConfig\.thinkingLevel$/,
  /^generationConfig\.mediaResolution$/,
];

/** Decodes standard or URL-safe base64, padded or not; null if it is neither. */
export function decodeBase64(s) {
  if (typeof s !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) return null;
  if (/[+/]/.test(s) && /[-_]/.test(s)) return null;
  const body = s.replace(/=+$/, "");
  if (body.length % 4 === 1 || (body.length !== s.length && s.length % 4 !== 0)) return null;
  return Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

const isDefault = (v) =>
  v === null ||
  v === false ||
  v === 0 ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

const show = (v) => {
  const s = JSON.stringify(v);
  return s === undefined ? "undefined" : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

const kind = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * Compares the studio's request body with one an SDK sent, as JSON values.
 * Allowed, and listed in `allowed`: keys in snake_case, URL-safe or unpadded base64
 * in bytes fields (compared as decoded bytes), enum values in another case, and
 * keys only the SDK sent whose value is a default (null, false, 0, "", [], {}).
 * Everything else must be equal, in the same order: contents, parts, texts, image
 * and signature bytes, every config value.
 * Returns `{same, differences, allowed}` (lists of readable lines).
 */
export function sameRequest(studioBody, sdkBody) {
  const differences = [];
  const allowed = [];
  const walk = (a, b, path) => {
    const where = path.join(".") || "(body)";
    if (BYTES.some((re) => re.test(where))) {
      const x = decodeBase64(a);
      const y = decodeBase64(b);
      if (x === null) differences.push(`${where}: the studio's value is not base64: ${show(a)}`);
      else if (y === null) differences.push(`${where}: the SDK's value is not base64: ${show(b)}`);
      else if (!x.equals(y)) differences.push(`${where}: bytes differ (studio ${x.length} bytes ${show(a)}, SDK ${y.length} bytes ${show(b)})`);
      else if (a !== b) allowed.push(`${where}: same bytes, other base64 form`);
      return;
    }
    if (ENUMS.some((re) => re.test(where)) && typeof a === "string" && typeof b === "string") {
      if (a.toUpperCase() !== b.toUpperCase()) differences.push(`${where}: studio ${show(a)}, SDK ${show(b)}`);
      else if (a !== b) allowed.push(`${where}: ${show(a)} sent as ${show(b)}`);
      return;
    }
    if (kind(a) !== kind(b)) {
      differences.push(`${where}: studio ${kind(a)} ${show(a)}, SDK ${kind(b)} ${show(b)}`);
      return;
    }
    if (Array.isArray(a)) {
      if (a.length !== b.length) differences.push(`${where}: studio has ${a.length} items, SDK ${b.length}`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], [...path, String(i)]);
      return;
    }
    if (kind(a) === "object") {
      const na = normalizeKeys(a, where, differences, "studio");
      const nb = normalizeKeys(b, where, differences, "SDK");
      for (const [k, { value, raw }] of na) {
        const other = nb.get(k);
        if (!other) {
          differences.push(`${where}: the SDK did not send ${show(raw)}`);
          continue;
        }
        if (raw !== other.raw) allowed.push(`${[...path, k].join(".")}: key sent as ${show(other.raw)}`);
        walk(value, other.value, [...path, k]);
      }
      for (const [k, { value, raw }] of nb) {
        if (na.has(k)) continue;
        if (isDefault(value)) allowed.push(`${[...path, k].join(".")}: the SDK added ${show(raw)} = ${show(value)}`);
        else differences.push(`${where}: the SDK added ${show(raw)} = ${show(value)}`);
      }
      return;
    }
    if (a !== b) differences.push(`${where}: studio ${show(a)}, SDK ${show(b)}`);
  };
  walk(studioBody, sdkBody, []);
  return { same: differences.length === 0, differences, allowed };
}

/** An object's entries keyed by camelCase; a key given twice (both cases) is a difference. */
function normalizeKeys(obj, where, differences, who) {
  const out = new Map();
  for (const [raw, value] of Object.entries(obj)) {
    const k = camel(raw);
    if (out.has(k)) differences.push(`${where}: the ${who} sent ${show(k)} twice (${show(out.get(k).raw)} and ${show(raw)})`);
    else out.set(k, { value, raw });
  }
  return out;
}

// ------------------------------------------------------------------ set-up

const REPO = dirname(E2E_DIR);

/**
 * Writes programs with `gemini/examples/codegen.rs` (see its doc comment for
 * `args`): the binary in CODEGEN_EXAMPLE_BIN, else `cargo run --example codegen`.
 */
export function writePrograms(args) {
  const bin = process.env.CODEGEN_EXAMPLE_BIN;
  const [cmd, all] = bin
    ? [bin, args]
    : ["cargo", ["run", "--quiet", "-p", "gemini", "--example", "codegen", "--", ...args]];
  const r = spawnSync(cmd, all, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`${cmd} ${all.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`);
}

/**
 * The local API server to run against: MOCK_URL if set, else one started here
 * (the binary in GEMINI_MOCK_BIN, else `cargo run -p gemini-mock`). Returns
 * `{url, stop}`.
 */
export async function startMock() {
  if (process.env.MOCK_URL) return { url: process.env.MOCK_URL.replace(/\/$/, ""), stop: () => {} };
  const bin = process.env.GEMINI_MOCK_BIN;
  const args = ["--port", "0", "--image-scale", "8", "--quiet"];
  const [cmd, all] = bin ? [bin, args] : ["cargo", ["run", "--quiet", "-p", "gemini-mock", "--", ...args]];
  const child = spawn(cmd, all, { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`the local API server exited (${code}) before listening`)));
  });
  return { url, stop: () => child.kill() };
}
