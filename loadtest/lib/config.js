// Settings of every scenario, read once from the environment (k6 `__ENV`).
// Every variable is described in loadtest/README.md.

function env(name, fallback) {
  const v = __ENV[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(name, fallback) {
  const raw = env(name, undefined);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not '${raw}'`);
  return n;
}

function num(name, fallback) {
  const raw = env(name, undefined);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not '${raw}'`);
  return n;
}

const base = env('MONETA_LOADTEST_URL', 'http://127.0.0.1:8000').replace(/\/+$/, '');

export const config = {
  baseUrl: base,
  graphqlUrl: `${base}/graphql`,
  // The server serves subscriptions on /graphql/ws (README, "HTTP surface").
  wsUrl: env('MONETA_LOADTEST_WS_URL', `${base.replace(/^http/, 'ws')}/graphql/ws`),
  // Seeded mode when set: users user{n}@seed.moneta.test, n = 1..N.
  seededUsers: int('MONETA_LOADTEST_USERS', 0),
  password: env('MONETA_LOADTEST_PASSWORD', 'moneta-seed-password'),
  userOffset: int('MONETA_LOADTEST_USER_OFFSET', 0),
  usersPerVu: Math.max(1, int('MONETA_LOADTEST_USERS_PER_VU', 5)),
  // Self-provisioning mode: users registered by setup().
  setupUsers: int('MONETA_LOADTEST_SETUP_USERS', 20),
  runId: env('MONETA_LOADTEST_RUN_ID', `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`),
  syncTimeoutS: int('MONETA_LOADTEST_SYNC_TIMEOUT', 240),
  duration: env('MONETA_LOADTEST_DURATION', '30s'),
  vus: Math.max(1, int('MONETA_LOADTEST_VUS', 10)),
  thinkS: Number(env('MONETA_LOADTEST_THINK', '0')),
  // Multiplies every latency threshold (e.g. 5 against a debug build).
  latencyScale: num('MONETA_LOADTEST_LATENCY_SCALE', 1),
  // One synthetic client address per VU in X-Forwarded-For, believed only
  // by a server started with MONETA_TRUSTED_PROXIES covering this machine.
  spreadClients: env('MONETA_LOADTEST_SPREAD_CLIENTS', '1') !== '0',
  // Seeded mode: setup() signs in every user the VUs will play (in
  // parallel batches) and hands each VU its users' tokens, so the load
  // phase measures no sign-in (loadtest/run's cost-curve passes).
  signInAtSetup: env('MONETA_LOADTEST_SIGN_IN_AT_SETUP', '0') !== '0',
  summaryPath: env('MONETA_LOADTEST_SUMMARY', ''),
  operationsPath: env('MONETA_LOADTEST_OPERATIONS', ''),
  verbose: env('MONETA_LOADTEST_VERBOSE', '0') !== '0',
};

export const seeded = config.seededUsers > 0;

export { env, int, num };

/// `duration` ("30s", "2m", "1m30s", "500ms") in milliseconds.
export function durationMs(text) {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let m;
  let matched = '';
  while ((m = re.exec(text)) !== null) {
    const v = Number(m[1]);
    total += v * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2]];
    matched += m[0];
  }
  if (matched !== text) throw new Error(`not a duration: '${text}'`);
  return total;
}
