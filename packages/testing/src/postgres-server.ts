/**
 * `startTestPostgres`: a throw-away PostgreSQL server for tests, from the machine's own
 * installation (Debian's `postgresql` package: `/usr/lib/postgresql/<version>/bin`). `initdb` and
 * `pg_ctl` run in a temp folder on a free 127.0.0.1 port, with password (SCRAM) authentication,
 * and everything is removed by `cleanup()`. PostgreSQL refuses to run as root: when this process is
 * root, the server runs as the `postgres` system user (through `runuser`).
 */
import { execFile } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { TestingError } from "./errors.js";

/** A running throw-away PostgreSQL server. */
export interface TestPostgres {
  /** `postgres://<user>:<password>@127.0.0.1:<port>/postgres`. Contains the password: never log it. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The password of `user` (random per server). */
  readonly password: string;
  readonly database: string;
  /** Stops the server (fast shutdown: open connections are closed). The data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port after `stop()`. */
  start(): Promise<void>;
  /** The server's log so far (to explain a failure). */
  log(): string;
  /** Stops the server and deletes its folder. Idempotent; never throws. */
  cleanup(): Promise<void>;
}

/** Options of {@link startTestPostgres}. */
export interface TestPostgresOptions {
  /** Folder holding the PostgreSQL binaries. Default: the newest `/usr/lib/postgresql/<v>/bin`. */
  binDir?: string;
}

function findBinDir(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new TestingError(
      "RUNTIME_NOT_FOUND",
      "startTestPostgres: no PostgreSQL server found (/usr/lib/postgresql/<version>/bin/initdb). Install it: `apt-get install -y postgresql`.",
    );
  }
  return join(base, versions[0]!, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** True when every folder from `dir` up to `/` can be traversed by other users (the `postgres` user must reach its data). */
function traversableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(d) === d) return true;
  }
}

/**
 * Where the server's folder goes: the temp dir, or (as root, when the temp dir is private, e.g. a
 * test run's own folder) its nearest ancestor every user can traverse.
 */
function parentFolder(asRoot: boolean): string {
  const temp = tmpdir();
  let dir = temp;
  while (asRoot && !traversableByOthers(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!asRoot || (traversableByOthers(dir) && dirname(dir) !== dir)) return dir;
  throw new TestingError(
    "RUNTIME_NOT_FOUND",
    `startTestPostgres: running as root, the server runs as the postgres user, who cannot reach ${temp} (a folder on the way is private). Set TMPDIR to a folder every user can traverse.`,
  );
}

/**
 * Starts a PostgreSQL server for one test file (~1–2 s). Give its `url` to the code under test and
 * call `cleanup()` in `afterAll`.
 *
 * @throws {TestingError} `RUNTIME_NOT_FOUND` when PostgreSQL is not installed.
 */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const binDir = options.binDir ?? findBinDir();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(parentFolder(asRoot), "flightdeck-pg-"));
  const dataDir = join(dir, "data");
  const user = "flightdeck";
  const password = globalThis.crypto.randomUUID().replaceAll("-", "");
  const port = await freePort();
  const owner = asRoot ? systemUser("postgres") : undefined;
  if (asRoot && !owner)
    throw new TestingError(
      "RUNTIME_NOT_FOUND",
      "startTestPostgres: running as root needs the `postgres` system user (it comes with Debian's postgresql package).",
    );
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    chmodSync(dir, 0o700);
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  // Only what PostgreSQL needs; never the caller's secrets.
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", LC_ALL: "C", TZ: "UTC" };
  const run = (tool: string, args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const command = owner ? "runuser" : join(binDir, tool);
      const argv = owner ? ["-u", "postgres", "--", join(binDir, tool), ...args] : args;
      execFile(command, argv, { env, cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) reject(new TestingError("RUNTIME_NOT_FOUND", `startTestPostgres: ${tool} failed: ${stderr || stdout || error.message}`, { cause: error }));
        else resolve(stdout);
      });
    });
  const logFile = join(dir, "server.log");
  const start = async (): Promise<void> => {
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    await run("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", serverOptions, "-w", "-t", "30", "start"]);
  };
  const stop = async (): Promise<void> => {
    await run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
  };
  try {
    await run("initdb", ["-D", dataDir, "-U", user, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let cleaned: Promise<void> | undefined;
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    user,
    password,
    database: "postgres",
    stop,
    start,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    cleanup: () =>
      (cleaned ??= (async () => {
        await run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "-t", "30", "stop"]).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
