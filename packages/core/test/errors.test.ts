import { describe, expect, it, vi } from "vitest";
import {
  AuthenticationFailedError,
  FlightdeckError,
  InternalRpcError,
  InvalidParamsError,
  MethodNotFoundError,
  NotConnectedError,
  RpcError,
  SdkError,
  ServerShuttingDownError,
  isSdkError,
  redact,
  redactString,
} from "@flightdeck/copilot-core";

const GHP = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";

describe("RpcError.from", () => {
  it.each([
    [-32001, NotConnectedError, /connect/],
    [-32002, AuthenticationFailedError, /connectionToken/],
    [-32000, ServerShuttingDownError, /new client/],
    [-32601, MethodNotFoundError, /runtime version/],
    [-32602, InvalidParamsError, /schema/],
    [-32603, InternalRpcError, /log/],
  ] as const)("maps %i to its subclass with an actionable hint", (code, cls, hint) => {
    const error = RpcError.from({ code, message: "server said no", data: { a: 1 } }, "session.send");
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toBeInstanceOf(FlightdeckError);
    expect(error.code).toBe(code);
    expect(error.method).toBe("session.send");
    expect(error.data).toEqual({ a: 1 });
    expect(error.name).toBe(cls.name);
    expect(error.message).toMatch(/^session\.send failed: server said no \(JSON-RPC error -?\d+\)\./);
    expect(error.message).toMatch(hint);
  });

  it("keeps other codes as a plain RpcError and tolerates malformed wire errors", () => {
    const other = RpcError.from({ code: 42, message: "odd" });
    expect(other.constructor).toBe(RpcError);
    expect(other.code).toBe(42);
    const junk = RpcError.from("not an object", "m");
    expect(junk).toBeInstanceOf(InternalRpcError);
    expect(junk.rpcMessage).toBe("(no message)");
  });

  it("redacts tokens in messages and data", () => {
    const error = RpcError.from({ code: -32002, message: `bad token ${GHP}`, data: { token: "secret-value", n: 1 } });
    expect(error.message).not.toContain(GHP);
    expect(error.rpcMessage).not.toContain(GHP);
    expect(error.data).toEqual({ token: "[REDACTED]", n: 1 });
    expect(error.toJSON()).toEqual({ code: -32002, message: error.rpcMessage, data: { token: "[REDACTED]", n: 1 } });
  });
});

describe("SdkError", () => {
  it("carries a code, cause and redacted details", () => {
    const cause = new Error("low level");
    const error = new SdkError("TIMEOUT", `took too long with Bearer abcdefghijklmnop`, { cause, details: { apiKey: "sk-abc", method: "x" } });
    expect(error.code).toBe("TIMEOUT");
    expect(error.cause).toBe(cause);
    expect(error.name).toBe("SdkError");
    expect(error.message).toBe("took too long with Bearer [REDACTED]");
    expect(error.details).toEqual({ apiKey: "[REDACTED]", method: "x" });
    expect(isSdkError(error)).toBe(true);
    expect(isSdkError(error, "TIMEOUT")).toBe(true);
    expect(isSdkError(error, "ABORTED")).toBe(false);
    expect(isSdkError(new Error("x"))).toBe(false);
    expect("cause" in new SdkError("ABORTED", "no cause")).toBe(false);
  });
});

describe("redact", () => {
  it("masks secret-named keys at any depth, keeps usage counts and non-secrets", () => {
    const input = {
      gitHubToken: "abc",
      provider: { type: "openai", apiKey: "x", bearerToken: "y", headers: { Authorization: "Bearer zzzzzzzzzzzz" } },
      connectionToken: "c",
      usage: { inputTokens: 12, outputTokens: 3, tokenLimit: 100 },
      list: [{ access_token: "t" }, { token: null }],
      sessionId: "s-1",
    };
    const out = redact(input);
    expect(out).toEqual({
      gitHubToken: "[REDACTED]",
      provider: { type: "openai", apiKey: "[REDACTED]", bearerToken: "[REDACTED]", headers: { Authorization: "[REDACTED]" } },
      connectionToken: "[REDACTED]",
      usage: { inputTokens: 12, outputTokens: 3, tokenLimit: 100 },
      list: [{ access_token: "[REDACTED]" }, { token: null }],
      sessionId: "s-1",
    });
    expect(input.gitHubToken).toBe("abc"); // input untouched
  });

  it("masks token-shaped substrings in strings", () => {
    expect(redactString(`a ${GHP} b`)).toBe("a ghp_[REDACTED] b");
    expect(redactString("gho_abcdefghij1234 ghu_abcdefghij1234 ghs_abcdefghij1234")).toBe("gho_[REDACTED] ghu_[REDACTED] ghs_[REDACTED]");
    expect(redactString("github_pat_11ABCDEFG0_abcdefghijklmnop")).toBe("github_pat_[REDACTED]");
    expect(redactString("Authorization: Bearer eyJhbGciOi.J9x-y_z")).toBe("Authorization: Bearer [REDACTED]");
    expect(redactString("key sk-proj-abcdefghijklmnopqrst")).toBe("key sk-[REDACTED]");
    expect(redactString("the token limit was reached; ghp_ alone")).toBe("the token limit was reached; ghp_ alone");
  });

  it("handles cycles and errors", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(redact(a)).toEqual({ name: "a", self: "[Circular]" });
    // Only a way back up is a cycle: an object reached twice side by side is copied twice.
    const shared = { token: "t0ps3cret", n: 1 };
    const deep: Record<string, unknown> = { list: [shared, shared], inner: { back: null as unknown } };
    (deep.inner as Record<string, unknown>).back = deep;
    expect(redact(deep)).toEqual({
      list: [
        { token: "[REDACTED]", n: 1 },
        { token: "[REDACTED]", n: 1 },
      ],
      inner: { back: "[Circular]" },
    });
    const e = redact(new Error(`x ${GHP}`));
    expect(e.message).toBe("x ghp_[REDACTED]");
  });
});

describe("instanceof across copies of the package", () => {
  it("an error from a second copy of errors.ts is instanceof this copy's classes (and only the right ones)", async () => {
    // A fresh module registry evaluates a second copy, like the `./node` bundle or a CJS build would.
    vi.resetModules();
    const copy = await import("../src/errors.js");
    expect(copy.SdkError).not.toBe(SdkError);
    const foreign = new copy.SdkError("TIMEOUT", "slow");
    expect(foreign).toBeInstanceOf(SdkError);
    expect(foreign).toBeInstanceOf(FlightdeckError);
    expect(foreign).not.toBeInstanceOf(RpcError);
    expect(isSdkError(foreign, "TIMEOUT")).toBe(true);
    const notFound = copy.RpcError.from({ code: -32601, message: "x" });
    expect(notFound).toBeInstanceOf(MethodNotFoundError);
    expect(notFound).toBeInstanceOf(RpcError);
    expect(notFound).not.toBeInstanceOf(InvalidParamsError);
    expect(notFound.name).toBe("MethodNotFoundError");
  });

  it("user subclasses keep ordinary instanceof semantics", () => {
    class MyError extends SdkError {}
    const mine = new MyError("VALIDATION", "mine");
    expect(mine).toBeInstanceOf(MyError);
    expect(mine).toBeInstanceOf(SdkError);
    expect(new SdkError("VALIDATION", "plain")).not.toBeInstanceOf(MyError);
    expect(new Error("x")).not.toBeInstanceOf(FlightdeckError);
    expect({ message: "x" }).not.toBeInstanceOf(SdkError);
  });
});
