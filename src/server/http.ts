/** Small shared helpers for routes: validation into the error catalogue, bearer tokens. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { KefuError } from '../errors.js';

/** Parse with a zod schema; a failure is a 400 naming the first bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new KefuError('validation_failed', `${where}${issue?.message ?? 'invalid input'}`);
}

export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]{1,512})$/.exec(header) : null;
  if (!match?.[1]) throw new KefuError('unauthorized', 'missing or malformed Authorization: Bearer token');
  return match[1];
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Constant-time comparison of two strings (different lengths compare unequal, still in constant time for the shorter). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
