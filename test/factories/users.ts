import { randomUUID } from 'node:crypto';
import { UsersService } from '../../src/auth/users.service';
import type { UserRole } from '../../src/auth/entities/user.entity';
import type { TestApp } from '../helpers/test-app';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

/** Creates a user through the service and signs them in through the API. */
export async function createUser(t: TestApp, role: UserRole = 'agent'): Promise<TestUser> {
  const email = uniqueEmail(role);
  const password = `pw-${randomUUID()}`;
  const user = await t.get(UsersService).create({ email, password, name: `Test ${role}`, role });
  const res = await t.http.post('/api/auth/login').send({ email, password }).expect(200);
  return {
    id: user.id,
    email,
    password,
    token: (res.body as { access_token: string }).access_token,
  };
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}
