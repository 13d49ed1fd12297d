import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from './errors.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Compares in constant time whatever the lengths. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Bearer <token>`, or basic auth whose password is the token. */
export function presentedToken(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2) as [string, string | undefined];
  if (!value) return null;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? null : decoded.slice(colon + 1);
  }
  return null;
}

/** Requires the token when one is configured; answers 401 otherwise. */
export function requireToken(expected: string | undefined, realm: string): RequestHandler {
  return (req, res, next) => {
    if (expected === undefined) return next();
    const given = presentedToken(req.get('authorization'));
    if (given !== null && tokenMatches(given, expected)) return next();
    res.set('WWW-Authenticate', `Bearer realm="${realm}"`);
    next(new AppError(401, 'unauthorized', 'missing or wrong credentials'));
  };
}
