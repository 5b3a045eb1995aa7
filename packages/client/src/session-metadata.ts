/**
 * Persisted-session metadata in the shape `@github/copilot-sdk` users know: times as `Date`s and
 * the working directory as `context.workingDirectory` (the wire says `startTime` strings and
 * `context.cwd`).
 */
import type { PersistedSessionSummary, WireSessionListFilter } from "@flightdeck/copilot-core";

/** Where a session was created. */
export interface SessionContext {
  /** Working directory the session was created in. */
  workingDirectory: string;
  gitRoot?: string;
  /** GitHub repository, `owner/repo`. */
  repository?: string;
  branch?: string;
}

/** One persisted session, as `listSessions()` and `getSessionMetadata()` return it. */
export interface SessionMetadata {
  sessionId: string;
  startTime: Date;
  modifiedTime: Date;
  summary?: string;
  isRemote: boolean;
  /** The session's name, when it has one. */
  name?: string;
  context?: SessionContext;
}

/** Filter for `listSessions`: `workingDirectory` (also accepted as the wire's `cwd`), git root, repository, branch. */
export interface SessionListFilter {
  workingDirectory?: string;
  cwd?: string;
  gitRoot?: string;
  repository?: string;
  branch?: string;
}

export function toSessionMetadata(raw: PersistedSessionSummary): SessionMetadata {
  const metadata: SessionMetadata = {
    sessionId: raw.sessionId,
    startTime: new Date(raw.startTime),
    modifiedTime: new Date(raw.modifiedTime),
    isRemote: raw.isRemote === true,
  };
  if (raw.summary !== undefined) metadata.summary = raw.summary;
  if (raw.name !== undefined) metadata.name = raw.name;
  if (raw.context) {
    const { cwd, gitRoot, repository, branch } = raw.context;
    metadata.context = {
      workingDirectory: cwd,
      ...(gitRoot !== undefined && { gitRoot }),
      ...(repository !== undefined && { repository }),
      ...(branch !== undefined && { branch }),
    };
  }
  return metadata;
}

/** The wire filter for a user's filter (`workingDirectory` → `cwd`). */
export function toWireFilter(filter: SessionListFilter | { filter?: WireSessionListFilter } | undefined): WireSessionListFilter | undefined {
  if (filter === undefined || filter === null) return undefined;
  // Flightdeck 0.1 took the wire params ({ filter: { cwd } }); keep accepting them.
  if ("filter" in filter) return (filter as { filter?: WireSessionListFilter }).filter;
  const { workingDirectory, cwd, ...rest } = filter as SessionListFilter;
  const wire: WireSessionListFilter = { ...rest };
  const dir = workingDirectory ?? cwd;
  if (dir !== undefined) wire.cwd = dir;
  return wire;
}
