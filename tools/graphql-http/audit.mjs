// Prints graphql-http's server audit results for the GraphQL endpoint given as the argument,
// one JSON array: [{id, name, status, reason?}]. Exits 2 when the audits cannot run.
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs http://host:port/graphql");
  process.exit(2);
}

const results = await auditServer({ url });
const summary = await Promise.all(
  results.map(async (result) => ({
    id: result.id,
    name: result.name,
    status: result.status,
    ...(result.status === "ok" ? {} : { reason: result.reason, response: await describe(result.response) }),
  })),
);
console.log(JSON.stringify(summary));

async function describe(response) {
  if (!response) return null;
  try {
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: response.status };
  }
}
