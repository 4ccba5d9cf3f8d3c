// Debian's Chromium, headless, with a fresh profile per run; screenshots on failure.
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const here = new URL(".", import.meta.url).pathname;
export const screenshots = resolve(here, "../../target/e2e-screenshots");

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "pledge-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PLEDGE_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    locale: "zh-CN",
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/// Runs `step`; if it throws, saves a screenshot of every open page first.
export async function withScreenshots(context, name, step) {
  try {
    return await step();
  } catch (e) {
    mkdirSync(screenshots, { recursive: true });
    let i = 0;
    for (const p of context.pages().filter((p) => p.url() !== "about:blank")) {
      const file = join(screenshots, `${name}-${i++}.png`);
      await p.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.error(`screenshot saved: ${file} (${p.url()})`);
    }
    throw e;
  }
}
