import { ValueTransformer } from 'typeorm';

/** BIGINT columns come back from mysql2 as strings; these hold small counters, read as numbers. */
export const nullableNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
