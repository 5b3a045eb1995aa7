/**
 * The one page of the browser chat: a form, a transcript, and a tiny inline script that follows
 * the server's event stream (`GET /events`) and posts prompts and permission decisions back.
 * Everything from the server is written with `textContent`, never as HTML.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flightdeck browser chat</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
  body { font: 15px/1.45 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
  h1 { font-size: 1.25rem; }
  #log { display: flex; flex-direction: column; gap: .5rem; margin-bottom: 1rem; }
  .user, .assistant { padding: .5rem .75rem; border-radius: .5rem; white-space: pre-wrap; }
  .user { background: #ddf4ff; align-self: flex-end; }
  .assistant { background: #f6f8fa; }
  .tool { font: 13px ui-monospace, monospace; color: #57606a; border-left: 3px solid #d0d7de; padding-left: .5rem; white-space: pre-wrap; }
  .tool.failed { border-color: #cf222e; }
  .permission-card { border: 1px solid #bf8700; background: #fff8c5; border-radius: .5rem; padding: .75rem; }
  .permission-card button { margin-right: .5rem; }
  .permission-card .outcome { font-weight: 600; margin-bottom: 0; }
  .permission-card.approved { border-color: #1a7f37; background: #dafbe1; }
  .permission-card.approved .outcome { color: #1a7f37; }
  .permission-card.approved .outcome::before { content: "✓ "; }
  .permission-card.denied, .permission-card.timed-out { border-color: #cf222e; background: #ffebe9; }
  .permission-card.denied .outcome, .permission-card.timed-out .outcome { color: #cf222e; }
  .permission-card.denied .outcome::before, .permission-card.timed-out .outcome::before { content: "✗ "; }
  .permission-card .tool-result { font: 13px ui-monospace, monospace; white-space: pre-wrap; border-top: 1px solid #d0d7de; margin-top: .5rem; padding-top: .5rem; }
  .status { color: #57606a; font-size: 13px; }
  .error { color: #cf222e; }
  form { display: flex; gap: .5rem; }
  #prompt { flex: 1; padding: .4rem; }
</style>
</head>
<body>
<h1>Flightdeck browser chat</h1>
<div id="log" aria-live="polite"></div>
<form id="chat">
  <input id="prompt" name="prompt" autocomplete="off" placeholder="Ask the agent…" aria-label="Prompt">
  <button id="send" type="submit">Send</button>
</form>
<p id="status" class="status">Connecting…</p>
<script>
const log = document.getElementById("log");
const status = document.getElementById("status");
const sendButton = document.getElementById("send");
const bubbles = new Map(); // messageId -> element, so deltas and the final message share a bubble
const cards = new Map();   // permission id -> card element
const tools = new Map();   // toolCallId -> element
const cardsByTool = new Map(); // toolCallId -> the permission card that decided it

function add(className, text) {
  const el = document.createElement("div");
  el.className = className;
  el.textContent = text;
  log.appendChild(el);
  el.scrollIntoView({ block: "end" });
  return el;
}
function bubble(id) {
  let el = bubbles.get(id);
  if (!el) { el = add("assistant", ""); el.dataset.messageId = id; bubbles.set(id, el); }
  return el;
}
async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) add("error", (await response.json().catch(() => ({}))).error || response.statusText);
  return response.ok;
}

const events = new EventSource("/events");
events.onopen = () => { status.textContent = "Connected."; };
events.onerror = () => { status.textContent = "Disconnected; retrying…"; };
const on = (type, handle) => events.addEventListener(type, (e) => handle(JSON.parse(e.data)));
on("delta", (d) => { bubble(d.messageId).textContent += d.text; });
on("message", (d) => { if (d.content) bubble(d.messageId).textContent = d.content; });
on("tool-start", (d) => {
  const el = add("tool", "tool " + d.toolName + " " + JSON.stringify(d.arguments ?? {}) + " …");
  el.dataset.toolName = d.toolName;
  tools.set(d.toolCallId, el);
});
on("tool-complete", (d) => {
  const text = d.success ? "→ " + d.result : "✗ " + d.error;
  const card = cardsByTool.get(d.toolCallId);
  if (card) {
    // Under the approval that let it run (or the denial that stopped it).
    const result = document.createElement("div");
    result.className = "tool-result" + (d.success ? "" : " failed");
    result.textContent = text;
    card.appendChild(result);
  } else {
    const el = tools.get(d.toolCallId) || add("tool", "tool " + d.toolName);
    el.textContent += "\\n" + text;
  }
  const line = tools.get(d.toolCallId);
  if (line && !d.success) line.classList.add("failed");
});
on("permission", (d) => {
  if (cards.has(d.id)) return; // replayed on reconnect
  const card = add("permission-card", "");
  card.dataset.permissionId = d.id;
  const what = document.createElement("p");
  what.textContent = "The agent asks to " + d.summary;
  const detail = document.createElement("pre");
  detail.textContent = d.detail;
  const approve = document.createElement("button");
  approve.textContent = "Approve";
  const deny = document.createElement("button");
  deny.textContent = "Deny";
  const decide = async (decision) => {
    approve.disabled = deny.disabled = true;
    if (!(await post("/permission", { id: d.id, decision }))) approve.disabled = deny.disabled = false;
  };
  approve.onclick = () => decide("approve");
  deny.onclick = () => decide("deny");
  card.append(what, detail, approve, deny);
  cards.set(d.id, card);
  if (d.toolCallId) cardsByTool.set(d.toolCallId, card);
});
on("permission-resolved", (d) => {
  const card = cards.get(d.id);
  if (!card) return;
  card.querySelectorAll("button").forEach((b) => b.remove());
  const outcome = document.createElement("p");
  outcome.className = "outcome";
  outcome.textContent = d.outcome === "approved" ? "Approved" : d.outcome === "denied" ? "Denied" : "Timed out: rejected";
  card.classList.add(d.outcome); // approved | denied | timed-out: each looks different
  card.appendChild(outcome);
});
on("busy", (d) => { sendButton.disabled = d.busy; status.textContent = d.busy ? "The agent is working…" : "Ready."; });
on("agent-error", (d) => { add("error", d.message); });

document.getElementById("chat").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = document.getElementById("prompt");
  const prompt = input.value.trim();
  if (!prompt) return;
  add("user", prompt);
  input.value = "";
  await post("/chat", { prompt });
});
</script>
</body>
</html>
`;
