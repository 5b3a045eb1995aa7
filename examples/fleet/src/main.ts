/**
 * `pnpm --filter @flightdeck/example-fleet start`: the fleet on this machine. Uses DATABASE_URL
 * when set, else starts a throw-away PostgreSQL from the local installation.
 */
import { startFleet } from "./fleet.js";

const fleet = await startFleet({ port: Number(process.env.PORT ?? 0), ...(process.env.DATABASE_URL && { databaseUrl: process.env.DATABASE_URL }) });
console.log(
  `Fleet: front on ${fleet.url}, app processes ${fleet
    .apps()
    .map((a) => `${a.hostId} (pid ${a.pid})`)
    .join(", ")}`,
);
console.log(`  curl -s -X POST ${fleet.url}/sessions -d '{"text":"hello"}'`);
console.log(`  curl -s -X POST ${fleet.url}/sessions/<id>/messages -d '{"text":"hello"}'`);
console.log(`  curl -s ${fleet.url}/sessions/<id>`);
console.log("Kill either app process (kill -9 <pid>): the conversation carries on. Ctrl-C stops everything.");
const stop = async () => {
  await fleet.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
