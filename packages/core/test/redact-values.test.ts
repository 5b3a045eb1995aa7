import { describe, expect, it } from "vitest";
import { REDACTED, SdkError, isSecretKey, redact, redactString, registerSecretValues } from "@flightdeck/copilot-core";

describe("redaction by value and by credential shape", () => {
  it("masks registered values anywhere, longest first, and the password of a registered URL on its own", () => {
    registerSecretValues(["value-one-abcdef", "value-one-abcdef-and-more", "postgres://u:pw-xyz-123@h/db", "short", 42]);
    expect(redactString("a value-one-abcdef-and-more b value-one-abcdef c")).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(redactString("lost pw-xyz-123 here")).toBe(`lost ${REDACTED} here`);
    // Values under 6 characters would mask ordinary words: ignored.
    expect(redactString("a short note")).toBe("a short note");
    expect(redact({ note: "x value-one-abcdef y" })).toEqual({ note: `x ${REDACTED} y` });
  });

  it("masks credential shapes in log lines: apikey=…, Authorization: Basic/Bearer …, URL passwords, JSON secrets", () => {
    expect(redactString("loading apikey=abc123def from env")).toBe(`loading apikey=${REDACTED} from env`);
    expect(redactString("api_key: zzzzzz")).toBe(`api_key: ${REDACTED}`);
    expect(redactString("GET / Authorization: Basic dXNlcjpwYXNz")).toBe(`GET / Authorization: Basic ${REDACTED}`);
    expect(redactString('{"password":"hunter22","user":"bob"}')).toBe(`{"password":"${REDACTED}","user":"bob"}`);
    expect(redactString("db at mysql://root:toor-pass@10.0.0.1/app")).toBe(`db at mysql://root:${REDACTED}@10.0.0.1/app`);
    expect(redactString("client_secret=s3cr3t&grant=x")).toBe(`client_secret=${REDACTED}&grant=x`);
    // Ordinary prose stays readable.
    expect(redactString("Token counting failed: 12 tokens over the limit")).toBe("Token counting failed: 12 tokens over the limit");
  });

  it("masks every credential shape in any letter case, and returns text without one unchanged", () => {
    const samples: Array<[string, string]> = [
      ["use ghp_abcdefgh1234 now", `use ghp_${REDACTED} now`],
      ["pat github_pat_abcdefgh1234", `pat github_pat_${REDACTED}`],
      ["header BEARER abcdefgh1234", `header BEARER ${REDACTED}`],
      ["proxy-authorization: Token abc123xyz", `proxy-authorization: Token ${REDACTED}`],
      ["key sk-abcdefghijklmnop1234", `key sk-${REDACTED}`],
      ["X-API-KEY=abc123", `X-API-KEY=${REDACTED}`],
      ["Access_Token: abc123", `Access_Token: ${REDACTED}`],
      ["REFRESH-TOKEN=abc123", `REFRESH-TOKEN=${REDACTED}`],
      ["Client-Secret=abc123", `Client-Secret=${REDACTED}`],
      ["PASSWD=abc123", `PASSWD=${REDACTED}`],
      ["HTTPS://user:pw-abc@host/x", `HTTPS://user:${REDACTED}@host/x`],
    ];
    for (const [text, masked] of samples) expect(redactString(text), text).toBe(masked);
    const plain = 'Session s1: a "session.shutdown" event does not match the schema (/data/shutdownType must be one of ["routine","error"]).';
    expect(redactString(plain)).toBe(plain);
  });

  it("treats header-style credential names as secret keys", () => {
    for (const key of ["X-Custom-Auth", "Ocp-Apim-Subscription-Key", "DB_PASSWORD", "aws_credentials", "x-api-key"]) expect(isSecretKey(key), key).toBe(true);
    for (const key of ["oauth", "inputTokens", "author", "keyword"]) expect(isSecretKey(key), key).toBe(false);
  });

  it("errors redact a foreign cause chain and keep its name and code", () => {
    registerSecretValues(["cause-secret-987654"]);
    const inner = Object.assign(new Error("deep cause-secret-987654"), { code: "EFOO" });
    const error = new SdkError("CONNECT_FAILED", "failed", { cause: new TypeError("outer", { cause: inner }) });
    const cause = error.cause as Error & { cause: Error & { code?: string } };
    expect(cause.name).toBe("TypeError");
    expect(cause.cause.message).toBe(`deep ${REDACTED}`);
    expect(cause.cause.code).toBe("EFOO");
    expect(cause.cause.stack).not.toContain("cause-secret-987654");
    // A clean cause is passed through as is.
    const clean = new Error("fine");
    expect(new SdkError("CONNECT_FAILED", "x", { cause: clean }).cause).toBe(clean);
  });
});
