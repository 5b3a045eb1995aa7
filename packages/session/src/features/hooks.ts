/** `hooks`: the session's hook callbacks, answering `hooks.invoke` (see `hook-types.ts` for their shapes). */
import { defineFeature, noHandler } from "../feature.js";
import { describe, isObject } from "../option-checks.js";
import { HOOK_TYPES, hookHandlerName, normalizeHookInput, type SessionHooks } from "../hook-types.js";

export interface HooksOptions {
  /** Hook callbacks (pre/post tool use, prompt submitted, session start/end, …). */
  hooks?: SessionHooks;
}

export const hooksFeature = defineFeature<HooksOptions>({
  name: "hooks",
  keys: ["hooks"],
  lower(options, wire, { fail }) {
    const hooks = options.hooks as unknown;
    if (hooks === undefined) return undefined;
    if (!isObject(hooks)) return fail("hooks", `must be an object of hook functions, got ${describe(hooks)}.`);
    let any = false;
    for (const [name, handler] of Object.entries(hooks)) {
      if (!(name in HOOK_TYPES)) fail(`hooks.${name}`, `is not a hook; use one of ${Object.keys(HOOK_TYPES).join(", ")}.`);
      if (handler === undefined) continue;
      if (typeof handler !== "function") fail(`hooks.${name}`, `must be a function, got ${describe(handler)}.`);
      any = true;
    }
    if (any) wire.hooks = true;
    return undefined;
  },
  requests: {
    "hooks.invoke": async (ctx, params, context) => {
      const hooks = ctx.options.hooks;
      if (!hooks) throw noHandler(ctx.sessionId, "hooks", "hooks.invoke");
      const name = hookHandlerName(String(params.hookType));
      const handler = name ? (hooks[name] as ((input: unknown, invocation: { sessionId: string; signal: AbortSignal }) => unknown) | undefined) : undefined;
      // Hook types without a handler here run as if no hook were set.
      if (!handler) return {};
      const run = ctx.startRun(`hook:${context.id}`, context.signal);
      try {
        const output = await handler(normalizeHookInput(params.input), { sessionId: ctx.sessionId, signal: run.signal });
        return output === undefined || output === null ? {} : { output };
      } finally {
        run.end();
      }
    },
  },
});
