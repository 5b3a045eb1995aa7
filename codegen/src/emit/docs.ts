import { isObject, type Schema } from "../util.js";

/** Makes text safe inside a JSDoc block. */
export function safeDoc(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/\r\n?/g, "\n");
}

/** Builds the JSDoc body for a schema node: description, enum-member docs, stability, visibility. */
export function schemaDoc(s: Schema, extra: string[] = []): string | undefined {
  const parts: string[] = [];
  if (typeof s["description"] === "string" && s["description"].trim() !== "") parts.push(safeDoc(s["description"].trim()));
  const enumDocs = s["x-enumDescriptions"];
  if (isObject(enumDocs) && Array.isArray(s["enum"])) {
    const lines = (s["enum"] as unknown[])
      .filter((v): v is string => typeof v === "string" && typeof enumDocs[v] === "string")
      .map((v) => `- \`${JSON.stringify(v)}\`: ${safeDoc(String(enumDocs[v]))}`);
    if (lines.length > 0) parts.push(lines.join("\n"));
  }
  parts.push(...extra);
  const tags: string[] = [];
  if (s["stability"] === "experimental") tags.push("@experimental");
  if (s["visibility"] === "internal") tags.push("@remarks Runtime-internal (`visibility: internal`); may change without notice.");
  if (tags.length > 0) parts.push(tags.join("\n"));
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}
