/**
 * The schemas this version of the generator was built and tested with (the pinned upstream files,
 * their lock and Flightdeck's overlay), shipped in the package's `schemas/` folder. Without the
 * overlay the IR has no `session.create` or `session.resume`: the upstream files leave the
 * lifecycle methods out.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CodegenError } from "./errors.js";

/**
 * Folder of the bundled schemas: `<package>/schemas` when installed (copied in at build), or the
 * repository's `schemas/` when running from a checkout.
 */
export function bundledSchemasDir(): string {
  // dist/cli.js and src/cli.ts both sit one folder below the package root.
  const candidates = [new URL("../schemas/", import.meta.url), new URL("../../schemas/", import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(`${dir}api.schema.json`) && existsSync(`${dir}overlay`));
  if (found === undefined) {
    throw new CodegenError(
      `the bundled schemas are missing (looked in ${candidates.join(", ")})`,
      undefined,
      undefined,
      "reinstall @flightdeck/copilot-codegen, or pass --schemas <dir>",
    );
  }
  return found;
}
