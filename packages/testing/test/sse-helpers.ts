/** One server-sent event as the test sees it. */
export interface SseFrame {
  event: string | undefined;
  data: string;
}

/** Splits an SSE body into frames (blank-line separated `event:` / `data:` lines). */
export function parseSse(text: string): SseFrame[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      return { event, data: data.join("\n") };
    });
}

/** POSTs JSON and returns the response. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-secret-123", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Say hello" },
  ],
  ...extra,
});

export const responsesBody = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  instructions: "You are terse.",
  input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Say hello" }] }],
  ...extra,
});
