/**
 * The whole fleet in one call: a PostgreSQL (yours from DATABASE_URL, or a throw-away one), the
 * schema migrated, a scripted chat model, two app processes (restarted when they die), the front.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { migrate } from "@flightdeck/copilot-postgres";
import {
  lastUserText,
  startScriptedModel,
  startTestPostgres,
  type ScriptedModelServer,
  type ScriptedTurn,
  type TestPostgres,
} from "@flightdeck/copilot-testing";
import { startFront, type Front } from "./front.js";

export interface Fleet {
  /** The front's address: the only one clients use. */
  readonly url: string;
  /** The app processes now running (pid and port). */
  apps(): Array<{ hostId: string; pid: number; port: number }>;
  /** SIGKILL one app process (it is restarted); for demos and tests. */
  kill(index: number): void;
  close(): Promise<void>;
}

const APP = fileURLToPath(new URL("./app.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/**
 * The chat model: echoes the message and says how many messages of the conversation it was given.
 * A message containing "slowly" takes 3 s to answer: time to kill the process answering it.
 */
const chatTurn: ScriptedTurn = (request) => {
  const text = (lastUserText(request) ?? "").replace(/<current_datetime>.*?<\/current_datetime>\s*/s, "").trim();
  const body = request.body as { messages?: Array<{ role: string }> };
  const userMessages = (body.messages ?? []).filter((m) => m.role === "user").length;
  return { text: `You said "${text}" (message ${userMessages} of this conversation).`, ...(text.includes("slowly") && { delayMs: 3_000 }) };
};

interface App {
  hostId: string;
  child: ChildProcess;
  port: number;
}

export async function startFleet(options: { port?: number; databaseUrl?: string } = {}): Promise<Fleet> {
  let db: TestPostgres | undefined;
  const databaseUrl = options.databaseUrl ?? (db = await startTestPostgres()).url;
  let model: ScriptedModelServer | undefined;
  const apps: Array<App | undefined> = [undefined, undefined];
  let closing = false;
  const restarts = new Set<NodeJS.Timeout>();
  // The app processes' runtime homes live here; a killed process cannot clean up after itself.
  const work = mkdtempSync(join(tmpdir(), "flightdeck-fleet-"));
  let front: Front | undefined;
  try {
    await migrate({ connectionString: databaseUrl });
    model = await startScriptedModel({ script: Array.from({ length: 10_000 }, () => chatTurn) });
    const provider = JSON.stringify(model.provider());

    const launch = (index: number, generation: number): Promise<App> =>
      new Promise((resolve, reject) => {
        const hostId = `app-${index + 1}${generation > 0 ? `-restart-${generation}` : ""}`;
        // The connection string travels in the environment, never in argv.
        const child = spawn(process.execPath, ["--import", "tsx", APP], {
          cwd: PACKAGE_DIR,
          env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? "",
            DATABASE_URL: databaseUrl,
            FLEET_HOST_ID: hostId,
            FLEET_PROVIDER: provider,
            FLEET_WORK_DIR: work,
          },
          stdio: ["ignore", "pipe", "inherit"],
          detached: true,
        });
        child.once("error", reject);
        createInterface({ input: child.stdout! }).once("line", (line) => {
          const app = { hostId, child, port: (JSON.parse(line) as { listening: number }).listening };
          apps[index] = app;
          resolve(app);
        });
        child.once("exit", (code) => {
          if (apps[index]?.child === child) apps[index] = undefined;
          // The supervisor: bring the process back, unless the fleet is closing.
          if (!closing) restarts.add(setTimeout(() => void (closing ? undefined : launch(index, generation + 1).catch(() => {})), 500));
          else if (code !== 0) reject(new Error(`app ${hostId} exited with ${code}`));
        });
      });
    await Promise.all([launch(0, 0), launch(1, 0)]);
    front = await startFront(() => apps.filter((a): a is App => a !== undefined).map((a) => a.port), options.port ?? 0);
  } catch (error) {
    closing = true;
    for (const app of apps) app?.child.kill("SIGKILL");
    await model?.close();
    await db?.cleanup();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  const theFront = front;
  return {
    url: theFront.url,
    apps: () => apps.filter((a): a is App => a !== undefined).map((a) => ({ hostId: a.hostId, pid: a.child.pid!, port: a.port })),
    kill: (index) => {
      const app = apps[index];
      if (app?.child.pid) process.kill(-app.child.pid, "SIGKILL"); // the app and its runtime
    },
    close: async () => {
      closing = true;
      for (const timer of restarts) clearTimeout(timer);
      await theFront.close();
      await Promise.all(
        apps.map(
          (app) =>
            new Promise<void>((resolve) => {
              if (!app || app.child.exitCode !== null) return resolve();
              const timer = setTimeout(() => {
                try {
                  process.kill(-app.child.pid!, "SIGKILL");
                } catch {
                  // gone
                }
              }, 5_000);
              app.child.once("exit", () => (clearTimeout(timer), resolve()));
              app.child.kill("SIGTERM");
            }),
        ),
      );
      await model?.close();
      await db?.cleanup();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
