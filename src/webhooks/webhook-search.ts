import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** LIKE's wildcards and its escape character, taken literally in what a person typed. */
const LIKE_SPECIAL = /[!%_]/g;

/**
 * Keeps the webhooks whose name or URL contains `q`, in any case, on SQLite and MySQL alike. The URL
 * is searched in its stored search form (`url_search`: as views show it, lower case), so an
 * encrypted URL is found by its host and path and a credential never matches. A blank `q` keeps all.
 * A contains-search reads every row's name and search form: at 10,000 webhooks, a few milliseconds.
 */
export function whereSearched<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  q: string | undefined,
): SelectQueryBuilder<T> {
  const text = q?.trim().toLowerCase();
  if (!text) return qb;
  return qb.andWhere(
    `(LOWER(${alias}.name) LIKE :search ESCAPE '!' OR ${alias}.url_search LIKE :search ESCAPE '!')`,
    { search: `%${text.replace(LIKE_SPECIAL, (c) => `!${c}`)}%` },
  );
}
