// Client-level calls: ping, getStatus, getAuthStatus, state after stop.
import assert from "node:assert/strict";
import { CopilotClient } from "@github/copilot-sdk";

const client = new CopilotClient();
await client.start();
const pong = await client.ping("hello");
assert.equal(pong.message.includes("hello"), true);
const status = await client.getStatus();
assert.equal(typeof status.version, "string");
assert.equal(typeof status.protocolVersion, "number");
const auth = await client.getAuthStatus();
assert.equal(auth.isAuthenticated, false);
const errors = await client.stop();
assert.deepEqual(errors, []);
