/**
 * The protocol diff as data: what `flightdeck-codegen diff --json` prints and `protocol:bump`
 * writes. Plain JSON, sorted everywhere, so two runs on the same inputs give the same bytes.
 */
import type { SchemaSource } from "../load.js";

export const DIFF_VERSION = 1;

/**
 * What a change means to someone who uses the generated bindings:
 * `breaking` (code that compiled or data that validated may no longer), `additive` (new surface),
 * `docs` (descriptions only), `neutral` (no effect on types, e.g. a stability label or a
 * validation-only constraint on data we receive).
 */
export type ChangeEffect = "breaking" | "additive" | "docs" | "neutral";

export type ChangeKind =
  | "property-added"
  | "property-removed"
  | "required-added"
  | "required-removed"
  | "type-changed"
  | "type-widened"
  | "type-narrowed"
  | "enum-values-added"
  | "enum-values-removed"
  | "const-changed"
  | "ref-changed"
  | "variants-added"
  | "variants-removed"
  | "constraint-changed"
  | "additional-properties-changed"
  | "schema-changed"
  | "description-changed"
  | "visibility-changed"
  | "stability-changed"
  | "deprecated-changed"
  | "params-added"
  | "params-removed"
  | "params-optionality-changed"
  | "result-added"
  | "result-removed"
  | "kind-changed"
  | "scope-changed"
  | "ephemeral-changed";

/** One change inside a method, event or type. `path` is a dotted path (`params.mode`, `data.items[]`). */
export interface DiffChange {
  readonly path: string;
  readonly kind: ChangeKind;
  readonly effect: ChangeEffect;
  /** Short human text: `"optional property"`, `"string → string | null"`, `"+ \"auto\""`. */
  readonly detail: string;
}

export interface MethodSummary {
  readonly name: string;
  readonly scope: string;
  readonly kind: "request" | "notification";
  readonly visibility: "public" | "internal";
  readonly stability: string;
  /** Public param type, `null` when the stub takes no argument. */
  readonly params: string | null;
  /** Result type, `null` = void. */
  readonly result: string | null;
}

export interface EventSummary {
  readonly name: string;
  readonly visibility: "public" | "internal";
  readonly stability: string;
  readonly ephemeral: boolean;
  readonly dataType: string;
}

export interface TypeSummary {
  readonly name: string;
  readonly visibility: "public" | "internal";
  readonly stability: string | null;
  readonly origin: "definition" | "synthesized";
}

export interface DiffRename {
  readonly from: string;
  readonly to: string;
  /** Shape similarity 0–1 (Jaccard over schema features, renamed refs mapped first). */
  readonly similarity: number;
  /** The name substitution that explains the rename, `factory → workflow`. */
  readonly substitution: string;
  readonly changes: readonly DiffChange[];
}

export interface DiffChanged {
  readonly name: string;
  readonly changes: readonly DiffChange[];
}

export interface DiffSection<S> {
  readonly added: readonly S[];
  readonly removed: readonly S[];
  readonly renamed: readonly DiffRename[];
  readonly changed: readonly DiffChanged[];
}

export type VerdictLevel = "major" | "minor" | "patch" | "none";

export interface DiffVerdict {
  /** `none`: nothing differs; `patch`: descriptions/labels only; `minor`: additions; `major`: removals, renames or narrowing. */
  readonly level: VerdictLevel;
  /** Why, most severe first (`"17 methods renamed"`). */
  readonly reasons: readonly string[];
  readonly counts: Readonly<Record<ChangeEffect, number>>;
}

export interface ProtocolDiff {
  readonly diffVersion: typeof DIFF_VERSION;
  readonly old: SchemaSource;
  readonly new: SchemaSource;
  readonly methods: DiffSection<MethodSummary>;
  readonly events: DiffSection<EventSummary>;
  /** Named types other than event envelopes, event data types and `SessionEvent` (those are under events). */
  readonly types: DiffSection<TypeSummary>;
  readonly verdict: DiffVerdict;
}
