// The signed-in session: the access token (memory only) and the rotating
// refresh token (sessionStorage: survives a reload of this tab, is not
// shared with other tabs, which would race on rotation). Refreshes ahead
// of expiry and on demand, one refresh in flight at a time; a refused
// refresh (spent, revoked family, ended session) signs the user out.
import type { LoginMutation, RefreshMutation, RegisterMutation } from '../graphql/generated';
import { execute, type GraphQLResponse } from './transport';

const STORAGE_KEY = 'moneta.refreshToken';
/** Refresh this long before expiry (at most a quarter of the lifetime). */
const LEAD_MS = 60_000;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  issuedAt: number;
}

export type SessionState =
  | { status: 'starting' }
  | { status: 'signedOut'; reason?: string }
  | { status: 'signedIn' };

type Listener = () => void;

export class SessionEndedError extends Error {}

class Session {
  private tokens: Tokens | null = null;
  private inflight: Promise<string> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private state: SessionState = { status: 'starting' };
  private stateListeners = new Set<Listener>();
  private tokenListeners = new Set<Listener>();
  /** Refreshes done in this page (shown nowhere; for diagnostics). */
  refreshCount = 0;

  getState(): SessionState {
    return this.state;
  }

  onState(listener: Listener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Called after every new access token (sign-in or refresh). */
  onToken(listener: Listener): () => void {
    this.tokenListeners.add(listener);
    return () => this.tokenListeners.delete(listener);
  }

  private setState(state: SessionState): void {
    this.state = state;
    for (const l of [...this.stateListeners]) l();
  }

  /** At start: resume from the stored refresh token, if any. */
  async resume(): Promise<void> {
    const stored = readStored();
    if (!stored) {
      this.setState({ status: 'signedOut' });
      return;
    }
    this.tokens = { accessToken: '', refreshToken: stored, expiresAt: 0, issuedAt: 0 };
    try {
      await this.refresh();
      this.setState({ status: 'signedIn' });
    } catch (error) {
      if (!(error instanceof SessionEndedError)) {
        // The server is away: stay on the sign-in screen, keep the token.
        this.tokens = null;
        this.setState({ status: 'signedOut', reason: 'Moneta cannot be reached right now.' });
      }
    }
  }

  /** Adopts the pair register/login answered. */
  signedIn(payload: LoginMutation['login'] | RegisterMutation['register']): void {
    this.adopt(payload);
    this.setState({ status: 'signedIn' });
  }

  /** An access token good for a few more seconds, refreshing first if not. */
  async accessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (this.tokens.expiresAt - Date.now() > 5_000 && this.tokens.accessToken) return this.tokens.accessToken;
    return this.refresh();
  }

  /**
   * A new pair. `rejected` is the access token the server refused: when a
   * refresh already replaced it, the current one is returned instead.
   */
  refresh(rejected?: string): Promise<string> {
    if (this.inflight) return this.inflight;
    if (rejected && this.tokens && this.tokens.accessToken !== rejected && this.tokens.expiresAt > Date.now()) {
      return Promise.resolve(this.tokens.accessToken);
    }
    const current = this.tokens;
    if (!current) return Promise.reject(new SessionEndedError('signed out'));
    this.inflight = (async () => {
      const answer = await execute('Refresh', { input: { refreshToken: current.refreshToken } }, null);
      const body = answer.body as GraphQLResponse<RefreshMutation> | null;
      const payload = body?.data?.refreshToken;
      if (payload?.accessToken && payload.refreshToken) {
        this.refreshCount++;
        this.adopt(payload);
        return payload.accessToken;
      }
      if (payload || (answer.status >= 400 && answer.status < 500 && answer.status !== 429)) {
        // Refused: the token was spent or its family revoked.
        this.end('Your session has ended. Please sign in again.');
        throw new SessionEndedError('refresh refused');
      }
      throw new Error(`refresh failed (HTTP ${answer.status})`);
    })().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** The refresh token, for logout. */
  currentRefreshToken(): string | null {
    return this.tokens?.refreshToken ?? null;
  }

  /** Forgets everything locally and shows the sign-in screen. */
  end(reason?: string): void {
    clearTimeout(this.timer);
    this.tokens = null;
    writeStored(null);
    this.setState({ status: 'signedOut', reason });
  }

  private adopt(payload: { accessToken: string | null; refreshToken: string | null; expiresAt: string | null }): void {
    if (!payload.accessToken || !payload.refreshToken) throw new Error('no tokens in the answer');
    const now = Date.now();
    const expiresAt = payload.expiresAt ? Date.parse(payload.expiresAt) : now + 15 * 60_000;
    this.tokens = { accessToken: payload.accessToken, refreshToken: payload.refreshToken, expiresAt, issuedAt: now };
    writeStored(payload.refreshToken);
    this.schedule();
    for (const l of [...this.tokenListeners]) l();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.tokens) return;
    const lifetime = this.tokens.expiresAt - this.tokens.issuedAt;
    const lead = Math.min(LEAD_MS, lifetime / 4);
    const due = Math.max(1_000, this.tokens.expiresAt - lead - Date.now());
    this.timer = setTimeout(() => {
      this.refresh().catch(() => {
        // A network failure: try again shortly (a refusal signed out).
        if (this.tokens) this.timer = setTimeout(() => this.schedule(), 5_000);
      });
    }, due);
  }
}

function readStored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStored(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(STORAGE_KEY, token);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage refused (private mode): the session lasts as long as the page.
  }
}

export const session = new Session();
