// Subscriptions over `/graphql/ws` (graphql-transport-ws, graphql-ws's
// client). The socket lives as long as its access token: the server closes
// it (4401) at expiry. So after each refresh a new socket is opened with the
// new token and the subscriptions move to it before the old one is closed
// (make before break); a socket that drops anyway is reopened with a valid
// token, backing off. Subscriptions send their document's exact text.
import { createClient, type Client } from 'graphql-ws';
import { documents, type OperationName } from '../graphql/documents';
import { session } from './session';

export interface LiveSink {
  next(value: unknown): void;
}

interface Sub {
  name: OperationName;
  variables: Record<string, unknown>;
  sink: LiveSink;
  dispose: (() => void) | null;
}

function socketUrl(): string {
  const url = new URL('/graphql/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

class Live {
  private client: Client | null = null;
  private subs = new Set<Sub>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = true;

  constructor() {
    session.onToken(() => {
      if (!this.stopped && this.subs.size) this.reconnect();
    });
    session.onState(() => {
      if (session.getState().status === 'signedOut') this.stop();
      else if (session.getState().status === 'signedIn') this.stopped = false;
    });
  }

  subscribe(name: OperationName, variables: Record<string, unknown>, sink: LiveSink): () => void {
    const sub: Sub = { name, variables, sink, dispose: null };
    this.subs.add(sub);
    this.stopped = false;
    this.attach(sub, this.ensureClient());
    return () => {
      this.subs.delete(sub);
      sub.dispose?.();
      sub.dispose = null;
    };
  }

  private ensureClient(): Client {
    this.client ??= this.createClient();
    return this.client;
  }

  private createClient(): Client {
    const client = createClient({
      url: socketUrl(),
      lazy: true,
      lazyCloseTimeout: 1_000,
      keepAlive: 20_000,
      retryAttempts: 0,
      connectionParams: async () => {
        const token = await session.accessToken();
        return { authorization: `Bearer ${token ?? ''}` };
      },
    });
    client.on('connected', () => {
      this.failures = 0;
    });
    return client;
  }

  private attach(sub: Sub, client: Client): void {
    const doc = documents[sub.name];
    sub.dispose = client.subscribe(
      { query: doc.text, operationName: sub.name, variables: sub.variables },
      {
        next: (value) => sub.sink.next(value),
        error: () => {
          if (client === this.client) this.scheduleRetry();
        },
        complete: () => {
          // The server ended it (the socket closed): reopen while wanted.
          if (client === this.client && this.subs.has(sub)) this.scheduleRetry();
        },
      },
    );
  }

  /** A new socket (current token) for every subscription, then the old one goes. */
  private reconnect(): void {
    clearTimeout(this.retryTimer);
    const old = this.client;
    const oldDisposers = [...this.subs].map((s) => s.dispose);
    const next = this.createClient();
    this.client = next;
    for (const sub of this.subs) this.attach(sub, next);
    let retired = false;
    const retire = () => {
      if (retired) return;
      retired = true;
      for (const d of oldDisposers) d?.();
      void old?.dispose();
    };
    if (!old) return;
    const off = next.on('connected', () => {
      off();
      setTimeout(retire, 500);
    });
    // If the new socket never connects, the old one still ends with its token.
    setTimeout(retire, 30_000);
  }

  private scheduleRetry(): void {
    if (this.stopped || !this.subs.size) return;
    clearTimeout(this.retryTimer);
    const delay = Math.min(15_000, 500 * 2 ** this.failures);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.reconnect();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const sub of this.subs) {
      sub.dispose?.();
      sub.dispose = null;
    }
    void this.client?.dispose();
    this.client = null;
  }
}

export const live = new Live();
