import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect } from "vitest";
import { CodegenError } from "../src/errors.js";
import { buildIr } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";

export const FIXTURE = fileURLToPath(new URL("./fixtures/basic", import.meta.url));
export const REPO = fileURLToPath(new URL("../..", import.meta.url));

type Json = Record<string, any>;
const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temp copy of the basic fixture, with edits applied to its JSON files. */
export function fixtureWith(edit: (files: { api: Json; events: Json; overlay: Json }) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "fd-codegen-"));
  made.push(dir);
  cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes("golden") });
  const read = (p: string) => JSON.parse(readFileSync(join(dir, p), "utf8")) as Json;
  const files = { api: read("api.schema.json"), events: read("session-events.schema.json"), overlay: read("overlay/lifecycle.json") };
  edit(files);
  writeFileSync(join(dir, "api.schema.json"), JSON.stringify(files.api));
  writeFileSync(join(dir, "session-events.schema.json"), JSON.stringify(files.events));
  writeFileSync(join(dir, "overlay/lifecycle.json"), JSON.stringify(files.overlay));
  return dir;
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fd-codegen-out-"));
  made.push(dir);
  return dir;
}

/** The CodegenError that building the IR of the schemas in `dir` throws (fails the test when none is thrown). */
export function failure(dir: string): CodegenError {
  try {
    buildIr(loadSchemas(dir));
  } catch (err) {
    expect(err).toBeInstanceOf(CodegenError);
    return err as CodegenError;
  }
  throw new Error("expected the generator to fail");
}
