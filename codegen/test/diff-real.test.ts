/**
 * The diff engine on real upstream schema pairs (compressed fixtures in fixtures/upstream/).
 * Counts were checked against the raw schemas: 1.0.13 → 1.0.14 adds 11 methods, removes 1 and
 * adds 10 events; 1.0.14 → 1.0.15-preview.4 renames the 17 `factory.*` methods and 3 events.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { diffIr, loadIrForDiff, renderDiffMarkdown, type ProtocolDiff } from "../src/index.js";
import type { CodegenIr } from "../src/ir.js";

const UPSTREAM = fileURLToPath(new URL("./fixtures/upstream/", import.meta.url));
const irs: Record<string, CodegenIr> = {};

beforeAll(() => {
  for (const v of ["1.0.13", "1.0.14", "1.0.15-preview.4"]) irs[v] = loadIrForDiff(`${UPSTREAM}${v}`);
});

const names = (items: readonly { name: string }[]) => items.map((i) => i.name);

describe("1.0.13 → 1.0.14", () => {
  let d: ProtocolDiff;
  beforeAll(() => {
    d = diffIr(irs["1.0.13"]!, irs["1.0.14"]!);
  });

  it("finds the 11 added methods, the 1 removed method and the 10 added events", () => {
    expect(names(d.methods.added)).toEqual([
      "session.factory.pause",
      "session.factory.pauseAtCheckpoint",
      "session.metadata.getClientMetadata",
      "session.metadata.updateClientMetadata",
      "session.model.setAllowedModels",
      "session.sandbox.disableForSession",
      "session.workspaces.createDirectory",
      "session.workspaces.removePath",
      "session.workspaces.renamePath",
      "session.workspaces.statFile",
      "sessions.getClientMetadata",
    ]);
    expect(names(d.methods.removed)).toEqual(["sessions.registerExtensionToolsOnSession"]);
    expect(d.methods.renamed).toEqual([]);
    expect(names(d.events.added)).toHaveLength(10);
    expect(names(d.events.added)).toContain("permission.assentDetected");
    expect(d.events.removed).toEqual([]);
    expect(d.events.renamed).toEqual([]);
    expect(names(d.types.removed)).toEqual(["RegisterExtensionToolsParams", "RegisterExtensionToolsResult", "SessionsRegisterExtensionToolsOnSessionOptions"]);
  });

  it("reports field-level changes with their effect", () => {
    const send = d.methods.changed.find((c) => c.name === "session.send")!;
    expect(send.changes).toContainEqual({ path: "params.responseFormat", kind: "property-added", effect: "additive", detail: "optional ResponseFormat" });
    const perm = d.events.changed.find((c) => c.name === "session.permissions_changed")!;
    // Received data whose field became optional: readers that relied on it break.
    expect(perm.changes).toContainEqual({ path: "data.mode", kind: "required-removed", effect: "breaking", detail: "required → optional" });
    const tier = d.types.changed.find((c) => c.name === "AutoTier")!;
    expect(tier.changes).toContainEqual({ path: "(root)", kind: "enum-values-added", effect: "additive", detail: '+ "fast"' });
  });

  it("calls it major (a public type removed) and says the removed method was internal", () => {
    expect(d.verdict.level).toBe("major");
    expect(d.verdict.reasons).toContain("3 types removed (breaking)");
    expect(d.verdict.reasons).toContain("1 internal method removed (internal: minor)");
  });
});

describe("1.0.14 → 1.0.15-preview.4", () => {
  let d: ProtocolDiff;
  beforeAll(() => {
    d = diffIr(irs["1.0.14"]!, irs["1.0.15-preview.4"]!);
  });

  it("pairs all 17 factory.* methods with workflow.* by name and shape", () => {
    expect(d.methods.renamed).toHaveLength(17);
    for (const r of d.methods.renamed) {
      expect(r.to).toBe(r.from.replace("factory", "workflow"));
      expect(r.substitution).toBe("factory → workflow");
    }
    expect(names(d.methods.removed)).toEqual([]);
    expect(names(d.methods.added).filter((n) => n.includes("factory") || n.includes("workflow"))).toEqual([]);
    const agent = d.methods.renamed.find((r) => r.from === "session.factory.agent")!;
    expect(agent.changes.filter((c) => c.effect === "breaking").map((c) => `${c.kind} ${c.path}`)).toEqual([
      "property-removed params.factoryRunId",
      "property-added params.workflowRunId",
    ]);
  });

  it("renames the 3 factory.run_* events and the types behind them", () => {
    expect(d.events.renamed.map((r) => `${r.from} → ${r.to}`)).toEqual([
      "factory.run_settled → workflow.run_settled",
      "factory.run_started → workflow.run_started",
      "factory.run_updated → workflow.run_updated",
    ]);
    expect(d.events.renamed.map((r) => r.similarity)).toEqual([1, 0.6, 1]);
    // run_started also renamed a field: shape 60% similar, still paired because the substitution is witnessed.
    expect(d.events.renamed[1]!.changes.filter((c) => c.effect === "breaking").map((c) => c.path)).toEqual(["data.factoryName"]);
    expect(names(d.events.added)).toEqual([
      "session.fusion_change_checkpoint",
      "session.indexed_search",
      "session.model_deselected",
      "session.permission_recovery",
    ]);
    expect(d.types.renamed.map((r) => `${r.from} → ${r.to}`)).toContain("FactoryRunRequest → WorkflowRunRequest");
    expect(d.types.renamed.map((r) => `${r.from} → ${r.to}`)).toContain("RunOptions → WorkflowRunOptions");
    expect(d.types.removed).toEqual([]);
  });

  it("lists the new session.connectors.*, session.accounts.* and session.plugins.* methods", () => {
    const added = names(d.methods.added);
    expect(added.filter((n) => n.startsWith("session.connectors."))).toHaveLength(11);
    expect(added.filter((n) => n.startsWith("session.accounts."))).toHaveLength(6);
    expect(added.filter((n) => n.startsWith("session.plugins."))).toHaveLength(10);
    expect(added).toHaveLength(58);
  });

  it("does not count a renamed type's users as changed", () => {
    // WorkflowRunRequest refs WorkflowRunOptions where FactoryRunRequest referred to RunOptions.
    const run = d.types.renamed.find((r) => r.from === "FactoryRunRequest")!;
    expect(run.changes.filter((c) => c.kind === "ref-changed")).toEqual([]);
  });

  it("calls it major and renders a report", () => {
    expect(d.verdict.level).toBe("major");
    expect(d.verdict.reasons.slice(0, 3)).toEqual(["14 methods renamed (breaking)", "3 events renamed (breaking)", "59 types renamed (breaking)"]);
    const md = renderDiffMarkdown(d);
    expect(md).toMatch(/^# Protocol diff: @github\/copilot-sdk-linux-x64@1\.0\.14 → @github\/copilot-sdk-linux-x64@1\.0\.15-preview\.4\n/);
    expect(md).toContain("| methods | 58 | 0 | 17 | ");
    expect(md).toContain("- `factory.run_settled` → `workflow.run_settled` (factory → workflow, shape 100%)");
  });
});

describe("no-op bump", () => {
  it("1.0.14 → 1.0.14 is empty with verdict none", () => {
    const d = diffIr(irs["1.0.14"]!, irs["1.0.14"]!);
    for (const s of [d.methods, d.events, d.types]) expect([s.added, s.removed, s.renamed, s.changed]).toEqual([[], [], [], []]);
    expect(d.verdict).toEqual({ level: "none", reasons: [], counts: { breaking: 0, additive: 0, docs: 0, neutral: 0 } });
    expect(renderDiffMarkdown(d)).toContain("**Verdict: none** (no change)");
  });

  it("is deterministic", () => {
    const a = JSON.stringify(diffIr(irs["1.0.13"]!, irs["1.0.14"]!));
    const b = JSON.stringify(diffIr(loadIrForDiff(`${UPSTREAM}1.0.13`), loadIrForDiff(`${UPSTREAM}1.0.14`)));
    expect(a).toBe(b);
  });
});
