import { describe, expect, it } from "vitest";
import { LazyAbortController, cancellationOf } from "@flightdeck/copilot-core/internal";

describe("LazyAbortController", () => {
  it("aborts like an AbortController: once, with the reason, listeners called once", () => {
    const c = new LazyAbortController();
    const seen: unknown[] = [];
    c.onAbort((r) => seen.push(r));
    expect(c.aborted).toBe(false);
    expect(c.reason).toBeUndefined();
    c.abort("first");
    c.abort("second");
    expect(c.aborted).toBe(true);
    expect(c.reason).toBe("first");
    expect(seen).toEqual(["first"]);
  });

  it("builds a signal on first read that reflects an earlier abort, and fires a signal read before the abort", () => {
    const before = new LazyAbortController();
    const signal = before.signal;
    expect(before.signal).toBe(signal);
    const fired: unknown[] = [];
    signal.addEventListener("abort", () => fired.push(signal.reason));
    before.abort("stop");
    expect(fired).toEqual(["stop"]);

    const after = new LazyAbortController();
    after.abort("late");
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe("late");
  });

  it("gives an AbortError DOMException as the reason when none is given, the same on the signal", () => {
    const c = new LazyAbortController();
    c.abort();
    expect(c.reason).toBeInstanceOf(DOMException);
    expect((c.reason as DOMException).name).toBe("AbortError");
    expect(c.signal.reason).toBe(c.reason);
  });

  it("removes a listener, and adds none once aborted (as addEventListener after the abort)", () => {
    const c = new LazyAbortController();
    const seen: string[] = [];
    const off = c.onAbort(() => seen.push("removed"));
    c.onAbort(() => seen.push("kept"));
    off();
    c.abort("x");
    c.onAbort(() => seen.push("too late"));
    expect(seen).toEqual(["kept"]);
  });

  it("cancellationOf wraps an AbortSignal", () => {
    const controller = new AbortController();
    const cancel = cancellationOf(controller.signal);
    const seen: unknown[] = [];
    const off = cancel.onAbort((r) => seen.push(r));
    const removed = cancel.onAbort(() => seen.push("removed"));
    removed();
    expect(cancel.signal).toBe(controller.signal);
    controller.abort("why");
    off();
    expect(cancel.aborted).toBe(true);
    expect(cancel.reason).toBe("why");
    expect(seen).toEqual(["why"]);
  });
});
