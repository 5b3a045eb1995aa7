/** The protocol diff engine: two IRs (or schema folders) → what changed and what it means for semver. */
export { diffIr, typePositions } from "./diff.js";
export { loadIrForDiff, loadSchemasForDiff, type DiffLoadOptions } from "./load.js";
export { renderDiffMarkdown, summarizeDiff } from "./markdown.js";
export {
  DIFF_VERSION,
  type ChangeEffect,
  type ChangeKind,
  type DiffChange,
  type DiffChanged,
  type DiffRename,
  type DiffSection,
  type DiffVerdict,
  type EventSummary,
  type MethodSummary,
  type ProtocolDiff,
  type TypeSummary,
  type VerdictLevel,
} from "./model.js";
export { nameSubstitution, nameTokens } from "./renames.js";
export { verdictOf } from "./verdict.js";
