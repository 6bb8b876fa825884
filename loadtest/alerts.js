// Alerts: live budget alerts under load.
//
// Each VU is one user's device: it holds a graphql-transport-ws socket on
// /graphql/ws (k6/experimental/websockets: k6 1.1.0 has no k6/websockets),
// subscribed to `BudgetAlerts`, and makes writes that cross that user's
// budgets, each of which must produce an alert on the socket:
//  - `SetBudget` of a category with spending in the month in progress to
//    ~111 % of what was spent (90 % used: APPROACHING), then to 50 % of it
//    (EXCEEDED), then `ResetBudget` (back to the template, above spending
//    again; no alert expected);
//  - an alert fires once per (category, month, level), so categories and
//    levels already alerted this month (read from `Notifications` at the
//    start, and from the socket since) are skipped; when no category with
//    spending is left, one of this month's transactions is moved
//    (`Recategorize`) into a category that has no spending and no alert
//    yet, which gives it two more levels to cross. When nothing is left the
//    VU stays subscribed until the end (alerts_users_exhausted counts it).
//
// alert_latency: from the write's HTTP response to the alert's arrival on
// the socket, negative when the alert came first (alerts_before_response
// counts those: the server settles the alert before it answers, and the
// socket is read while the write is in flight, http.asyncRequest);
// alert_latency_from_request: from sending the write. alerts_expected /
// alerts_received / alert_delivered (a Rate over expected alerts, one
// false per alert not there within MONETA_LOADTEST_ALERT_TIMEOUT ms).
//
//   k6 run loadtest/alerts.js        (settings: loadtest/README.md)
import { WebSocket } from 'k6/experimental/websockets';
import { Counter, Rate, Trend } from 'k6/metrics';
import { config, durationMs, int } from './lib/config.js';
import { gql, gqlAsync } from './lib/graphql.js';
import { document } from './lib/operations.js';
import { provisionUsers, poolFor, sessionFor } from './lib/users.js';
import { baseThresholds, latency, SUMMARY_TREND_STATS } from './lib/options.js';
import { makeSummary } from './lib/summary.js';
import { SPENDING_CATEGORIES, cents, currentMonth, money } from './lib/util.js';

const INTERVAL_MS = int('MONETA_LOADTEST_ALERT_INTERVAL', 500);
const ALERT_TIMEOUT_MS = int('MONETA_LOADTEST_ALERT_TIMEOUT', 5000);
const SETTLE_MS = int('MONETA_LOADTEST_SUBSCRIBE_SETTLE', 300);

const alertLatency = new Trend('alert_latency', true);
const alertLatencyFromRequest = new Trend('alert_latency_from_request', true);
const alertsExpected = new Counter('alerts_expected');
const alertsReceived = new Counter('alerts_received');
const alertsUnexpected = new Counter('alerts_unexpected');
const alertsBeforeResponse = new Counter('alerts_before_response');
const alertsMispredicted = new Counter('alerts_mispredicted');
const alertDelivered = new Rate('alert_delivered');
const usersExhausted = new Counter('alerts_users_exhausted');
const wsErrors = new Counter('ws_errors');
const wsReconnects = new Counter('ws_reconnects');

const s = config.latencyScale;
export const options = {
  scenarios: {
    alerts: {
      executor: 'per-vu-iterations',
      vus: config.vus,
      iterations: 1,
      maxDuration: `${Math.ceil((durationMs(config.duration) + ALERT_TIMEOUT_MS) / 1000) + 60}s`,
      gracefulStop: '30s',
      tags: { phase: 'load' },
    },
  },
  setupTimeout: '300s',
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: Object.assign(
    baseThresholds(),
    latency('SetBudget', 150, 300),
    latency('ResetBudget', 150, 300),
    latency('Recategorize', 150, 300),
    latency('Dashboard', 200, 500),
    latency('Notifications', 200, 500),
    latency('TransactionsPage', 200, 500),
    latency('Login', 1000, 2000),
    latency('Refresh', 200, 500),
    {
      alert_latency: [`p(95)<${Math.round(100 * s)}`, `p(99)<${Math.round(250 * s)}`],
      alert_delivered: ['rate==1'],
      alerts_expected: ['count>0'],
      ws_errors: ['count==0'],
    },
  ),
};

export function setup() {
  // One user per VU: a user's alerts go to all of its sockets.
  return provisionUsers(Math.max(config.setupUsers, config.vus));
}

const LEVELS = ['BUDGET_APPROACHING', 'BUDGET_EXCEEDED'];
const STATUS_OF = { BUDGET_APPROACHING: 'APPROACHING', BUDGET_EXCEEDED: 'EXCEEDED' };

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function monthStart(month) {
  return Date.parse(`${month}-01T00:00:00Z`);
}

class Device {
  constructor(user, data) {
    this.user = user;
    this.session = sessionFor(user);
    this.month = currentMonth();
    this.lines = {}; // category -> BudgetCategory
    this.fired = new Set(); // "CATEGORY|KIND" alerted this month
    this.overridden = new Set(); // categories this VU set a budget for
    this.moved = new Set(); // transaction ids moved
    this.monthTxs = null;
    this.expected = new Map(); // "CATEGORY|KIND" -> expectation
    this.ws = null;
    this.subscribed = false;
    this.closing = false;
  }

  token() {
    return this.session.token();
  }

  // --- the user's state -----------------------------------------------
  refreshLines() {
    const r = gql('Dashboard', { month: this.month }, { token: this.token() });
    if (!r.ok) return false;
    for (const l of r.data.budget.categories) this.lines[l.category] = l;
    return true;
  }

  loadFired() {
    let after = null;
    const start = monthStart(this.month);
    for (let page = 0; page < 10; page++) {
      const r = gql('Notifications', { first: 100, after }, { token: this.token() });
      if (!r.ok) return false;
      const conn = r.data.notifications;
      let older = false;
      for (const { node } of conn.edges) {
        if (Date.parse(node.createdAt) < start) older = true;
        if (node.month === this.month && node.category && LEVELS.includes(node.kind)) {
          this.fired.add(`${node.category}|${node.kind}`);
        }
      }
      if (older || !conn.pageInfo.hasNextPage) return true;
      after = conn.pageInfo.endCursor;
    }
    return true;
  }

  // --- the socket -------------------------------------------------------
  connect() {
    return new Promise((resolve) => {
      const ws = new WebSocket(config.wsUrl, 'graphql-transport-ws');
      this.ws = ws;
      let acked = false;
      ws.onopen = () => {
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${this.token()}` } }));
      };
      ws.onmessage = (event) => {
        const now = Date.now();
        let msg;
        try {
          msg = JSON.parse(event.data);
        } catch (e) {
          wsErrors.add(1, { reason: 'not json' });
          return;
        }
        switch (msg.type) {
          case 'connection_ack':
            acked = true;
            ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: document('BudgetAlerts'), operationName: 'BudgetAlerts' } }));
            setTimeout(() => {
              this.subscribed = true;
              resolve(true);
            }, SETTLE_MS);
            break;
          case 'next':
            if (msg.payload && msg.payload.errors) {
              wsErrors.add(1, { reason: 'graphql' });
              console.warn(`budgetAlerts of ${this.user.email}: ${JSON.stringify(msg.payload.errors)}`);
            } else if (msg.payload && msg.payload.data) {
              this.onAlert(msg.payload.data.budgetAlerts, now);
            }
            break;
          case 'ping':
            ws.send(JSON.stringify({ type: 'pong' }));
            break;
          case 'pong':
            break;
          case 'error':
          case 'complete':
          default:
            wsErrors.add(1, { reason: msg.type });
            console.warn(`socket of ${this.user.email}: ${event.data}`);
        }
      };
      // k6's close event carries no code: a close by the server comes as
      // an error "websocket: close 4401: …" first.
      let closeCode = null;
      let errored = false;
      ws.onerror = (e) => {
        errored = true;
        const m = /close (\d+)/.exec(String(e.error));
        closeCode = m ? Number(m[1]) : null;
        if (closeCode === 4401 && !this.closing) return; // reconnects below
        if (this.closing) return;
        wsErrors.add(1, { reason: closeCode ? `close ${closeCode}` : 'socket' });
        console.warn(`socket of ${this.user.email}: ${e.error}`);
      };
      ws.onclose = () => {
        this.subscribed = false;
        if (this.closing) return;
        // 4401: the access token expired (or the session ended): reconnect
        // with a fresh one (the session refreshes, or signs in again).
        if (closeCode === 4401 && acked) {
          wsReconnects.add(1);
          this.connect();
          return;
        }
        if (!errored) {
          wsErrors.add(1, { reason: 'closed' });
          console.warn(`socket of ${this.user.email} closed by the server`);
        }
        if (!acked) resolve(false);
      };
    });
  }

  onAlert(alert, now) {
    const key = `${alert.category}|${alert.notification.kind}`;
    const exp = this.expected.get(key);
    if (alert.month === this.month) this.fired.add(key);
    if (!exp || exp.arrivedAt !== null || alert.month !== this.month) {
      alertsUnexpected.add(1, { kind: alert.notification.kind });
      return;
    }
    exp.arrivedAt = now;
    if (exp.respAt !== null) this.record(key, exp);
  }

  record(key, exp) {
    this.expected.delete(key);
    alertsReceived.add(1, { kind: key.split('|')[1] });
    alertDelivered.add(true);
    if (exp.arrivedAt < exp.respAt) alertsBeforeResponse.add(1);
    alertLatency.add(exp.arrivedAt - exp.respAt);
    alertLatencyFromRequest.add(exp.arrivedAt - exp.sentAt);
  }

  /// Expected alerts past their time are missed.
  expire(force = false) {
    const now = Date.now();
    for (const [key, exp] of this.expected) {
      if (exp.respAt === null) continue;
      if (force || now - exp.respAt > ALERT_TIMEOUT_MS) {
        this.expected.delete(key);
        alertDelivered.add(false);
        console.warn(`no ${key} alert for ${this.user.email} within ${ALERT_TIMEOUT_MS} ms of the write`);
      }
    }
  }

  // --- the writes ---------------------------------------------------------
  nextWrite() {
    const withSpending = SPENDING_CATEGORIES.filter((c) => this.lines[c] && cents(this.lines[c].spent) > 0);
    for (const c of withSpending) {
      const spent = cents(this.lines[c].spent);
      if (!this.fired.has(`${c}|BUDGET_APPROACHING`)) {
        let b = Math.round(spent / 0.9);
        while (b > 0 && spent * 100 < b * 80) b--;
        if (b < spent) b = spent;
        return { op: 'SetBudget', category: c, amount: money(b), expect: 'BUDGET_APPROACHING' };
      }
      if (!this.fired.has(`${c}|BUDGET_EXCEEDED`)) {
        return { op: 'SetBudget', category: c, amount: money(Math.floor(spent / 2)), expect: 'BUDGET_EXCEEDED' };
      }
    }
    for (const c of this.overridden) return { op: 'ResetBudget', category: c, expect: null };
    const move = this.planMove();
    return move;
  }

  planMove() {
    if (this.monthTxs === null) {
      const r = gql('TransactionsPage', { first: 100, filter: { month: this.month } }, { token: this.token() });
      this.monthTxs = r.ok ? r.data.transactions.edges.map((e) => e.node) : [];
    }
    const targets = SPENDING_CATEGORIES.filter((c) => {
      const l = this.lines[c];
      return l && cents(l.spent) === 0 && !this.fired.has(`${c}|BUDGET_APPROACHING`) && !this.fired.has(`${c}|BUDGET_EXCEEDED`);
    });
    for (const t of targets) {
      const budgeted = cents(this.lines[t].budgeted);
      // Posted ones first; early in a month all may still be pending.
      const fits = (x) => !this.moved.has(x.id) && cents(x.amount) > 0 && x.category !== t &&
        (budgeted === 0 || cents(x.amount) * 100 < budgeted * 70);
      const tx = this.monthTxs.find((x) => fits(x) && !x.pending) || this.monthTxs.find(fits);
      if (tx) return { op: 'Recategorize', category: t, tx, expect: null };
    }
    return null;
  }

  async write(plan) {
    const token = this.token();
    if (plan.op === 'Recategorize') {
      this.moved.add(plan.tx.id);
      const r = await gqlAsync('Recategorize', { input: { transactionId: plan.tx.id, category: plan.category } },
        { token, payload: 'setTransactionCategory' });
      if (r.ok) plan.tx.category = plan.category;
      this.refreshLines();
      return;
    }
    if (plan.op === 'ResetBudget') {
      this.overridden.delete(plan.category);
      const r = await gqlAsync('ResetBudget', { input: { category: plan.category } }, { token, payload: 'resetBudget' });
      if (r.ok) this.refreshLines();
      return;
    }
    const key = `${plan.category}|${plan.expect}`;
    const exp = { sentAt: Date.now(), respAt: null, arrivedAt: null };
    this.expected.set(key, exp);
    const r = await gqlAsync('SetBudget', { input: { category: plan.category, amount: plan.amount } },
      { token, payload: 'setBudget' });
    exp.respAt = Date.now();
    this.overridden.add(plan.category);
    if (!r.ok) {
      this.expected.delete(key);
      this.fired.add(key); // do not try this one again
      return;
    }
    for (const l of r.payload.budget.categories) {
      const prev = this.lines[l.category] || {};
      this.lines[l.category] = Object.assign({}, prev, l);
    }
    const status = this.lines[plan.category].status;
    if (status !== STATUS_OF[plan.expect]) {
      // Spending moved under us: this write cannot produce that alert.
      alertsMispredicted.add(1);
      this.expected.delete(key);
      return;
    }
    alertsExpected.add(1, { kind: plan.expect });
    if (exp.arrivedAt !== null) this.record(key, exp);
  }
}

export default async function (data) {
  const [user] = poolFor(data, 1);
  if (!user.owner) {
    console.warn(`VU ${__VU} shares ${user.email} with another VU: alerts go to both sockets; use at most as many VUs as users`);
  }
  const device = new Device(user, data);
  const deadline = data.readyAt + durationMs(config.duration);
  if (!device.token() || !device.refreshLines() || !device.loadFired()) return;
  if (!(await device.connect())) return;
  let exhausted = false;
  while (Date.now() < deadline) {
    if (!device.subscribed) {
      await wait(100);
      continue;
    }
    const plan = device.nextWrite();
    if (!plan) {
      exhausted = true;
      break;
    }
    await device.write(plan);
    device.expire();
    await wait(INTERVAL_MS * (0.5 + Math.random()));
  }
  if (exhausted) {
    usersExhausted.add(1);
    // Stay subscribed: an idle device is load too.
    while (Date.now() < deadline) {
      await wait(Math.min(1000, deadline - Date.now()));
      device.expire();
    }
  }
  // The last alerts.
  const until = Date.now() + ALERT_TIMEOUT_MS;
  while (device.expected.size && Date.now() < until) await wait(50);
  device.expire(true);
  device.closing = true;
  device.ws.close();
}

export const handleSummary = makeSummary('alerts', [
  'alert_latency', 'alert_latency_from_request', 'alerts_expected', 'alerts_received',
  'alerts_unexpected', 'alerts_before_response', 'alerts_mispredicted', 'alert_delivered',
  'alerts_users_exhausted', 'ws_errors', 'ws_reconnects', 'ws_sessions', 'ws_connecting',
]);
