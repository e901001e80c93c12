/**
 * Bounded-concurrency map: reading hundreds of small objects one by one from S3 is slow, all at
 * once floods the connection pool.
 *
 * @module
 */

/** `fn` over `items`, at most `limit` at a time; results in input order. */
export async function mapLimit<T, U>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<U>,
): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
