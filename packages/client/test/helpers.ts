/** The client tests' own fixture: a scriptable fake runtime executable (the shared harness is test-support/). */
import { fileURLToPath } from "node:url";

export const FAKE_RUNTIME = fileURLToPath(new URL("./faults/fake-runtime.mjs", import.meta.url));
