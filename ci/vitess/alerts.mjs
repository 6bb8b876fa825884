// Live budget alerts, as a client receives them: one graphql-transport-ws
// socket per user on moneta's /graphql/ws (graphql-ws over ws, the
// packages of ci/package.json), each subscribed to `budgetAlerts`.
//
//   node ci/vitess/alerts.mjs WS_URL USERS_FILE READY_FILE OUT_FILE [TIMEOUT_S]
//
// USERS_FILE: "email token" lines (ci/vitess/e2e.sh's users.txt). Once every
// socket is acknowledged and subscribed it writes READY_FILE; then it
// appends "email category month kind" to OUT_FILE for each alert pushed,
// and exits 0 when every user has received one, 1 (naming who did not)
// when TIMEOUT_S (default 180) passes first, 2 on a socket or GraphQL error.
import { readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, usersFile, readyFile, outFile, timeoutS = "180"] = process.argv.slice(2);
if (!url || !usersFile || !readyFile || !outFile) {
  console.error("usage: alerts.mjs WS_URL USERS_FILE READY_FILE OUT_FILE [TIMEOUT_S]");
  process.exit(64);
}
const users = readFileSync(usersFile, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => {
    const [email, token] = l.trim().split(/\s+/);
    return { email, token };
  });
const ALERTS = `subscription { budgetAlerts {
  notification { id kind } category month budgeted spent } }`;

const waiting = new Set(users.map((u) => u.email));
const clients = [];
const fail = (why) => {
  console.error(`alerts: ${why}`);
  clients.forEach((c) => c.dispose());
  process.exit(2);
};

await Promise.all(
  users.map(
    ({ email, token }) =>
      new Promise((resolve) => {
        const client = createClient({
          url,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${token}` },
          lazy: false,
          retryAttempts: 0,
          on: {
            connected: () => resolve(),
            closed: (event) => {
              if (waiting.has(email)) fail(`socket of ${email} closed: ${event?.code} ${event?.reason}`);
            },
            error: (error) => fail(`socket of ${email}: ${error?.message ?? error}`),
          },
        });
        clients.push(client);
        client.subscribe(
          { query: ALERTS },
          {
            next: ({ data, errors }) => {
              if (errors) fail(`budgetAlerts of ${email}: ${JSON.stringify(errors)}`);
              const a = data.budgetAlerts;
              appendFileSync(outFile, `${email} ${a.category} ${a.month} ${a.notification.kind}\n`);
              waiting.delete(email);
              if (waiting.size === 0) {
                clients.forEach((c) => c.dispose());
                process.exit(0);
              }
            },
            error: (error) => fail(`budgetAlerts of ${email}: ${JSON.stringify(error)}`),
            complete: () => {},
          },
        );
      }),
  ),
);
writeFileSync(readyFile, `${users.length}\n`);
setTimeout(() => {
  console.error(`alerts: no live alert within ${timeoutS} s for: ${[...waiting].join(" ")}`);
  clients.forEach((c) => c.dispose());
  process.exit(1);
}, Number(timeoutS) * 1000);
