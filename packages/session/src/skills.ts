/**
 * Skill directories: the runtime silently skips a `skillDirectories` entry it cannot read, so
 * after the session opens this asks it which skills it loaded and reports every directory that
 * gave none, naming it.
 */
import { SessionSetupError, errorMessage, type SurfaceContext } from "./surface-context.js";

/** Reports each `skillDirectories` entry no loaded skill comes from. One `skills.list` call, only when the option is set. */
export async function reportEmptySkillDirectories(ctx: SurfaceContext): Promise<void> {
  const dirs = ctx.config.skillDirectories;
  if (dirs === undefined || dirs.length === 0) return;
  let paths: string[];
  try {
    const { skills } = await ctx.rpc.skills.list();
    paths = skills.map((s) => (s.path ?? "").replace(/\\/g, "/"));
  } catch (error) {
    ctx.report(new SessionSetupError(ctx.sessionId, "skillDirectories", dirs.join(", "), `Could not check the skills of session ${ctx.sessionId} (session.skills.list failed: ${errorMessage(error)}).`, { cause: error }));
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
