// Many live `budgetAlerts` subscribers on one API process: memory per
// socket, and the fan-out latency of an alert from its commit to its
// arrival on every socket of its user (goal: p99 < 1 s at 10,000 sockets).
//
//   npm ci --prefix loadtest
//   node loadtest/subscribers.mjs --url http://127.0.0.1:PORT --api-pid PID \
//     [--sockets 10000] [--users U] [--rounds 5] [--out FILE.json]
//
// What it does (loadtest/SUBSCRIBERS.md has the figures):
//  1. registers U fresh users (each from its own X-Forwarded-For address:
//     start the server with MONETA_TRUSTED_PROXIES=127.0.0.1), links one
//     sandbox account each and waits until every account is ACTIVE;
//  2. reads the API process's RSS (/proc/PID/status VmRSS), then opens N
//     graphql-transport-ws sockets on /graphql/ws (graphql-ws + ws, the
//     versions of ci/package.json), N/U per user, `--batch` at a time, each
//     subscribed to `budgetAlerts`; waits until /metrics shows N more
//     `websocket_connections_active` and `graphql_subscriptions_active`,
//     lets it settle, reads the RSS again: bytes per socket = ΔRSS / N;
//  3. R rounds: each user makes one `setBudget` that crosses a budget level
//     (APPROACHING, then EXCEEDED, of a category with spending this month;
//     when a user has none left, an untimed preparation first gives an
//     empty category a high budget and moves one of this month's
//     transactions into it). The writes of a round go out together
//     (`--concurrency`, default all U at once; a comma list is taken
//     round by round, e.g. 0,0,0,4,4,4: bursts, then paced writes): the
//     alert of each must
//     arrive on each of its user's N/U sockets. Latency per delivery is
//     measured four ways, all on this host's clock (the server's too):
//      - from the write's request sent (upper bound of commit → arrival);
//      - from its response received (lower bound: the server publishes
//        before it answers, so this is mostly negative);
//      - from the notification's `createdAt`: the clock read when the
//        write's follow-up began (before recomputing the month's spending,
//        evaluating the budget and storing the alert): an upper bound that
//        includes that database work;
//      - from the notification row id's mint time: ids are time-ordered
//        (core/src/ids/generator.rs: ms since 2026-01-01 in bits 22..63)
//        and minted just before the INSERT that stores the alert (an
//        autocommit; the publish follows it): the closest to "commit →
//        arrival" (ms precision; it still includes the INSERT's own wait
//        for the SQLite write lock). This decodes the opaque GraphQL id
//        (base64url "Notification:<row id>", api/src/graphql/ids.rs);
//  4. closes every socket; writes the JSON report (`--out`) and a summary.
//
// The server caps running operations per user at 50 per replica
// (api/src/http/ws/caps.rs): more than 50 sockets per user are refused
// with RATE_LIMITED, so U defaults to max(100, ceil(N / 50)).
//
// Exit status: 0 when every socket opened and every expected alert
// arrived on every socket; 1 when some did not (the report says which);
// 2 when the set-up failed; 64 on bad arguments.
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

// --- arguments --------------------------------------------------------------

const PER_USER_CAP = 50; // MAX_OPERATIONS_PER_USER, api/src/http/ws/caps.rs

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.MONETA_URL || 'http://127.0.0.1:8000' },
    sockets: { type: 'string', short: 'n', default: process.env.SUBS_SOCKETS || '10000' },
    users: { type: 'string', short: 'u', default: process.env.SUBS_USERS || '' },
    rounds: { type: 'string', short: 'r', default: process.env.SUBS_ROUNDS || '5' },
    out: { type: 'string', short: 'o', default: process.env.SUBS_OUT || '' },
    'api-pid': { type: 'string', default: process.env.SUBS_API_PID || '' },
    batch: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '0' },
    'setup-concurrency': { type: 'string', default: '4' },
    settle: { type: 'string', default: '5' },
    'round-gap': { type: 'string', default: '2' },
    'alert-timeout': { type: 'string', default: '30' },
    'sync-timeout': { type: 'string', default: '600' },
    'open-timeout': { type: 'string', default: '60' },
    password: { type: 'string', default: 'subscribers-load-password' },
    'run-id': { type: 'string', default: '' },
    'over-cap': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

function usage(code) {
  (code ? console.error : console.log)(`usage: node loadtest/subscribers.mjs --url http://HOST:PORT --api-pid PID [options]
  -n, --sockets N          live sockets to open (10000)
  -u, --users U            users they belong to, N/U sockets each (max(100, ceil(N/${PER_USER_CAP}))):
                           the server runs at most ${PER_USER_CAP} operations per user per replica
  -r, --rounds R           alert rounds: one budget crossing per user each (5)
  -o, --out FILE           JSON report (subscribers-<run id>.json)
      --api-pid PID        the API process, for its RSS (/proc/PID/status)
      --batch B            sockets opened at once (200)
      --concurrency C      writes of a round in flight at once (0: all U); a comma
                           list applies round by round (the last one repeats)
      --settle S           seconds between the last socket and the RSS reading (5)
      --round-gap S        seconds between rounds (2)
      --alert-timeout S    how long a round waits for its deliveries (30)
      --over-cap           allow N/U > ${PER_USER_CAP} (to see the refusals)`);
  process.exit(code);
}
if (args.help) usage(0);

function int(name, min = 0) {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(args[name])}`);
    usage(64);
  }
  return v;
}

const N = int('sockets', 1);
const U = args.users === '' ? Math.min(N, Math.max(100, Math.ceil(N / PER_USER_CAP))) : int('users', 1);
const R = int('rounds', 0);
const BATCH = int('batch', 1);
const CONCURRENCIES = args.concurrency.split(',').map((c) => {
  const v = Number(c);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--concurrency: expected integers ≥ 0, got ${JSON.stringify(args.concurrency)}`);
    usage(64);
  }
  return v || U;
});
const concurrencyOf = (round) => CONCURRENCIES[Math.min(round, CONCURRENCIES.length) - 1];
const SETUP_CONCURRENCY = int('setup-concurrency', 1);
const SETTLE_MS = int('settle') * 1000;
const ROUND_GAP_MS = int('round-gap') * 1000;
const ALERT_TIMEOUT_MS = int('alert-timeout', 1) * 1000;
const SYNC_TIMEOUT_MS = int('sync-timeout', 1) * 1000;
const OPEN_TIMEOUT_MS = int('open-timeout', 1) * 1000;
const API_PID = args['api-pid'] === '' ? null : int('api-pid', 1);
const RUN_ID = args['run-id'] || Date.now().toString(36);
const OUT = args.out || `subscribers-${RUN_ID}.json`;
const BASE = args.url.replace(/\/+$/, '');
const HTTP_URL = `${BASE}/graphql`;
const WS_URL = `${BASE.replace(/^http/, 'ws')}/graphql/ws`;
const METRICS_URL = `${BASE}/metrics`;

if (U > N) {
  console.error(`--users ${U} > --sockets ${N}: every user needs a socket`);
  process.exit(64);
}
const MAX_PER_USER = Math.ceil(N / U);
if (MAX_PER_USER > PER_USER_CAP && !args['over-cap']) {
  console.error(`${N} sockets over ${U} users is up to ${MAX_PER_USER} per user; the server runs at most ` +
    `${PER_USER_CAP} operations per user per replica (RATE_LIMITED beyond): use --users ≥ ${Math.ceil(N / PER_USER_CAP)}, ` +
    'or --over-cap to see the refusals');
  process.exit(64);
}
if (API_PID === null) console.warn('no --api-pid: the server\'s memory is not measured');

// --- small helpers ------------------------------------------------------------

/// Wall-clock milliseconds with sub-millisecond resolution.
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

class SetupError extends Error {}

/// Runs fn over items, at most n at once; results in order.
async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function stats(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return { count: 0 };
  const round = (v) => Math.round(v * 100) / 100;
  return {
    count: s.length,
    min: round(s[0]),
    p50: round(percentile(s, 50)),
    p90: round(percentile(s, 90)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

const fmt = (v) => (v === null || v === undefined ? '–' : `${Math.round(v)} ms`);

function cents(decimal) {
  const text = String(decimal).trim();
  const neg = text.startsWith('-');
  const [whole, frac = ''] = text.replace('-', '').split('.');
  const c = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  return neg ? -c : c;
}

function money(c) {
  const abs = Math.abs(Math.round(c));
  return `${c < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/// RFC 3339 to wall-clock ms, keeping sub-millisecond digits.
function parseTime(text) {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return Date.parse(text);
  return Date.parse(`${m[1]}${m[3]}`) + (m[2] ? Number(`0${m[2]}`) * 1000 : 0);
}

/// When the row id of a notification was minted (wall-clock ms), from
/// its GraphQL id; null if it is not one.
const ID_EPOCH_MS = 1_767_225_600_000n; // core/src/ids/generator.rs EPOCH_MS
function mintedAt(globalId) {
  try {
    const raw = Buffer.from(globalId, 'base64url').toString('utf8');
    const m = /^Notification:(\d+)$/.exec(raw);
    return m ? Number((BigInt(m[1]) >> 22n) + ID_EPOCH_MS) : null;
  } catch {
    return null;
  }
}

function currentMonth() {
  const d = new Date();
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const SPENDING_CATEGORIES = [
  'HOUSING', 'FOOD', 'GAS', 'SHOPPING', 'UTILITIES',
  'TRANSPORTATION', 'HEALTH', 'ENTERTAINMENT', 'TRAVEL', 'PERSONAL_CARE',
];
const LEVELS = ['BUDGET_APPROACHING', 'BUDGET_EXCEEDED'];

/// A synthetic client address per user (register: 20 an hour per address).
function clientIp(n) {
  const s = (n % 0xfffffe) + 1;
  return `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`;
}
const IP_SALT = [...RUN_ID].reduce((h, c) => (Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0), 2166136261) % 200;

// --- GraphQL over HTTP -----------------------------------------------------------

const DOCS = {
  // contract/operations.graphql
  Register: `mutation Register($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken expiresAt user { id email } userErrors { field message code } } }`,
  Refresh: `mutation Refresh($input: RefreshTokenInput!) {
  refreshToken(input: $input) { accessToken refreshToken expiresAt userErrors { code message } } }`,
  LinkAccount: `mutation LinkAccount($input: LinkAccountInput!) {
  linkAccount(input: $input) { account { id institution displayName status } userErrors { field message code } } }`,
  SetBudget: `mutation SetBudget($input: SetBudgetInput!) {
  setBudget(input: $input) { budget { month categories { category budgeted spent remaining source status } } userErrors { field message code } } }`,
  Recategorize: `mutation Recategorize($input: SetTransactionCategoryInput!) {
  setTransactionCategory(input: $input) { transaction { id category categorySource } userErrors { field message code } } }`,
  // this tool's own reads
  SyncStatus: 'query SyncStatus { accounts { id status } }',
  Budget: `query Budget($month: Month!) {
  budget(month: $month) { month categories { category budgeted spent source status } } }`,
  Notifications: `query Notifications($first: Int!, $after: String) {
  notifications(first: $first, after: $after) {
    edges { node { id kind category month createdAt } } pageInfo { hasNextPage endCursor } } }`,
  MonthTransactions: `query MonthTransactions($month: Month!, $after: String) {
  transactions(first: 100, after: $after, filter: { month: $month }) {
    edges { node { id amount pending category } } pageInfo { hasNextPage endCursor } } }`,
};
// contract/operations.graphql, BudgetAlerts
const BUDGET_ALERTS = `subscription BudgetAlerts {
  budgetAlerts {
    category month budgeted spent
    notification { id kind message createdAt }
  }
}`;

const httpErrors = {};
function countError(op, code) {
  const key = `${op}: ${code}`;
  httpErrors[key] = (httpErrors[key] || 0) + 1;
}

/// One operation: { data, payload, sentAt, respAt }; throws on transport,
/// GraphQL or user errors (named after the operation).
async function gql(op, variables, { token, ip, payload } = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (ip) headers['x-forwarded-for'] = ip;
  const body = JSON.stringify({ query: DOCS[op], operationName: op, variables });
  const sentAt = now();
  let res;
  let text;
  try {
    res = await fetch(HTTP_URL, { method: 'POST', headers, body, signal: AbortSignal.timeout(120_000) });
    text = await res.text();
  } catch (e) {
    countError(op, e.name === 'TimeoutError' ? 'timeout' : 'transport');
    throw new Error(`${op}: ${e.cause?.code || e.message}`);
  }
  const respAt = now();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    countError(op, `HTTP ${res.status}`);
    throw new Error(`${op}: HTTP ${res.status} ${text.slice(0, 200)}`);
  }
  if (json.errors?.length) {
    for (const e of json.errors) countError(op, e.extensions?.code || 'NONE');
    const err = new Error(`${op}: ${json.errors.map((e) => `${e.extensions?.code || ''} ${e.message}`).join('; ')}`);
    err.codes = json.errors.map((e) => e.extensions?.code);
    throw err;
  }
  const p = payload ? json.data?.[payload] : null;
  if (payload && (!p || p.userErrors?.length)) {
    countError(op, 'userErrors');
    throw new Error(`${op}: ${JSON.stringify(p?.userErrors ?? json.data)}`);
  }
  return { data: json.data, payload: p, sentAt, respAt };
}

async function metrics() {
  const text = await (await fetch(METRICS_URL, { signal: AbortSignal.timeout(30_000) })).text();
  const value = (name) => {
    const m = new RegExp(`^moneta_${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    websocket_connections_active: value('websocket_connections_active'),
    graphql_subscriptions_active: value('graphql_subscriptions_active'),
  };
}

function rss(pid = API_PID) {
  if (pid === null) return null;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number((new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status) || [])[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]) };
}

const mib = (b) => (b === null || b === undefined ? '–' : `${(b / 1048576).toFixed(1)} MiB`);

// --- users ----------------------------------------------------------------------

const MONTH = currentMonth();

class User {
  constructor(i) {
    this.i = i;
    this.email = `subs-${RUN_ID}-${i + 1}@loadtest.moneta.test`;
    this.ip = clientIp(0xc00000 + IP_SALT * 4096 + i);
    this.token = null;
    this.refreshToken = null;
    this.lines = {}; // category -> { budgeted, spent, source, status } (cents)
    this.fired = new Set(); // "CATEGORY|KIND" alerted this month
    this.monthTxs = null;
    this.moved = new Set();
    this.sockets = []; // Socket
    this.expectation = null; // the alert this round waits for
  }

  call(op, variables, opts = {}) {
    return gql(op, variables, { token: this.token, ip: this.ip, ...opts });
  }

  setLines(categories) {
    for (const l of categories) {
      this.lines[l.category] = {
        budgeted: cents(l.budgeted), spent: cents(l.spent), source: l.source, status: l.status,
      };
    }
  }

  async loadState() {
    const b = await this.call('Budget', { month: MONTH });
    this.setLines(b.data.budget.categories);
    let after = null;
    for (let page = 0; page < 20; page++) {
      const r = await this.call('Notifications', { first: 100, after });
      const conn = r.data.notifications;
      for (const { node } of conn.edges) {
        if (node.month === MONTH && node.category && LEVELS.includes(node.kind)) this.fired.add(`${node.category}|${node.kind}`);
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
  }

  /// The next write that crosses a level not alerted yet, or null.
  plan() {
    for (const c of SPENDING_CATEGORIES) {
      const l = this.lines[c];
      if (!l || l.spent <= 0) continue;
      if (!this.fired.has(`${c}|BUDGET_APPROACHING`)) {
        // 80 % ≤ spent / budget < 100 %: about 90 % used.
        let b = Math.round(l.spent / 0.9);
        while (b > l.spent && l.spent * 100 < b * 80) b--;
        if (b <= l.spent) continue; // too little spending for a whole-cent budget between
        return { category: c, amount: money(b), kind: 'BUDGET_APPROACHING', status: 'APPROACHING' };
      }
      if (!this.fired.has(`${c}|BUDGET_EXCEEDED`) && l.spent >= 2) {
        return { category: c, amount: money(Math.floor(l.spent / 2)), kind: 'BUDGET_EXCEEDED', status: 'EXCEEDED' };
      }
    }
    return null;
  }

  /// Untimed preparation when plan() has nothing: an empty category with
  /// no alert yet gets a budget 10× a transaction of this month, then
  /// that transaction moves into it (10 % used: no alert), which leaves
  /// two levels to cross. Returns false when nothing can be moved.
  async prepare() {
    if (this.monthTxs === null) {
      this.monthTxs = [];
      let after = null;
      for (let page = 0; page < 10; page++) {
        const r = await this.call('MonthTransactions', { month: MONTH, after });
        const conn = r.data.transactions;
        this.monthTxs.push(...conn.edges.map((e) => ({ ...e.node, cents: cents(e.node.amount) })));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
    }
    const targets = SPENDING_CATEGORIES.filter((c) => {
      const l = this.lines[c];
      return l && l.spent === 0 && !this.fired.has(`${c}|BUDGET_APPROACHING`) && !this.fired.has(`${c}|BUDGET_EXCEEDED`);
    });
    const candidates = this.monthTxs
      .filter((t) => !this.moved.has(t.id) && t.cents >= 100 && SPENDING_CATEGORIES.includes(t.category))
      .sort((a, b) => (a.pending - b.pending) || (b.cents - a.cents));
    for (const target of targets) {
      const tx = candidates.find((t) => t.category !== target);
      if (!tx) break;
      const budget = await this.call('SetBudget', { input: { category: target, amount: money(tx.cents * 10) } }, { payload: 'setBudget' });
      this.setLines(budget.payload.budget.categories);
      this.moved.add(tx.id);
      await this.call('Recategorize', { input: { transactionId: tx.id, category: target } }, { payload: 'setTransactionCategory' });
      tx.category = target;
      const b = await this.call('Budget', { month: MONTH });
      this.setLines(b.data.budget.categories);
      return true;
    }
    return false;
  }
}

async function provision() {
  const users = Array.from({ length: U }, (_, i) => new User(i));
  const started = now();
  let done = 0;
  await pool(users, SETUP_CONCURRENCY, async (u) => {
    let r;
    try {
      r = await gql('Register', { input: { email: u.email, password: args.password } }, { ip: u.ip, payload: 'register' });
    } catch (e) {
      if (e.codes?.includes('RATE_LIMITED')) {
        throw new SetupError('register is RATE_LIMITED (20 an hour per client address): start the server with ' +
          'MONETA_TRUSTED_PROXIES=127.0.0.1 so that the X-Forwarded-For addresses count');
      }
      throw e;
    }
    u.token = r.payload.accessToken;
    u.refreshToken = r.payload.refreshToken;
    await u.call('LinkAccount', { input: { institution: 'sandbox', login: `subs-${u.i + 1}`, password: 'pass_good' } },
      { payload: 'linkAccount' });
    if (++done % 50 === 0) log(`  ${done}/${U} registered and linked`);
  });
  const registered = now();
  log(`${U} users registered and linked in ${((registered - started) / 1000).toFixed(1)} s; waiting for their first sync`);
  let waiting = users;
  const deadline = now() + SYNC_TIMEOUT_MS;
  while (waiting.length) {
    const statuses = await pool(waiting, 8, async (u) => (await u.call('SyncStatus', {})).data.accounts.map((a) => a.status));
    const bad = waiting.filter((u, k) => statuses[k].some((s) => s === 'ERROR' || s === 'LOGIN_REQUIRED'));
    if (bad.length) throw new SetupError(`${bad.length} sandbox accounts failed to sync (${bad[0].email})`);
    waiting = waiting.filter((u, k) => !statuses[k].length || !statuses[k].every((s) => s === 'ACTIVE'));
    if (!waiting.length) break;
    if (now() > deadline) throw new SetupError(`${waiting.length} of ${U} accounts not ACTIVE after ${SYNC_TIMEOUT_MS / 1000} s`);
    await sleep(2000);
  }
  const synced = now();
  log(`all ${U} accounts ACTIVE in ${((synced - registered) / 1000).toFixed(1)} s`);
  await pool(users, 8, (u) => u.loadState());
  return { users, registerS: (registered - started) / 1000, syncS: (synced - registered) / 1000 };
}

/// Fresh access tokens (15 minutes) just before the sockets open: a
/// socket closes 4401 when its token expires.
async function refreshTokens(users) {
  await pool(users, 8, async (u) => {
    const r = await u.call('Refresh', { input: { refreshToken: u.refreshToken } }, { payload: 'refreshToken' });
    u.token = r.payload.accessToken;
    u.refreshToken = r.payload.refreshToken;
  });
}

// --- sockets ----------------------------------------------------------------------

const socketStats = {
  opened: 0, // acknowledged (connection_ack)
  failedToOpen: 0,
  closedUnexpectedly: 0,
  closeCodes: {}, // code -> count, closes we did not ask for
  openErrors: {}, // message -> count
  subscriptionErrors: {}, // message -> count
  subscriptionsCompleted: 0,
};
const unexpectedAlerts = [];
let closing = false;

function bump(map, key) {
  map[key] = (map[key] || 0) + 1;
}

class Socket {
  constructor(k, user) {
    this.k = k;
    this.user = user;
    this.acked = false;
    this.closed = false;
    this.closeCode = null;
    this.client = null;
  }

  open() {
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(ok);
        }
      };
      const timer = setTimeout(() => {
        bump(socketStats.openErrors, `no connection_ack within ${OPEN_TIMEOUT_MS / 1000} s`);
        done(false);
      }, OPEN_TIMEOUT_MS);
      this.client = createClient({
        url: WS_URL,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${this.user.token}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => {}, // counted in `closed` / `error` below
        on: {
          connected: () => {
            this.acked = true;
            socketStats.opened++;
            done(true);
          },
          error: (e) => {
            if (!this.acked && !closing) bump(socketStats.openErrors, String(e?.message || e?.code || e));
          },
          closed: (event) => {
            this.closed = true;
            this.closeCode = event?.code ?? null;
            if (closing) return;
            bump(socketStats.closeCodes, `${event?.code ?? '?'}${event?.reason ? ` ${event.reason}` : ''}`);
            if (this.acked) socketStats.closedUnexpectedly++;
            done(false);
          },
        },
      });
      this.client.subscribe({ query: BUDGET_ALERTS, operationName: 'BudgetAlerts' }, {
        next: (result) => this.onNext(result, now()),
        error: (e) => {
          if (closing) return;
          const text = Array.isArray(e)
            ? e.map((x) => `${x.extensions?.code || ''} ${x.message}`).join('; ')
            : String(e?.code ? `socket closed ${e.code}` : e?.message || e);
          bump(socketStats.subscriptionErrors, text);
        },
        complete: () => {
          if (!closing) socketStats.subscriptionsCompleted++;
        },
      });
    });
  }

  onNext({ data, errors }, at) {
    if (errors?.length) {
      bump(socketStats.subscriptionErrors, errors.map((x) => `${x.extensions?.code || ''} ${x.message}`).join('; '));
      return;
    }
    const a = data?.budgetAlerts;
    const exp = this.user.expectation;
    const key = a ? `${a.category}|${a.notification.kind}` : '?';
    if (!a || !exp || exp.key !== key || a.month !== MONTH || exp.arrivals.has(this.k)) {
      if (unexpectedAlerts.length < 1000) unexpectedAlerts.push({ user: this.user.i, socket: this.k, key, month: a?.month, at });
      return;
    }
    exp.arrivals.set(this.k, at);
    exp.notificationId = a.notification.id;
    exp.createdAt = parseTime(a.notification.createdAt);
    exp.mintedAt = mintedAt(a.notification.id);
  }

  close() {
    this.client?.dispose();
  }
}

async function openSockets(users) {
  const sockets = [];
  for (let k = 0; k < N; k++) {
    const s = new Socket(k, users[k % U]);
    users[k % U].sockets.push(s);
    sockets.push(s);
  }
  const started = now();
  const batchMs = [];
  for (let b = 0; b < N; b += BATCH) {
    const t0 = now();
    await Promise.all(sockets.slice(b, b + BATCH).map((s) => s.open()));
    batchMs.push(now() - t0);
    const n = Math.min(b + BATCH, N);
    if (n % 1000 === 0 || n === N) log(`  ${n}/${N} sockets: ${socketStats.opened} acknowledged, ${n - socketStats.opened} failed`);
  }
  const openedAt = now();
  socketStats.failedToOpen = N - socketStats.opened;
  return { sockets, openS: (openedAt - started) / 1000, batchMs: stats(batchMs), started, openedAt };
}

/// Waits until /metrics shows the sockets and their subscriptions.
async function waitForGauges(base, want, timeoutMs = 60_000) {
  const deadline = now() + timeoutMs;
  let m;
  for (;;) {
    m = await metrics();
    const ws = m.websocket_connections_active - base.websocket_connections_active;
    const subs = m.graphql_subscriptions_active - base.graphql_subscriptions_active;
    if ((ws >= want && subs >= want) || now() > deadline) return { ...m, reached: ws >= want && subs >= want, at: now() };
    await sleep(250);
  }
}

// --- alert rounds ---------------------------------------------------------------

async function confirmFired(user, exp) {
  // The notification is the truth: the alert fired iff it is stored.
  const r = await user.call('Notifications', { first: 20, after: null });
  const hit = r.data.notifications.edges.find(({ node }) =>
    node.month === MONTH && `${node.category}|${node.kind}` === exp.key);
  return hit ? hit.node : null;
}

async function runRound(users, round) {
  // Preparation (untimed): users with no crossing left get one.
  const unprepared = users.filter((u) => !u.plan());
  let exhausted = 0;
  if (unprepared.length) {
    const ok = await pool(unprepared, SETUP_CONCURRENCY * 2, (u) => u.prepare());
    exhausted = ok.filter((x) => !x).length;
    await sleep(1000); // lets any stray alert of the preparation pass
  }
  const plans = users.map((u) => ({ u, plan: u.plan() })).filter((x) => x.plan);
  for (const { u, plan } of plans) {
    u.expectation = {
      key: `${plan.category}|${plan.kind}`, plan, sentAt: null, respAt: null, arrivals: new Map(),
      fired: false, error: null, createdAt: null, mintedAt: null, notificationId: null,
      live: u.sockets.filter((s) => s.acked && !s.closed).map((s) => s.k),
    };
  }
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const roundStart = now();
  const concurrency = concurrencyOf(round);
  await pool(plans, concurrency, async ({ u, plan }) => {
    const exp = u.expectation;
    exp.sentAt = now();
    try {
      const r = await u.call('SetBudget', { input: { category: plan.category, amount: plan.amount } }, { payload: 'setBudget' });
      exp.sentAt = r.sentAt;
      exp.respAt = r.respAt;
      u.setLines(r.payload.budget.categories);
      exp.answeredStatus = u.lines[plan.category].status;
    } catch (e) {
      exp.respAt = now();
      exp.error = e.message;
    }
  });
  const lastResponse = now();
  // Which crossings really fired: the answer says the status, the stored
  // notification says the alert.
  await pool(plans, 8, async ({ u }) => {
    const exp = u.expectation;
    if (exp.error) return;
    const note = await confirmFired(u, exp).catch((e) => {
      exp.error = e.message;
      return null;
    });
    exp.fired = !!note;
    if (note) {
      exp.notificationId = exp.notificationId || note.id;
      exp.createdAt = exp.createdAt || parseTime(note.createdAt);
      exp.mintedAt = exp.mintedAt || mintedAt(note.id);
    }
    u.fired.add(exp.key); // fired or not, it will not fire again
  });
  const expected = plans.reduce((n, { u }) => n + (u.expectation.fired ? u.expectation.live.length : 0), 0);
  const received = () => plans.reduce((n, { u }) => n + (u.expectation.fired ? u.expectation.arrivals.size : 0), 0);
  while (received() < expected && now() - lastResponse < ALERT_TIMEOUT_MS) await sleep(20);
  loop.disable();
  const deliveries = [];
  const writes = [];
  let missing = 0;
  let lastArrival = null;
  for (const { u } of plans) {
    const exp = u.expectation;
    writes.push({ user: u.i, key: exp.key, ms: exp.respAt - exp.sentAt, fired: exp.fired, error: exp.error, status: exp.answeredStatus });
    if (!exp.fired) continue;
    for (const k of exp.live) {
      const at = exp.arrivals.get(k);
      if (at === undefined) {
        missing++;
        continue;
      }
      lastArrival = Math.max(lastArrival ?? at, at);
      deliveries.push({
        fromSent: at - exp.sentAt,
        fromResponse: at - exp.respAt,
        fromCreated: at - exp.createdAt,
        fromMinted: exp.mintedAt === null ? NaN : at - exp.mintedAt,
      });
    }
    u.expectation = null;
  }
  return {
    round,
    concurrency,
    writes: plans.length,
    exhausted,
    fired: writes.filter((w) => w.fired).length,
    writeErrors: writes.filter((w) => w.error).map((w) => `${w.key}: ${w.error}`).slice(0, 20),
    mispredicted: writes.filter((w) => !w.error && !w.fired).length,
    expected,
    received: deliveries.length,
    missing,
    writeMs: stats(writes.filter((w) => !w.error).map((w) => w.ms)),
    writeMsAll: writes.filter((w) => !w.error).map((w) => w.ms),
    burstS: (lastResponse - roundStart) / 1000,
    fanOutDoneS: lastArrival === null ? null : (lastArrival - roundStart) / 1000,
    // The histogram holds whole timer intervals: the lag is what exceeds
    // the 10 ms resolution.
    clientEventLoopLagMs: {
      p50: Math.max(0, loop.percentile(50) / 1e6 - 10),
      p99: Math.max(0, loop.percentile(99) / 1e6 - 10),
      max: Math.max(0, loop.max / 1e6 - 10),
    },
    deliveries,
  };
}

// --- main -------------------------------------------------------------------------

async function main() {
  const report = {
    tool: 'loadtest/subscribers.mjs',
    runId: RUN_ID,
    date: new Date().toISOString(),
    url: BASE,
    month: MONTH,
    N,
    U,
    socketsPerUser: { min: Math.floor(N / U), max: MAX_PER_USER },
    rounds: R,
    batch: BATCH,
    writeConcurrency: [...new Set(Array.from({ length: R }, (_, r) => concurrencyOf(r + 1)))],
    apiPid: API_PID,
  };
  log(`run ${RUN_ID}: ${N} sockets over ${U} users (${Math.floor(N / U)}–${MAX_PER_USER} each), ${R} rounds, on ${BASE}`);
  const setup = await provision();
  const { users } = setup;
  report.setup = { registerS: setup.registerS, syncS: setup.syncS };
  report.crossingsAvailableAtStart = stats(users.map((u) => {
    let n = 0;
    for (const c of SPENDING_CATEGORIES) {
      const l = u.lines[c];
      if (l && l.spent > 0) n += LEVELS.filter((k) => !u.fired.has(`${c}|${k}`)).length;
    }
    return n;
  }));
  await refreshTokens(users);

  // Memory before any socket (after a little quiet).
  await sleep(3000);
  const before = await metrics();
  const rssBefore = rss();
  report.before = { metrics: before, api: rssBefore };
  log(`before: API RSS ${mib(rssBefore?.rss)}, sockets ${before.websocket_connections_active}, subscriptions ${before.graphql_subscriptions_active}`);

  const clientBefore = process.memoryUsage().rss;
  const opened = await openSockets(users);
  const gauges = await waitForGauges(before, socketStats.opened);
  const subscribedS = (gauges.at - opened.started) / 1000;
  log(`${socketStats.opened}/${N} sockets acknowledged in ${opened.openS.toFixed(1)} s; gauges: ` +
    `${gauges.websocket_connections_active} sockets, ${gauges.graphql_subscriptions_active} subscriptions ` +
    `(${gauges.reached ? 'all live' : 'NOT all live'}) at ${subscribedS.toFixed(1)} s`);
  const rssOpened = rss();
  await sleep(SETTLE_MS);
  const after = await metrics();
  const rssAfter = rss();
  const clientAfter = process.memoryUsage().rss;
  const live = socketStats.opened;
  report.open = {
    acknowledged: socketStats.opened,
    failed: socketStats.failedToOpen,
    openS: opened.openS,
    allSubscribedS: subscribedS,
    batchMs: opened.batchMs,
    gaugesReached: gauges.reached,
  };
  report.after = { metrics: after, api: rssAfter, apiRightAfterOpen: rssOpened };
  report.memory = rssBefore && rssAfter ? {
    deltaRssBytes: rssAfter.rss - rssBefore.rss,
    bytesPerSocket: Math.round((rssAfter.rss - rssBefore.rss) / Math.max(1, live)),
    deltaAnonBytes: rssAfter.anon - rssBefore.anon,
    anonBytesPerSocket: Math.round((rssAfter.anon - rssBefore.anon) / Math.max(1, live)),
    sockets: live,
  } : null;
  report.client = { rssBefore: clientBefore, rssAfter: clientAfter, bytesPerSocket: Math.round((clientAfter - clientBefore) / Math.max(1, live)) };
  log(`after ${SETTLE_MS / 1000} s: API RSS ${mib(rssAfter?.rss)} (Δ ${mib(report.memory?.deltaRssBytes)}, ` +
    `${report.memory?.bytesPerSocket ?? '–'} B per socket); gauges ${after.websocket_connections_active} sockets, ` +
    `${after.graphql_subscriptions_active} subscriptions`);

  // Alert rounds.
  const rounds = [];
  for (let r = 1; r <= R; r++) {
    const result = await runRound(users, r);
    rounds.push(result);
    log(`round ${r} (${result.concurrency} writes at once): ${result.fired}/${result.writes} crossings fired (${result.mispredicted} did not, ` +
      `${result.writeErrors.length} errors, ${result.exhausted} users with none left), deliveries ${result.received}/${result.expected}; ` +
      `writes p99 ${fmt(result.writeMs.p99)}; fan-out p99 from id minted ` +
      `${fmt(stats(result.deliveries.map((d) => d.fromMinted)).p99)}, from createdAt ` +
      `${fmt(stats(result.deliveries.map((d) => d.fromCreated)).p99)}, done ${result.fanOutDoneS?.toFixed(2) ?? '–'} s after the burst began; ` +
      `client event-loop lag max ${fmt(result.clientEventLoopLagMs.max)}`);
    if (r < R) await sleep(ROUND_GAP_MS);
  }
  const all = rounds.flatMap((r) => r.deliveries);
  report.deliveries = {
    expected: rounds.reduce((n, r) => n + r.expected, 0),
    received: all.length,
    missing: rounds.reduce((n, r) => n + r.missing, 0),
    unexpected: unexpectedAlerts.length,
    crossingsFired: rounds.reduce((n, r) => n + r.fired, 0),
    crossingsTried: rounds.reduce((n, r) => n + r.writes, 0),
  };
  const latency = (ds) => ({
    fromIdMinted: stats(ds.map((d) => d.fromMinted)),
    fromNotificationCreatedAt: stats(ds.map((d) => d.fromCreated)),
    fromRequestSent: stats(ds.map((d) => d.fromSent)),
    fromResponseReceived: stats(ds.map((d) => d.fromResponse)),
    beforeResponse: ds.filter((d) => d.fromResponse < 0).length,
  });
  report.latencyMs = latency(all);
  // The same per write concurrency (when rounds differ in it).
  report.latencyMsByConcurrency = Object.fromEntries(report.writeConcurrency.map((c) => {
    const rs = rounds.filter((r) => r.concurrency === c);
    return [c, {
      rounds: rs.map((r) => r.round),
      writeMs: stats(rs.flatMap((r) => r.writeMsAll)),
      ...latency(rs.flatMap((r) => r.deliveries)),
    }];
  }));
  report.rounds = rounds.map(({ deliveries, writeMsAll, ...r }) => ({ ...r, latencyMs: latency(deliveries) }));
  report.afterRounds = { metrics: await metrics(), api: rss() };

  // Close everything.
  closing = true;
  const closeStarted = now();
  opened.sockets.forEach((s) => s.close());
  const closeDeadline = now() + 30_000;
  let m = await metrics();
  while (m.websocket_connections_active > before.websocket_connections_active && now() < closeDeadline) {
    await sleep(250);
    m = await metrics();
  }
  await sleep(2000);
  report.closed = { seconds: (now() - closeStarted) / 1000, metrics: await metrics(), api: rss() };
  report.sockets = { ...socketStats };
  report.unexpectedAlerts = unexpectedAlerts.slice(0, 50);
  report.httpErrors = httpErrors;

  const goalMs = 1000;
  const p99 = report.latencyMs.fromIdMinted.p99;
  const p99Sent = report.latencyMs.fromRequestSent.p99;
  report.goal = {
    p99BelowMs: goalMs,
    heldFromIdMinted: p99 !== null && p99 < goalMs,
    heldFromRequestSent: p99Sent !== null && p99Sent < goalMs,
  };
  writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);

  const L = report.latencyMs;
  const line = (name, s) => `  ${name.padEnd(24)} p50 ${fmt(s.p50)}  p95 ${fmt(s.p95)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}`;
  console.log(`
== ${N} budgetAlerts subscribers over ${U} users, one API process (${BASE}) ==
sockets     ${socketStats.opened}/${N} acknowledged in ${opened.openS.toFixed(1)} s (batches of ${BATCH}); all subscribed (gauges) at ${subscribedS.toFixed(1)} s
            failed to open ${socketStats.failedToOpen}; closed by the server ${socketStats.closedUnexpectedly}; close codes ${JSON.stringify(socketStats.closeCodes)}
            open errors ${JSON.stringify(socketStats.openErrors)}; subscription errors ${JSON.stringify(socketStats.subscriptionErrors)}
gauges      websocket_connections_active ${after.websocket_connections_active}, graphql_subscriptions_active ${after.graphql_subscriptions_active}
API memory  RSS ${mib(rssBefore?.rss)} → ${mib(rssAfter?.rss)}: Δ ${mib(report.memory?.deltaRssBytes)} = ${report.memory?.bytesPerSocket ?? '–'} B per socket (anon ${report.memory?.anonBytesPerSocket ?? '–'} B); after closing ${mib(report.closed.api?.rss)}
client      RSS Δ ${report.client.bytesPerSocket} B per socket
alerts      ${report.deliveries.crossingsFired}/${report.deliveries.crossingsTried} crossings fired over ${R} rounds; deliveries ${all.length}/${report.deliveries.expected} (missing ${report.deliveries.missing}, unexpected ${report.deliveries.unexpected})
fan-out latency over ${all.length} deliveries:
${line('from id minted (commit)', L.fromIdMinted)}
${line('from createdAt', L.fromNotificationCreatedAt)}
${line('from request sent', L.fromRequestSent)}
${line('from response received', L.fromResponseReceived)}
  (${L.beforeResponse} deliveries arrived before their write's response)
${Object.keys(report.latencyMsByConcurrency).length > 1 ? Object.entries(report.latencyMsByConcurrency).map(([c, x]) =>
    `  ${c} writes at once (rounds ${x.rounds.join(',')}): writes p99 ${fmt(x.writeMs.p99)}\n` +
    `${line('  from id minted', x.fromIdMinted)}\n${line('  from request sent', x.fromRequestSent)}`).join('\n') : ''}
goal        p99 < ${goalMs} ms: ${report.goal.heldFromIdMinted ? 'held' : 'MISSED'} (from id minted), ${report.goal.heldFromRequestSent ? 'held' : 'MISSED'} (from request sent)
http errors ${JSON.stringify(httpErrors)}
report      ${OUT}`);
  const ok = socketStats.failedToOpen === 0 && socketStats.closedUnexpectedly === 0 &&
    report.deliveries.missing === 0 && report.deliveries.expected > 0 && Object.keys(socketStats.subscriptionErrors).length === 0;
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`subscribers: ${e instanceof SetupError ? '' : 'failed: '}${e.stack || e.message}`);
    console.error(`http errors so far: ${JSON.stringify(httpErrors)}; sockets: ${JSON.stringify(socketStats)}`);
    process.exit(2);
  },
);
