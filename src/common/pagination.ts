// The request's DTO (validation, OpenAPI) is in dto/page.dto.ts: services page without loading it.

/** The page asked for (a validated PageQueryDto). */
export interface PageQuery {
  page: number;
  limit: number;
}

export interface Page<T> {
  data: T[];
  meta: { page: number; limit: number; total: number; total_pages: number };
}

export function toPage<T>(data: T[], total: number, query: PageQuery): Page<T> {
  return {
    data,
    meta: {
      page: query.page,
      limit: query.limit,
      total,
      total_pages: Math.ceil(total / query.limit),
    },
  };
}

export function skipFor(query: PageQuery): number {
  return (query.page - 1) * query.limit;
}
