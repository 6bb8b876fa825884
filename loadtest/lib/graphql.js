// GraphQL over HTTP: one POST per operation, tagged with the operation's
// name (`op`), checked for HTTP 200, no top-level `errors` and, for
// mutations, no `userErrors` in the payload.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { config } from './config.js';
import { document } from './operations.js';

export const graphqlErrors = new Counter('graphql_errors');
export const userErrors = new Counter('graphql_user_errors');
export const rateLimited = new Counter('rate_limited');

let warnings = 0;
function warn(op, msg) {
  if (warnings < 10 || config.verbose) console.warn(`${op}: ${msg}`);
  warnings++;
}

/// A synthetic client address for X-Forwarded-For from a 24-bit number.
export function clientIp(n) {
  const s = ((n % 0xfffffe) + 0xfffffe) % 0xfffffe + 1;
  return `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`;
}

/// The address of this VU's requests (`slot` varies it, e.g. per login).
export function vuClientIp(slot = 0) {
  return clientIp(0x100000 + (__VU % 3840) * 256 + (slot % 256));
}

function params(op, opts) {
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json',
  };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (config.spreadClients) headers['X-Forwarded-For'] = opts.clientIp || vuClientIp();
  return {
    headers,
    tags: Object.assign({ op, name: `graphql ${op}` }, opts.tags || {}),
    timeout: opts.timeout || '60s',
    responseType: 'text',
  };
}

function body(op, variables) {
  return JSON.stringify({ query: document(op), operationName: op, variables: variables || {} });
}

/// Reads a response: { res, status, data, errors, payload, ok }.
/// `opts.payload` names the mutation field whose userErrors must be empty.
export function interpret(op, res, opts = {}) {
  let json = null;
  try {
    json = res.body ? JSON.parse(res.body) : null;
  } catch (e) {
    json = null;
  }
  const errors = (json && json.errors) || null;
  const data = (json && json.data) || null;
  const payload = opts.payload && data ? data[opts.payload] : null;
  const uErrors = payload && Array.isArray(payload.userErrors) ? payload.userErrors : [];
  const tags = { op };
  const results = {
    [`${op}: HTTP 200`]: res.status === 200,
    [`${op}: no errors`]: !!json && !errors && data !== null,
  };
  if (opts.payload) results[`${op}: no userErrors`] = !!payload && uErrors.length === 0;
  const ok = check(res, Object.fromEntries(Object.entries(results).map(([k, v]) => [k, () => v])), tags);
  if (errors) {
    for (const e of errors) {
      const code = (e.extensions && e.extensions.code) || 'NONE';
      graphqlErrors.add(1, { op, code });
      if (code === 'RATE_LIMITED') rateLimited.add(1, { op });
    }
  }
  if (uErrors.length) userErrors.add(uErrors.length, { op });
  if (!ok) {
    const text = String(res.body || res.error || '').slice(0, 400);
    warn(op, `HTTP ${res.status} ${text}`);
  }
  return { res, status: res.status, data, errors, payload, ok };
}

/// Sends operation `op` (a name of operations.graphql) and waits for it.
export function gql(op, variables, opts = {}) {
  const res = http.post(config.graphqlUrl, body(op, variables), params(op, opts));
  return interpret(op, res, opts);
}

/// The same without blocking the VU's event loop (WebSocket messages keep
/// arriving while it is in flight). Resolves to the same result object.
export async function gqlAsync(op, variables, opts = {}) {
  const res = await http.asyncRequest('POST', config.graphqlUrl, body(op, variables), params(op, opts));
  return interpret(op, res, opts);
}

/// Several operations at once (k6 `http.batch`, in parallel): `calls` is
/// a list of [op, variables, opts]; the results in the same order.
export function gqlBatch(calls) {
  const responses = http.batch(calls.map(([op, variables, opts = {}]) =>
    ['POST', config.graphqlUrl, body(op, variables), params(op, opts)]));
  return responses.map((res, i) => interpret(calls[i][0], res, calls[i][2] || {}));
}
