/**
 * The browser chat end to end: the example's server on the real runtime (copilot-runtime 1.0.85)
 * with the scripted model, driven through Debian's Chromium by playwright-core.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { toolResults, type ScriptedModelServer } from "@flightdeck/copilot-testing";
import { startBrowserChat, startDemoModel, type BrowserChat } from "../src/browser-chat.js";
import { CHROMIUM, ensureChromium } from "./chromium.js";
const resultsDir = fileURLToPath(new URL("../test-results/", import.meta.url));

describe("browser chat", () => {
  let browser: Browser | undefined;
  let chat: BrowserChat | undefined;
  let model: ScriptedModelServer | undefined;

  // Installed if missing (apt-get, as root) before the tests; launched by the first test, in the
  // test itself: a missing browser then fails every test (a beforeAll failure shows as skipped tests).
  let missingChromium: string | undefined;
  beforeAll(() => {
    missingChromium = ensureChromium();
  }, 15 * 60_000);

  async function launch(): Promise<Browser> {
    if (missingChromium !== undefined || !existsSync(CHROMIUM)) throw new Error(missingChromium ?? `${CHROMIUM} not found`);
    return (browser ??= await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    }));
  }

  afterEach(async () => {
    await chat?.close();
    await model?.close();
    chat = undefined;
    model = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function openChat(permissionTimeoutMs?: number) {
    const browser = await launch();
    model = await startDemoModel();
    chat = await startBrowserChat({ port: 0, model, permissionTimeoutMs });
    const page = await browser.newPage();
    const pageErrors: Error[] = [];
    page.on("pageerror", (error) => pageErrors.push(error));
    // What the browser's console would show: errors and failed requests (a missing favicon is a 404).
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(new Error(`console: ${message.text()}`));
    });
    page.on("response", (response) => {
      if (response.status() >= 400) pageErrors.push(new Error(`${response.status()} ${response.url()}`));
    });
    page.setDefaultTimeout(10_000); // fail with a locator's name, well before the test's own timeout
    await page.goto(chat.url);
    await page.getByText("Ready.").waitFor(); // the event stream is open and the agent idle
    await page.locator("#prompt").fill("Remember to buy eggs");
    await page.getByRole("button", { name: "Send" }).click();
    const card = page.locator(".permission-card");
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('run the tool "save_note"');
    // The tool is announced before the user decides, and has not run yet.
    await expect(page.locator(".tool").first().textContent()).resolves.toContain("save_note");
    expect(chat.toolRuns).toBe(0);
    await screenshot(page, "1-waiting-for-approval");
    return { page, card, pageErrors, chat, model };
  }

  it("shows the permission card, runs the tool after Approve and streams the answer that uses its result", async () => {
    const { page, card, pageErrors, chat, model } = await openChat();
    await card.getByRole("button", { name: "Approve" }).click();

    const answer = page.locator(".assistant", { hasText: "Done. Saved notes/note-1.md" });
    await answer.waitFor({ timeout: 15_000 });
    await page.getByText("Ready.").waitFor();
    expect(await answer.textContent()).toMatch(/^Done\. Saved notes\/note-1\.md \(\d+ bytes\)\.$/);
    expect(await page.locator(".tool").textContent()).toBe('tool save_note {"title":"note-1","text":"Remember to buy eggs"} …');
    // The result sits under the approval that let the tool run, and an approved card looks approved.
    expect(await card.locator(".outcome + .tool-result").textContent()).toMatch(/^→ Saved notes\/note-1\.md/);
    await expect(card.textContent()).resolves.toContain("Approved");
    expect(await card.getAttribute("class")).toBe("permission-card approved");
    expect(await card.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(218, 251, 225)");

    expect(chat.toolRuns).toBe(1);
    expect(existsSync(join(chat.workingDirectory, "notes", "note-1.md"))).toBe(true);
    // The answer streamed: the model sent it in several chunks and the page assembled them.
    expect(model.requests.length).toBe(2);
    expect(toolResults(model.requests[1]!).at(-1)?.content).toMatch(/^Saved notes\/note-1\.md/);
    expect(pageErrors).toEqual([]);

    await screenshot(page, "2-approved");
    await page.close();
  });

  it("sends the rejection to the model after Deny, and the tool never runs", async () => {
    const { page, card, pageErrors, chat, model } = await openChat();
    await card.getByRole("button", { name: "Deny" }).click();

    const answer = page.locator(".assistant", { hasText: "I did not save the note" });
    await answer.waitFor({ timeout: 15_000 });
    await page.getByText("Ready.").waitFor();
    await expect(card.textContent()).resolves.toContain("Denied");

    // The model's second request carries the rejection, with the feedback the server gave it.
    expect(model.requests.length).toBe(2);
    const rejection = toolResults(model.requests[1]!).at(-1)?.content ?? "";
    expect(rejection).toContain("The user clicked Deny in the browser.");
    expect(await answer.textContent()).toContain(rejection);
    expect(await card.locator(".tool-result").textContent()).toMatch(/^✗ /);
    expect(await card.getAttribute("class")).toBe("permission-card denied");
    expect(await card.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(255, 235, 233)");
    await screenshot(page, "3-denied");

    expect(chat.toolRuns).toBe(0);
    expect(existsSync(join(chat.workingDirectory, "notes"))).toBe(false);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("rejects a permission request nobody answers, with feedback, so the turn ends", async () => {
    const { page, card, chat, model } = await openChat(500);

    await page.locator(".assistant", { hasText: "I did not save the note" }).waitFor();
    await expect(card.textContent()).resolves.toContain("Timed out: rejected");
    expect(await card.getByRole("button").count()).toBe(0);
    expect(toolResults(model.requests[1]!).at(-1)?.content).toContain("Nobody answered the permission request in the browser within 500 ms");
    expect(chat.toolRuns).toBe(0);
    expect(await card.getAttribute("class")).toBe("permission-card timed-out");
    await screenshot(page, "4-timed-out");
    await page.close();
  });
});

/** A screenshot of each state, kept in test-results/ as an artifact of the run. */
async function screenshot(page: import("playwright-core").Page, state: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `browser-chat-${state}.png`), fullPage: true });
}

describe("browser chat server (pnpm start)", () => {
  it("Ctrl-C stops it cleanly: exit code 0, its temp folder removed, nothing on stderr", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/browser-chat/src/main.ts"], {
      cwd: fileURLToPath(new URL("../../..", import.meta.url)),
      env: { ...process.env, FLIGHTDECK_DEBUG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const folder = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line after 30 s:\n${stdout}\n${stderr}`)), 30_000);
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString("utf8");
        const m = /save_note writes into (.+)\/notes\. Ctrl-C to stop\./.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect(stdout).toMatch(/Browser chat \(offline, scripted model\): open http:\/\/127\.0\.0\.1:\d+\//);
    expect(existsSync(folder)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(folder)).toBe(false);
    expect(stderr).toBe("");
  }, 60_000);
});
