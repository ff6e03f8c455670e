import { uniqueEmail } from '../factories/users';
import { runCli } from './cli';

/** An admin made with the CLI (`--create-admin`), signed in to the server at `url`: its headers. */
export async function adminHeaders(
  url: string,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const email = uniqueEmail('admin');
  const password = 'admin-pass-1234';
  const created = await runCli(['--create-admin', '--email', email, '--password', password], env);
  if (created.code !== 0) throw new Error(`--create-admin failed: ${created.stderr}`);
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  return { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' };
}

/** POSTs JSON with the headers given; throws unless the answer is 201. */
export async function created(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ id: number }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number };
}
