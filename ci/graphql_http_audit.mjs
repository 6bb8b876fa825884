// Runs the graphql-http server audits (GraphQL over HTTP spec conformance)
// against a running Moneta; exits non-zero on any error. Warnings and
// notices are printed; the README says why the remaining ones stay.
// Usage: node ci/graphql_http_audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const by = (status) => results.filter((r) => r.status === status);
for (const r of results.filter((r) => r.status !== 'ok')) {
  console.log(`${r.status.toUpperCase()} ${r.id} ${r.name}: ${r.reason}`);
}
console.log(
  `graphql-http audit: ${by('ok').length} ok, ${by('error').length} errors, ` +
    `${by('warn').length} warnings, ${by('notice').length} notices`,
);
process.exit(by('error').length === 0 ? 0 : 1);
