/**
 * Everything a program written for `@github/copilot-sdk` 1.0.14 hands to Flightdeck or gets back
 * from it, compared type by type. `Incompatible` is the union of the paths where ours does not
 * accept theirs; incumbent.test-d.ts requires it to equal the type-level entries of the
 * exclusion list (exclusions.ts), no more and no fewer.
 */
import type * as Theirs from "@github/copilot-sdk";
import type * as Ours from "@flightdeck/copilot-sdk";
import type { Assignable, ExportMismatch, MissingMembers, RejectedKeys } from "./compat-types.js";

type TheirValues = typeof import("@github/copilot-sdk");
type OurValues = typeof import("@flightdeck/copilot-sdk");

/** Every runtime (value) export: present, and usable where theirs is. */
export type ExportIncompatibilities = { [K in keyof TheirValues & string]-?: ExportMismatch<TheirValues, OurValues, K> }[keyof TheirValues & string];

type OurResumeConfig = NonNullable<Parameters<Ours.CopilotClient["resumeSession"]>[1]>;
type OurMessageOptions = Exclude<Parameters<Ours.CopilotSession["send"]>[0], string>;
type OurTool = Extract<NonNullable<Ours.SessionConfig["tools"]>, readonly unknown[]>[number];
type OurHooks = NonNullable<Ours.SessionConfig["hooks"]>;
type OurPermissionResult = Awaited<ReturnType<NonNullable<Ours.SessionConfig["onPermissionRequest"]>>>;
type OurMcpServer = NonNullable<Ours.SessionConfig["mcpServers"]>[string];
type OurProvider = NonNullable<Ours.SessionConfig["provider"]>;

/** The options objects a program passes. */
export type OptionIncompatibilities =
  | RejectedKeys<Theirs.SessionConfig, Ours.SessionConfig, "SessionConfig">
  | RejectedKeys<Theirs.ResumeSessionConfig, OurResumeConfig, "ResumeSessionConfig">
  | RejectedKeys<Theirs.CopilotClientOptions, Ours.CopilotClientOptions, "CopilotClientOptions">
  | RejectedKeys<Theirs.MessageOptions, OurMessageOptions, "MessageOptions">
  | RejectedKeys<Theirs.Tool, OurTool, "Tool">
  | RejectedKeys<Theirs.ProviderConfig, OurProvider, "ProviderConfig">
  | RejectedKeys<Theirs.MCPStdioServerConfig, Extract<OurMcpServer, { command: string }>, "MCPStdioServerConfig">
  | RejectedKeys<Theirs.MCPHTTPServerConfig, Extract<OurMcpServer, { url: string }>, "MCPHTTPServerConfig">
  | (Assignable<Theirs.SessionFsProvider, Parameters<OurValues["createSessionFsAdapter"]>[0]> extends true
      ? never
      : "SessionFsProvider(createSessionFsAdapter)");

/** What a tool handler receives. */
export type InvocationIncompatibilities = MissingMembers<Theirs.ToolInvocation, Ours.ToolInvocation, "ToolInvocation">;

/** Every decision kind a permission handler may return. */
export type PermissionIncompatibilities =
  | {
      [K in Theirs.PermissionRequestResult["kind"]]-?: Assignable<Extract<Theirs.PermissionRequestResult, { kind: K }>, OurPermissionResult> extends true
        ? never
        : `PermissionRequestResult.kind=${K}`;
    }[Theirs.PermissionRequestResult["kind"]]
  | (Assignable<Theirs.AttributedPermissionResult, OurPermissionResult> extends true ? never : "PermissionRequestResult.kind=attributed");

type HookIncompatibility<K extends keyof Theirs.SessionHooks> = K extends keyof OurHooks
  ? NonNullable<Theirs.SessionHooks[K]> extends (input: infer TheirInput, ...rest: any[]) => infer TheirOutput
    ? NonNullable<OurHooks[K]> extends (input: infer OurInput, ...rest: any[]) => infer OurOutput
      ?
          | MissingMembers<TheirInput, OurInput, `${K}.input`>
          | RejectedKeys<Exclude<Awaited<TheirOutput>, void | undefined>, Exclude<Awaited<OurOutput>, void | undefined>, `${K}.output`>
      : `${K}(not a function)`
    : never
  : `hooks.${K}`;

/** Each hook: the input we pass has their fields; the output they return is accepted. */
export type HookIncompatibilities = { [K in keyof Theirs.SessionHooks & string]-?: HookIncompatibility<K> }[keyof Theirs.SessionHooks & string];

export type Incompatible =
  | ExportIncompatibilities
  | OptionIncompatibilities
  | InvocationIncompatibilities
  | PermissionIncompatibilities
  | HookIncompatibilities;
