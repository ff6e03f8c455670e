import { useState } from 'preact/hooks';
import { api, ApiError, SignedInUser } from '../api/client';

export function SignIn(props: {
  notice?: string;
  onSignedIn: (token: string, user: SignedInUser) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.login(email, password);
      if (res.user.role !== 'admin') {
        setError(
          `The console needs an admin account; ${res.user.email} is an ${res.user.role}. Ask an admin for access.`,
        );
        return;
      }
      props.onSignedIn(res.access_token, res.user);
    } catch (err) {
      // The API answers the same 401 whether or not the email exists; so does this message.
      if (err instanceof ApiError && err.status === 401) setError('Wrong email or password.');
      else if (err instanceof ApiError && err.status === 429)
        setError('Too many attempts. Wait a minute and try again.');
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to the Homa console</h1>
        {props.notice && !error && <p class="notice">{props.notice}</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label for="email">Email</label>
        <input
          id="email"
          type="email"
          autocomplete="username"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
