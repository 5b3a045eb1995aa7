/** Parsing of runtime URIs (`tcp://host:port`, `host:port`, `http://host:port`, a bare port). */
import { SdkError } from "./errors.js";

/** Where a runtime listens. */
export interface RuntimeAddress {
  host: string;
  port: number;
}

/**
 * Parses a runtime address. Accepts `tcp://host:port`, `http://host:port` (the runtime's TCP
 * port; the scheme is only a label), `host:port`, `[::1]:port` and a bare port (host 127.0.0.1).
 * Throws `SdkError("INVALID_OPTION")` naming the problem otherwise.
 *
 * @example parseRuntimeUri("tcp://127.0.0.1:3000") // → { host: "127.0.0.1", port: 3000 }
 */
export function parseRuntimeUri(uri: string): RuntimeAddress {
  const bad = (why: string) =>
    new SdkError(
      "INVALID_OPTION",
      `Invalid runtime URI ${JSON.stringify(uri)}: ${why}. Use "tcp://host:port", "host:port" or a port number, e.g. "tcp://127.0.0.1:3000".`,
    );
  if (typeof uri !== "string" || uri.trim() === "") throw bad("it is empty");
  const text = uri.trim();
  if (/^\d+$/.test(text)) return { host: "127.0.0.1", port: checkPort(text, bad) };

  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  let rest = text;
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== "tcp" && name !== "http") throw bad(`the scheme "${name}" is not supported (only tcp:// and http://)`);
    rest = text.slice(scheme[0].length);
    const slash = rest.indexOf("/");
    if (slash !== -1) {
      if (rest.slice(slash) !== "/") throw bad("a path is not allowed; give only host and port");
      rest = rest.slice(0, slash);
    }
  }
  if (rest.includes("@")) throw bad("credentials in the URI are not supported; pass the connection token as an option");

  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close === -1 || rest[close + 1] !== ":") throw bad("an IPv6 address must look like [::1]:port");
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon === -1) throw bad("the port is missing");
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(":")) throw bad("an IPv6 address must be in brackets, e.g. [::1]:3000");
  }
  if (host === "") throw bad("the host is missing");
  if (!/^[A-Za-z0-9.\-_:%]+$/.test(host)) throw bad(`the host "${host}" contains characters a host name cannot`);
  return { host, port: checkPort(portText, bad) };
}

function checkPort(text: string, bad: (why: string) => SdkError): number {
  if (!/^\d{1,5}$/.test(text)) throw bad(text === "" ? "the port is missing" : `the port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65_535) throw bad(`the port ${port} is out of range (1-65535)`);
  return port;
}
