// handleSummary: with MONETA_LOADTEST_SUMMARY=<path>, a JSON summary for a
// runner script (req/s, p50/p95/p99 per operation, errors, thresholds) is
// written there and a compact table printed; without it, k6's own summary.
import { config, seeded } from './config.js';

function trend(m) {
  if (!m) return null;
  const v = m.values;
  const r = (x) => (x === undefined || x === null ? null : Math.round(x * 100) / 100);
  return { count: v.count === undefined ? null : v.count, avg: r(v.avg), p50: r(v.med), p90: r(v['p(90)']), p95: r(v['p(95)']), p99: r(v['p(99)']), max: r(v.max) };
}

function value(m, key) {
  return m && m.values && m.values[key] !== undefined ? m.values[key] : 0;
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function lpad(s, n) {
  s = String(s);
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/// `extra`: names of custom metrics to report as they are.
export function makeSummary(scenario, extra = []) {
  return function handleSummary(data) {
    if (!config.summaryPath) return undefined; // k6's own end-of-test summary
    const metrics = data.metrics;
    const setupData = data.setup_data || {};
    const loadMs = setupData.readyAt ? Date.now() - setupData.readyAt : data.state.testRunDurationMs;
    const loadS = Math.max(loadMs / 1000, 0.001);
    const ops = {};
    for (const key of Object.keys(metrics).sort()) {
      // http_req_duration{op:X} and http_req_duration{op:X,tag:v}
      const m = /^http_req_duration\{op:([^,}]+)((?:,[^}]+)?)\}$/.exec(key);
      if (!m) continue;
      const label = m[2] ? `${m[1]} ${m[2].slice(1)}` : m[1];
      const count = value(metrics[`http_reqs{op:${m[1]}${m[2]}}`], 'count');
      const t = count ? trend(metrics[key]) : {};
      ops[label] = Object.assign({ count, rps: Math.round((count / loadS) * 10) / 10 }, t);
    }
    const loadReqs = value(metrics['http_reqs{phase:load}'], 'count');
    const thresholds = {};
    let thresholdsOk = true;
    for (const [name, m] of Object.entries(metrics)) {
      if (!m.thresholds) continue;
      const failed = Object.entries(m.thresholds).filter(([, t]) => !t.ok).map(([expr]) => expr);
      thresholds[name] = { ok: failed.length === 0, failed };
      if (failed.length) thresholdsOk = false;
    }
    const custom = {};
    for (const name of extra) {
      const m = metrics[name];
      if (!m) continue;
      custom[name] = m.type === 'trend' ? trend(m) : Object.assign({ type: m.type }, m.values);
    }
    const out = {
      scenario,
      mode: seeded ? 'seeded' : 'self-provisioning',
      runId: setupData.runId || config.runId,
      users: setupData.count || null,
      vus: config.vus,
      duration: config.duration,
      url: config.baseUrl,
      latencyScale: config.latencyScale,
      loadSeconds: Math.round(loadS * 10) / 10,
      requests: {
        count: loadReqs,
        rps: Math.round((loadReqs / loadS) * 10) / 10,
        all: value(metrics.http_reqs, 'count'),
        failedRate: value(metrics.http_req_failed, 'rate'),
        duration: trend(metrics['http_req_duration']),
        // The load phase's requests only (no setup()), when the scenario
        // asks for the sub-metric (`loadDuration()` of options.js).
        loadDuration: trend(metrics['http_req_duration{phase:load}']),
      },
      iterations: value(metrics.iterations, 'count'),
      checks: { passes: value(metrics.checks, 'passes'), fails: value(metrics.checks, 'fails'), rate: value(metrics.checks, 'rate') },
      graphqlErrors: value(metrics.graphql_errors, 'count'),
      userErrors: value(metrics.graphql_user_errors, 'count'),
      rateLimited: value(metrics.rate_limited, 'count'),
      operations: ops,
      custom,
      thresholdsOk,
      thresholds,
    };
    const lines = [];
    lines.push(`moneta loadtest ${scenario} (${out.mode}, ${config.vus} VUs, ${config.duration}, ${out.loadSeconds} s after setup): ` +
      `${out.requests.count} requests, ${out.requests.rps} req/s, failed ${(out.requests.failedRate * 100).toFixed(2)} %, ` +
      `checks ${out.checks.passes}/${out.checks.passes + out.checks.fails}, GraphQL errors ${out.graphqlErrors}`);
    lines.push(`${pad('operation', 26)}${lpad('count', 8)}${lpad('req/s', 9)}${lpad('p50 ms', 9)}${lpad('p95 ms', 9)}${lpad('p99 ms', 9)}${lpad('max ms', 9)}`);
    for (const [op, o] of Object.entries(ops)) {
      if (!o.count) continue;
      lines.push(`${pad(op, 26)}${lpad(o.count, 8)}${lpad(o.rps, 9)}${lpad(o.p50, 9)}${lpad(o.p95, 9)}${lpad(o.p99, 9)}${lpad(o.max, 9)}`);
    }
    for (const [name, c] of Object.entries(custom)) {
      lines.push(`${name}: ${JSON.stringify(c)}`);
    }
    for (const [name, t] of Object.entries(thresholds)) {
      if (!t.ok) lines.push(`THRESHOLD FAILED ${name}: ${t.failed.join(', ')}`);
    }
    lines.push(`thresholds ${thresholdsOk ? 'ok' : 'FAILED'}; JSON summary: ${config.summaryPath}`);
    return {
      stdout: `\n${lines.join('\n')}\n\n`,
      [config.summaryPath]: JSON.stringify(out, null, 2),
    };
  };
}
