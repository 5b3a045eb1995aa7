import { describe, expect, it } from "vitest";
import * as core from "@flightdeck/copilot-core";

describe("@flightdeck/copilot-core", () => {
  it("loads", () => {
    expect(typeof core).toBe("object");
  });
});
