/**
 * Skills, plugins and instruction files: `skillDirectories`, `disabledSkills`,
 * `pluginDirectories`, `instructionDirectories`. The runtime silently skips a `skillDirectories`
 * entry it cannot read, so after the session opens this asks it which skills it loaded and
 * reports every directory that gave none, naming it.
 */
import { defineFeature, type FeatureContext } from "../feature.js";
import { checkStringList, describe, errorMessage, isAbsolutePath } from "../option-checks.js";
import { SessionSetupError } from "../session-error.js";

export interface SkillOptions {
  /** Extra directories to load skills from: each holds `<skill>/SKILL.md` folders. */
  skillDirectories?: string[];
  /** Skill names to leave out. */
  disabledSkills?: string[];
  /** Open Plugins directories to load. */
  pluginDirectories?: string[];
  /** Extra directories searched for custom instruction files (`*.instructions.md`, AGENTS.md, …). */
  instructionDirectories?: string[];
}

export const skillsFeature = defineFeature<SkillOptions>()({
  name: "skillDirectories",
  keys: ["skillDirectories", "disabledSkills", "pluginDirectories", "instructionDirectories"],
  lower(options, wire, { fail }) {
    checkStringList(options.disabledSkills, "disabledSkills", fail);
    if (options.disabledSkills !== undefined) wire.disabledSkills = [...options.disabledSkills];
    for (const key of ["skillDirectories", "pluginDirectories", "instructionDirectories"] as const) {
      const dirs = options[key];
      checkStringList(dirs, key, fail);
      if (dirs === undefined) continue;
      dirs.forEach((dir, i) => {
        // The runtime resolves relative paths against its own cwd, not the session's: require absolute ones.
        if (!isAbsolutePath(dir)) fail(`${key}[${i}]`, `must be an absolute path, got ${describe(dir)}.`);
      });
      wire[key] = [...dirs];
    }
    return undefined;
  },
  /** Reports each `skillDirectories` entry no loaded skill comes from. One `skills.list` call, only when the option is set. */
  afterOpen(ctx) {
    const dirs = ctx.options.skillDirectories;
    if (dirs === undefined || dirs.length === 0) return undefined;
    return reportUnloadedDirectories(ctx, dirs);
  },
});

async function reportUnloadedDirectories(ctx: FeatureContext<SkillOptions, undefined>, dirs: readonly string[]): Promise<void> {
  let paths: string[];
  try {
    const { skills } = await ctx.rpc.skills.list();
    paths = skills.map((s) => (s.path ?? "").replace(/\\/g, "/"));
  } catch (error) {
    ctx.report(
      new SessionSetupError(
        ctx.sessionId,
        "skillDirectories",
        dirs.join(", "),
        `Could not check the skills of session ${ctx.sessionId} (session.skills.list failed: ${errorMessage(error)}).`,
        { cause: error },
      ),
    );
    return;
  }
  for (const dir of dirs) {
    const prefix = `${dir.replace(/\\/g, "/").replace(/\/+$/, "")}/`;
    if (paths.some((p) => p.startsWith(prefix))) continue;
    ctx.report(
      new SessionSetupError(
        ctx.sessionId,
        "skillDirectories",
        dir,
        `No skill was loaded from skillDirectories entry "${dir}" of session ${ctx.sessionId}: the directory does not exist, cannot be read, or holds no <skill-name>/SKILL.md with a name and description in its front matter. Fix the path or remove the entry.`,
      ),
    );
  }
}
