import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { signIn } from '../api/auth';

export function AuthScreen({ reason }: { reason?: string | undefined }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const emailId = useId();
  const passwordId = useId();
  const hintId = useId();

  useEffect(() => {
    document.title = mode === 'login' ? 'Sign in · Moneta' : 'Create an account · Moneta';
  }, [mode]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn(mode, String(form.get('email') ?? ''), String(form.get('password') ?? ''));
    setBusy(false);
    if (!result.ok) setError(result.message);
  }

  function switchMode() {
    setMode(mode === 'login' ? 'register' : 'login');
    setError(null);
    heading.current?.focus();
  }

  return (
    <main className="auth" id="main">
      <div className="auth-card">
        <p className="brand brand-large" aria-hidden="true">Moneta</p>
        <h1 ref={heading} tabIndex={-1}>
          {mode === 'login' ? 'Sign in to Moneta' : 'Create your Moneta account'}
        </h1>
        {reason && (
          <p className="notice" role="status">
            {reason}
          </p>
        )}
        <form onSubmit={submit} noValidate={false}>
          <div className="field">
            <label htmlFor={emailId}>Email</label>
            <input id={emailId} name="email" type="email" autoComplete="email" required />
          </div>
          <div className="field">
            <label htmlFor={passwordId}>Password</label>
            <input
              id={passwordId}
              name="password"
              type="password"
              autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
              minLength={mode === 'register' ? 10 : undefined}
              maxLength={128}
              required
              aria-describedby={mode === 'register' ? hintId : undefined}
            />
            {mode === 'register' && (
              <p className="hint" id={hintId}>
                10 to 128 characters, not your email.
              </p>
            )}
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {mode === 'login' ? 'Sign in' : 'Create account'}
          </button>
        </form>
        <p>
          {mode === 'login' ? 'New to Moneta? ' : 'Already have an account? '}
          <button type="button" className="link-button" onClick={switchMode}>
            {mode === 'login' ? 'Create an account' : 'Sign in'}
          </button>
        </p>
      </div>
    </main>
  );
}
