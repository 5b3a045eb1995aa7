/**
 * The fleet example end to end: a throw-away PostgreSQL, two app processes with their own real
 * runtimes, the round-robin front. Killing either process (SIGKILL, runtime included) loses no
 * conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../src/fleet.js";

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
}, 60_000);
afterAll(async () => {
  await fleet?.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${fleet.url}${path}`, {
    method,
    ...(body !== undefined && { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("fleet", { timeout: 120_000 }, () => {
  it("serves a conversation across both processes; killing either one loses nothing", async () => {
    const created = await call("POST", "/sessions", { text: "hello" });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.reply).toBe('You said "hello" (message 1 of this conversation).');
    const id = created.json.sessionId as string;
    const hosts = new Set<string>([created.json.host as string]);
    const say = async (text: string, n: number) => {
      const r = await call("POST", `/sessions/${id}/messages`, { text });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.reply).toBe(`You said "${text}" (message ${n} of this conversation).`);
      hosts.add(r.json.host as string);
    };
    await say("how are you", 2);
    // Round robin: both processes drove the same conversation.
    expect(hosts.size).toBe(2);

    const [first] = fleet.apps();
    fleet.kill(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(first!.pid)).toBe(false);
    await say("still there?", 3);
    await say("good", 4);

    // Wait for the supervisor to bring app 1 back, then kill app 2.
    const deadline = Date.now() + 30_000;
    while (fleet.apps().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(fleet.apps()).toHaveLength(2);
    fleet.kill(1);
    await say("and now?", 5);

    // Killed mid-answer: the front replays the request on the other process, which takes the
    // session over when the dead one's lease expires (3 s) and answers it.
    while (fleet.apps().length < 2 && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 200));
    const slow = call("POST", `/sessions/${id}/messages`, { text: "answer slowly" });
    let driver: string | null = null;
    while (!driver) {
      driver = (await call("GET", `/sessions/${id}`)).json.drivenBy as string | null;
      if (!driver) await new Promise((r) => setTimeout(r, 100));
    }
    const victim = fleet.apps().findIndex((a) => a.hostId === driver);
    expect(victim).toBeGreaterThanOrEqual(0);
    fleet.kill(fleet.apps()[victim]!.hostId.startsWith("app-1") ? 0 : 1);
    const answered = await slow;
    expect(answered.status, JSON.stringify(answered.json)).toBe(200);
    expect(answered.json.reply).toBe('You said "answer slowly" (message 6 of this conversation).');
    expect(answered.json.host).not.toBe(driver);

    const history = await call("GET", `/sessions/${id}`);
    const messages = history.json.messages as Array<{ role: string; content: string }>;
    expect(messages.filter((m) => m.role === "user").map((m) => m.content.replace(/<current_datetime>.*?<\/current_datetime>\s*/s, "").trim())).toEqual([
      "hello",
      "how are you",
      "still there?",
      "good",
      "and now?",
      "answer slowly",
    ]);
    expect(messages.filter((m) => m.role === "assistant")).toHaveLength(6);
  });
});
