/**
 * `flightdeck-postgres`: the store's command line.
 *
 *   flightdeck-postgres migrate [--schema NAME] [--url-env VAR]   create or upgrade the tables
 *   flightdeck-postgres print-schema [--schema NAME]              print the SQL without running it
 *
 * The connection string is read from the environment (`DATABASE_URL`, or the variable named by
 * `--url-env`), never from argv, so it stays out of shell history and process listings.
 */
import { PostgresStoreError } from "./errors.js";
import { SCHEMA_VERSION, migrate, schemaStatements } from "./migrate.js";

const USAGE = `Usage:
  flightdeck-postgres migrate [--schema NAME] [--url-env VAR]   create or upgrade the tables (connection string from $DATABASE_URL)
  flightdeck-postgres print-schema [--schema NAME]              print the SQL of schema version ${SCHEMA_VERSION}`;

function fail(message: string, code = 2): never {
  process.stderr.write(`flightdeck-postgres: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let schema: string | undefined;
  let urlEnv = "DATABASE_URL";
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = rest[i + 1];
    if (arg === "--schema" && value) (schema = value), i++;
    else if (arg === "--url-env" && value) (urlEnv = value), i++;
    else if (/^postgres(ql)?:\/\//i.test(arg))
      fail("do not pass the connection string on the command line (it would show in process listings); set DATABASE_URL (or --url-env VAR) instead.");
    else fail(`unknown argument ${JSON.stringify(arg)}.\n${USAGE}`);
  }
  if (command === "print-schema") {
    process.stdout.write(`${schemaStatements(schema ?? "flightdeck").join(";\n\n")};\n`);
    return;
  }
  if (command !== "migrate")
    fail(command === undefined || command === "--help" ? USAGE : `unknown command ${JSON.stringify(command)}.\n${USAGE}`, command === "--help" ? 0 : 2);
  const connectionString = process.env[urlEnv];
  if (!connectionString) fail(`${urlEnv} is not set: export ${urlEnv}=postgres://user:password@host:5432/database and run again.`);
  try {
    const result = await migrate({ connectionString, ...(schema !== undefined && { schema }) });
    process.stdout.write(
      result.from === result.to
        ? `schema "${result.schema}" is already at version ${result.to}; nothing to do\n`
        : `schema "${result.schema}" migrated from version ${result.from} to ${result.to}\n`,
    );
  } catch (error) {
    if (error instanceof PostgresStoreError) fail(`${error.code}: ${error.message}`, 1);
    throw error;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error), 1));
