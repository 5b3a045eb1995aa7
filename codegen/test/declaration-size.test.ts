/**
 * What the type emitter leaves out to keep the declarations small, without losing a type or a doc:
 * a property doc that only repeats its definition's description, and the event members every event
 * declares alike (moved into the envelope interfaces each event extends).
 */
import { describe, expect, it } from "vitest";
import { emitTypes } from "../src/emit/types.js";
import { buildIr } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";
import { fixtureWith } from "./helpers.js";

describe("declaration size in the type emitter", () => {
  const dir = fixtureWith(({ api, events }) => {
    api.definitions.Loudness = { type: "string", enum: ["low", "high"], description: "How loud the speaker is." };
    api.definitions.Speaker = {
      type: "object",
      properties: {
        same: { $ref: "#/definitions/Loudness", description: "How loud the speaker is." },
        own: { $ref: "#/definitions/Loudness", description: "The loudness after the next change." },
        tagged: { $ref: "#/definitions/Loudness", description: "How loud the speaker is.", stability: "experimental" },
      },
      additionalProperties: false,
    };
    // A documented member every event has alike, and one event with its own `ephemeral` variant.
    for (const name of ["IdleEvent", "MessageDeltaEvent"]) events.definitions[name].properties.id.description = "Unique event id.";
  });
  const emitted = emitTypes(buildIr(loadSchemas(dir)));

  it("drops a property doc that only repeats the referenced definition's description, keeps any other", async () => {
    const speaker = (await emitted).declarations.get("Speaker")!;
    expect(speaker).toMatch(/\{\n {2}same\?: Loudness;\n/);
    expect(speaker).toContain("The loudness after the next change.");
    expect(speaker).toMatch(/How loud the speaker is\.\n {3}\*\n {3}\* @experimental\n {3}\*\/\n {2}tagged\?: Loudness;/);
    expect((await emitted).declarations.get("Loudness")).toContain("How loud the speaker is.");
  });

  it("moves the members every event declares alike, docs included, into the envelope each event extends", async () => {
    const { declarations, names } = await emitted;
    expect(names).toContain("SessionEventEnvelope");
    expect(names).toContain("TransientSessionEventEnvelope");
    const envelope = declarations.get("SessionEventEnvelope")!;
    expect(envelope).toContain("/**\n   * Unique event id.\n   */\n  id: string;\n");
    expect(envelope).toContain("  parentId: string | null;\n");
    expect(envelope).toContain("  ephemeral?: boolean;\n");
    expect(declarations.get("TransientSessionEventEnvelope")).toContain("extends SessionEventEnvelope {\n  ephemeral: true;\n}");
    const idle = declarations.get("IdleEvent")!;
    expect(idle).toContain("export interface IdleEvent extends SessionEventEnvelope {");
    expect(idle).not.toMatch(/\bid: string|ephemeral/);
    const delta = declarations.get("MessageDeltaEvent")!;
    expect(delta).toContain("export interface MessageDeltaEvent extends TransientSessionEventEnvelope {");
    expect(delta).not.toMatch(/\bid: string|ephemeral/);
    expect(delta).toContain('type: "assistant.message_delta";');
  });
});
