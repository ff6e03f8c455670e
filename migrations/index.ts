import { CreateAuth1764300000000 } from './1764300000000-CreateAuth';

/** Every migration, in order. Listed explicitly so the same list works from src/ (tests) and dist/. */
export const migrations = [CreateAuth1764300000000];
