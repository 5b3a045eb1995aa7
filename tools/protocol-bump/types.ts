/** What a protocol bump takes, returns and throws (tools/protocol-bump.ts). */
import type { ProtocolDiff } from "../../codegen/src/index.js";
import type { ProtocolLock } from "../sync-schemas.js";
import type { CallSite, PackageVerdict } from "./report.js";

export type ProtocolBumpErrorCode =
  | "BAD_ARGUMENT"
  | "NO_SUCH_VERSION"
  | "NETWORK_FAILED"
  | "DOWNGRADE"
  | "SYNC_FAILED"
  | "DIFF_FAILED"
  | "GENERATE_FAILED"
  | "INSTALL_FAILED"
  | "WRITE_FAILED";

/** A failed bump. The repo was restored; `reportPath` (if set) holds the diff report written outside it. */
export class ProtocolBumpError extends Error {
  override readonly name = "ProtocolBumpError";
  constructor(
    readonly code: ProtocolBumpErrorCode,
    message: string,
    readonly reportPath?: string,
    options?: { cause?: unknown },
  ) {
    super(`protocol:bump: ${message}`, options);
  }
}

export interface BumpOptions {
  /** Package version to move to, e.g. "1.0.15". */
  readonly version: string;
  /** Repo to bump (tests point it at a temp copy). Defaults to this checkout. */
  readonly repoRoot?: string;
  readonly packageName?: string;
  /** A local tarball instead of `npm pack` (offline). */
  readonly tarball?: string;
  readonly runtimeVersion?: string;
  /** npm executable for `npm pack` (tests use a fake). */
  readonly npmCommand?: string;
  /** `false` skips the typecheck; a command replaces `pnpm typecheck`. */
  readonly typecheck?: false | { readonly command: string; readonly args: readonly string[] };
  /** After the runtime devDependency moved: `false` skips refreshing pnpm-lock.yaml; a command replaces `pnpm install --lockfile-only`. */
  readonly install?: false | { readonly command: string; readonly args: readonly string[] };
  /** Move to an older version (refused otherwise, nothing changed). */
  readonly allowDowngrade?: boolean;
  /** Called after each step's writes (tests and the CLI's pause hook use it to interrupt there). */
  readonly onStepDone?: (step: BumpStep) => void | Promise<void>;
  readonly log?: (line: string) => void;
}

export interface BumpResult {
  readonly oldLock: ProtocolLock | null;
  readonly lock: ProtocolLock;
  readonly diff: ProtocolDiff;
  readonly reports: string[];
  readonly changeset: string | null;
  readonly packages: PackageVerdict[];
  readonly protocolWarning: string | null;
  /** New tsc errors outside generated folders (errors present before the bump excluded); `null` when skipped. */
  readonly brokenCallSites: CallSite[] | null;
  /** The runtime moved (its version, and the pinned devDependency's old version when that moved too); null when it did not. */
  readonly runtimeChange: { readonly from: string; readonly to: string; readonly packageFrom: string | null } | null;
  /** The new version is older than the old one (only with `allowDowngrade`). */
  readonly downgrade: boolean;
}

/** The steps a bump goes through after the baseline typecheck (each can be interrupted). */
export type BumpStep = "sync" | "generate" | "report" | "typecheck";
