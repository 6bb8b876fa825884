// Sign up, sign in and sign out: outside urql (no token to attach yet, or
// the last one).
import type { LoginMutation, LogoutMutation, RegisterMutation } from '../graphql/generated';
import { execute, type GraphQLResponse } from './transport';
import { session } from './session';
import { live } from './live';
import { resetSyncEvents } from '../app/events';

export type AuthResult = { ok: true } | { ok: false; message: string };

export async function signIn(mode: 'login' | 'register', email: string, password: string): Promise<AuthResult> {
  let payload: LoginMutation['login'] | RegisterMutation['register'] | undefined;
  let errors: string | undefined;
  try {
    if (mode === 'login') {
      const answer = await execute('Login', { input: { email, password } }, null);
      const body = answer.body as GraphQLResponse<LoginMutation> | null;
      payload = body?.data?.login;
      errors = body?.errors?.[0]?.message;
    } else {
      const answer = await execute('Register', { input: { email, password } }, null);
      const body = answer.body as GraphQLResponse<RegisterMutation> | null;
      payload = body?.data?.register;
      errors = body?.errors?.[0]?.message;
    }
  } catch {
    return { ok: false, message: 'Moneta cannot be reached right now. Try again shortly.' };
  }
  if (payload?.accessToken) {
    resetSyncEvents();
    session.signedIn(payload);
    return { ok: true };
  }
  const userError = payload?.userErrors[0];
  if (userError?.code === 'INVALID_CREDENTIALS') return { ok: false, message: 'Wrong email or password.' };
  if (userError?.code === 'TAKEN') return { ok: false, message: 'An account with this email already exists. Sign in instead.' };
  return { ok: false, message: userError?.message ?? errors ?? 'That did not work. Try again.' };
}

export async function signOut(): Promise<void> {
  const refreshToken = session.currentRefreshToken();
  live.stop();
  if (refreshToken) {
    try {
      const answer = await execute('Logout', { input: { refreshToken } }, await session.accessToken().catch(() => null));
      void (answer.body as GraphQLResponse<LogoutMutation> | null);
    } catch {
      // Signed out locally all the same; the refresh token expires.
    }
  }
  session.end();
}
