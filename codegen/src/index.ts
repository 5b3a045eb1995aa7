/**
 * @flightdeck/copilot-codegen: schemas → IR → TypeScript bindings and validators.
 * `generate()` is what `pnpm codegen` runs; `buildIr()` gives the IR for other emitters.
 */
export { CodegenError } from "./errors.js";
export { generate, generateFiles, type GenerateFilesOptions, type GenerateOptions } from "./generate.js";
export { bundledSchemasDir } from "./bundled-schemas.js";
export { DEFAULT_RUNTIME_MODULE } from "./emit/common.js";
export { LANGUAGES, emitLanguageFiles, emitLanguageTypes, verifiedLanguages } from "./emit-lang/quicktype.js";
export {
  IR_VERSION,
  buildIr,
  type CodegenIr,
  type IrEvent,
  type IrInput,
  type IrMethod,
  type IrNamedType,
  type IrParams,
  type IrResult,
  type MethodDirection,
  type MethodScope,
} from "./ir.js";
export { API_FILE, EVENTS_FILE, LOCK_FILE, OVERLAY_DIR, loadSchemas, type LoadedFile, type LoadedSchemas, type SchemaSource } from "./load.js";
export type { SourceRef } from "./bundle.js";
export { GENERATOR_NAME, GENERATOR_VERSION } from "./emit/header.js";
export {
  DIFF_VERSION,
  diffIr,
  loadIrForDiff,
  loadSchemasForDiff,
  nameSubstitution,
  nameTokens,
  renderDiffMarkdown,
  summarizeDiff,
  typePositions,
  verdictOf,
  type ChangeEffect,
  type ChangeKind,
  type DiffChange,
  type DiffChanged,
  type DiffLoadOptions,
  type DiffRename,
  type DiffSection,
  type DiffVerdict,
  type EventSummary,
  type MethodSummary,
  type ProtocolDiff,
  type TypeSummary,
  type VerdictLevel,
} from "./diff/index.js";
