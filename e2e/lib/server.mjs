// Starts the real `pledge` binary on a free port against a real database
// (SQLite in a temp dir, or the PostgreSQL URL given), with the small demo
// company loaded, and stops it afterwards.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const here = new URL(".", import.meta.url).pathname;

export function binary() {
  if (process.env.PLEDGE_BIN) return process.env.PLEDGE_BIN;
  const target = process.env.CARGO_TARGET_DIR || resolve(here, "../../target");
  return join(target, "debug", "pledge");
}

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "pledge-e2e-"));
  const database = process.env.PLEDGE_E2E_DATABASE || `sqlite://${join(dir, "pledge.db")}`;
  const env = { ...process.env, PLEDGE_DATABASE_URL: database, PLEDGE_LOG: process.env.PLEDGE_LOG || "warn" };
  execFileSync(binary(), ["demo", "--small"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const child = spawn(binary(), ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error("the server did not say where it listens:\n" + out)), 30000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); fail(new Error(`the server exited with ${code}:\n${out}`)); });
  });
  return {
    url,
    database,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.on("exit", ok)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/// Calls the JSON API as `username` (to look up fixture data the scenario needs).
export async function api(base, username, path) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "pledge-demo" }),
  }).then((r) => r.json());
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${login.token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
