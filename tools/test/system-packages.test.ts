import { describe, expect, it } from "vitest";
import { packagesFor, testFilters } from "../vitest/system-packages.js";

describe("the test command's system packages", () => {
  it("reads the filters of `vitest run`, skipping flags and their values", () => {
    expect(testFilters(["node", "vitest", "run"])).toEqual([]);
    expect(testFilters(["node", "vitest", "run", "--reporter", "json", "--outputFile.json=x.json", "packages/postgres"])).toEqual(["packages/postgres"]);
    expect(testFilters(["node", "vitest", "run", "-t", "resume", "examples/fleet/test/fleet.test.ts"])).toEqual(["examples/fleet/test/fleet.test.ts"]);
  });

  it("provisions everything for the whole suite and only what a filter needs otherwise", () => {
    expect(packagesFor([]).map((p) => p.name)).toEqual(["chromium", "postgresql", "python3"]);
    expect(packagesFor(["packages/postgres/test/store.test.ts"]).map((p) => p.name)).toEqual(["postgresql"]);
    expect(packagesFor(["examples/browser-chat"]).map((p) => p.name)).toEqual(["chromium"]);
    expect(packagesFor(["packages/core"]).map((p) => p.name)).toEqual([]);
  });
});
