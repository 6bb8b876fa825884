// The operation documents the scenarios send: the clients' own, read
// verbatim from the API contract's operations.graphql (the repository's
// copy, contract/operations.graphql, which CI keeps identical to the
// shared contract), plus a few small documents that only setup() uses.
import { config } from './config.js';

// open() runs in the init context and resolves relative to this module.
const source = config.operationsPath
  ? open(config.operationsPath)
  : open('../../contract/operations.graphql');

/// Every named operation of `text`, as { name: document text }.
export function parseOperations(text) {
  const ops = {};
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const head = /^(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(text.slice(i, i + 200));
    if (!head || (i > 0 && /[_0-9A-Za-z]/.test(text[i - 1]))) {
      i++;
      continue;
    }
    const start = i;
    let depth = 0;
    let opened = false;
    let inString = false;
    for (; i < n; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '#') while (i < n && text[i] !== '\n') i++;
      else if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') {
        depth--;
        if (opened && depth === 0) {
          i++;
          break;
        }
      }
    }
    ops[head[2]] = text.slice(start, i);
  }
  return ops;
}

const contract = parseOperations(source);

const NEEDED = [
  'Dashboard', 'TransactionsPage', 'SpendingReport', 'Notifications', 'Register', 'Login',
  'Refresh', 'LinkAccount', 'RefreshAccount', 'Recategorize', 'SetBudget', 'ResetBudget',
  'BudgetAlerts',
];
for (const name of NEEDED) {
  if (!contract[name]) throw new Error(`operations.graphql has no operation ${name}`);
}

// Not client operations: what setup() needs to wait for the first sync.
const local = {
  SyncStatus: 'query SyncStatus { accounts { id status lastSyncedAt } }',
};

export const operations = Object.assign({}, local, contract);

export function document(name) {
  const doc = operations[name];
  if (!doc) throw new Error(`no operation named ${name}`);
  return doc;
}
