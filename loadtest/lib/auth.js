// Signing in: `Login`, and a session that rotates its tokens with
// `Refresh` before the access token (15 minutes) runs out. A session
// belongs to one VU: a refresh token is single-use (replaying a rotated
// one ends the whole session), so two VUs never share one.
import { gql } from './graphql.js';

const REFRESH_MARGIN_MS = 60 * 1000;

export function tokensOf(payload) {
  if (!payload || !payload.accessToken || !payload.refreshToken) return null;
  return {
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    expiresAt: payload.expiresAt ? Date.parse(payload.expiresAt) : Date.now() + 14 * 60 * 1000,
  };
}

/// Logs `email` in: its tokens, or null (the check has failed).
export function login(email, password, opts = {}) {
  const r = gql('Login', { input: { email, password } }, Object.assign({ payload: 'login' }, opts));
  return r.ok ? tokensOf(r.payload) : null;
}

/// A new pair for `refreshToken`, or null.
export function refresh(refreshToken, opts = {}) {
  const r = gql('Refresh', { input: { refreshToken } }, Object.assign({ payload: 'refreshToken' }, opts));
  return r.ok ? tokensOf(r.payload) : null;
}

export class Session {
  /// `tokens` may come from setup() (only for the one VU that owns them).
  constructor(email, password, tokens = null) {
    this.email = email;
    this.password = password;
    this.tokens = tokens;
  }

  /// A valid access token: logs in the first time, refreshes near expiry
  /// (logging in again if the refresh is refused). Null if signing in fails.
  token() {
    if (this.tokens && this.tokens.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      this.tokens = refresh(this.tokens.refreshToken);
    }
    if (!this.tokens) this.tokens = login(this.email, this.password);
    return this.tokens ? this.tokens.accessToken : null;
  }

  /// Forgets the tokens (after an UNAUTHENTICATED answer).
  reset() {
    this.tokens = null;
  }
}
