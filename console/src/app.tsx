import { useEffect, useState } from 'preact/hooks';
import { api, SignedInUser, storedToken, storeToken, whenUnauthorized } from './api/client';
import { Link } from './components/link';
import { navigate, useLocation } from './router';
import { DeliveriesScreen } from './screens/deliveries-screen';
import { DeliveryScreen } from './screens/delivery-screen';
import { SignIn } from './screens/sign-in';
import { WebhookForm } from './screens/webhook-form';
import { WebhookScreen } from './screens/webhook-screen';
import { WebhooksScreen } from './screens/webhooks-screen';

type Session =
  | { state: 'checking' }
  | { state: 'signed-out'; notice?: string }
  | { state: 'signed-in'; user: SignedInUser };

export function App() {
  const [session, setSession] = useState<Session>(() =>
    storedToken() ? { state: 'checking' } : { state: 'signed-out' },
  );

  useEffect(() => {
    whenUnauthorized(() => {
      storeToken(null);
      setSession({ state: 'signed-out', notice: 'Your session has expired. Sign in again.' });
    });
    if (!storedToken()) return;
    api
      .me()
      .then((user) => {
        if (user.role !== 'admin') {
          storeToken(null);
          setSession({ state: 'signed-out', notice: 'The console needs an admin account.' });
        } else setSession({ state: 'signed-in', user });
      })
      .catch(() => {
        storeToken(null);
        setSession({ state: 'signed-out', notice: 'Your session has expired. Sign in again.' });
      });
  }, []);

  if (session.state === 'checking') return <p class="loading">Loading…</p>;
  if (session.state === 'signed-out')
    return (
      <SignIn
        notice={session.notice}
        onSignedIn={(token, user) => {
          storeToken(token);
          setSession({ state: 'signed-in', user });
        }}
      />
    );

  const signOut = () => {
    // Ends the session on the server too: the token is refused from now on.
    void api.logout().catch(() => undefined);
    storeToken(null);
    setSession({ state: 'signed-out', notice: 'You are signed out.' });
    navigate('/', true);
  };
  return <Shell user={session.user} onSignOut={signOut} />;
}

function Shell(props: { user: SignedInUser; onSignOut: () => void }) {
  const loc = useLocation();
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">Homa console</span>
        <nav aria-label="Main">
          <Link to="/">Webhooks</Link>
          <Link to="/deliveries">Deliveries</Link>
        </nav>
        <span class="who">
          {props.user.email}
          <button type="button" class="secondary" onClick={props.onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        <Route path={loc.path} params={loc.params} />
      </main>
    </div>
  );
}

function Route(props: { path: string; params: URLSearchParams }) {
  const { path, params } = props;
  if (path === '/' || path === '/webhooks') return <WebhooksScreen params={params} />;
  if (path === '/webhooks/new') return <WebhookForm />;
  let m = /^\/webhooks\/(\d+)\/edit$/.exec(path);
  if (m) return <WebhookForm id={Number(m[1])} />;
  m = /^\/webhooks\/(\d+)$/.exec(path);
  if (m) return <WebhookScreen id={Number(m[1])} />;
  if (path === '/deliveries') return <DeliveriesScreen params={params} />;
  m = /^\/deliveries\/([0-9a-f-]{36})$/.exec(path);
  if (m) return <DeliveryScreen id={m[1]} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing here. <Link to="/">Back to webhooks</Link>
      </p>
    </section>
  );
}
