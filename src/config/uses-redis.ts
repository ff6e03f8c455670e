/** `REDIS_URL` set: BullMQ carries delivery ids between processes. Unset: all in this process. */
export function usesRedis(): boolean {
  return Boolean(process.env.REDIS_URL);
}
