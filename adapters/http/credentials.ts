import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with an expected one in time that does not depend on where they
 * differ, nor (hashing both first) on the expected one's length.
 */
export function secretEquals(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Whether any of the allowed secrets matches (every one is compared, so the time says nothing of which). */
export function anySecretEquals(presented: string, allowed: readonly string[]): boolean {
  let ok = false;
  for (const s of allowed) ok = secretEquals(presented, s) || ok;
  return ok;
}

/**
 * Checks an `Authorization: Basic <base64(user:password)>` header against `user:password` pairs.
 *
 * @example
 *   basicAuthorized(req.headers.authorization, ['ingest:s3cret'])
 */
export function basicAuthorized(header: string | undefined, credentials: readonly string[]): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  const presented = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  return anySecretEquals(presented, credentials) && presented.includes(':');
}
