/**
 * Skills, instructions and plugins end to end on both pinned runtimes, offline: a skill written
 * by the test that the scripted model invokes through the runtime's `skill` tool, disabled skills,
 * a missing skill directory, instruction directories and a plugin directory.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SessionSetupError } from "@flightdeck/copilot-session";
import { approveAll } from "@flightdeck/copilot-tools";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { promptText } from "./fixtures/features.js";

useE2eTeardown();

/** Writes `<root>/<name>/SKILL.md` and returns `root`. */
function writeSkill(root: string, name: string, body: string): string {
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, "SKILL.md"), `---\nname: ${name}\ndescription: Writes ${name}\n---\n${body}\n`);
  return root;
}

describe.each(RUNTIMES)("$name", (runtime) => {
  it("the model invokes a skill from skillDirectories and gets its content", async () => {
    const t = await setup(runtime);
    const skills = writeSkill(join(t.iso.dir, "skills"), "release-notes", "SKILL-BODY: start every release note with a haiku.");
    t.model.push({ toolCalls: [{ name: "skill", arguments: { skill: "release-notes" } }] }, (req) => ({
      text: promptText(req).includes("SKILL-BODY: start every release note with a haiku.") ? "skill received" : "skill missing",
    }));
    const invoked: unknown[] = [];
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      skillDirectories: [skills],
      onPermissionRequest: approveAll,
    });
    session.on("skill.invoked", (e) => invoked.push(e.data));
    const reply = await session.sendAndWait("Write release notes", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe("skill received");
    expect(invoked).toEqual([expect.objectContaining({ name: "release-notes", path: join(skills, "release-notes", "SKILL.md") })]);
    // Runtime 1.0.85 sends `pluginName: null` for a non-plugin skill although its own schema says
    // string: a known mismatch of the pinned runtime, reported (lenient) and delivered.
    const known = /"skill\.invoked" event does not match the schema \(\/data\/pluginName/;
    expect(t.problems().filter((p) => !known.test(String(p)))).toEqual([]);
    t.model.assertDone();
  });

  it("a skill directory that gives no skill is reported naming it; disabledSkills turns a skill off", async () => {
    const t = await setup(runtime);
    const skills = writeSkill(join(t.iso.dir, "skills"), "release-notes", "notes");
    writeSkill(skills, "changelog", "changelog");
    const missing = join(t.iso.dir, "no-such-skills");
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      skillDirectories: [skills, missing],
      disabledSkills: ["changelog"],
    });

    const reports = t.errors.filter((e): e is SessionSetupError => e instanceof SessionSetupError);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ source: "skillDirectories", entry: missing });
    expect(reports[0]!.message).toContain(`"${missing}"`);
    const { skills: listed } = await session.rpc.skills.list();
    const custom = listed.filter((s) => s.source === "custom");
    expect(custom.find((s) => s.name === "release-notes")?.enabled).toBe(true);
    expect(custom.find((s) => s.name === "changelog")?.enabled ?? false).toBe(false);
  });

  it("instructionDirectories: *.instructions.md files reach the system prompt", async () => {
    const t = await setup(runtime);
    const dir = join(t.iso.dir, "instructions");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "style.instructions.md"), "---\napplyTo: '**'\n---\nHOUSE-STYLE: answer in British English.\n");
    t.model.push({ text: "ok" });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), instructionDirectories: [dir] });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });

    expect(promptText(t.model.requests[0])).toContain("HOUSE-STYLE: answer in British English.");
    const { sources } = await session.rpc.instructions.getSources();
    expect(sources.map((s) => s.sourcePath)).toContain(join(dir, "style.instructions.md"));
    t.model.assertDone();
  });

  it("pluginDirectories: a plugin's skills are loaded", async () => {
    const t = await setup(runtime);
    const plugin = join(t.iso.dir, "plugins", "house-tools");
    mkdirSync(join(plugin, ".claude-plugin"), { recursive: true });
    writeFileSync(join(plugin, ".claude-plugin", "plugin.json"), JSON.stringify({ name: "house-tools", version: "1.2.0", description: "House tools" }));
    writeSkill(join(plugin, "skills"), "deploy-checklist", "CHECKLIST");
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), pluginDirectories: [plugin] });

    expect((await session.rpc.plugins.list()).plugins).toEqual([expect.objectContaining({ name: "house-tools", version: "1.2.0", enabled: true })]);
    const { skills } = await session.rpc.skills.list();
    expect(skills).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "deploy-checklist", source: "plugin", commandName: "house-tools:deploy-checklist" })]),
    );
  });
});
