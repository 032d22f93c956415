/**
 * PLACEHOLDER until agent authentication reaches this API (the agent workspace issue
 * replaces this file): the triage view accepts `Authorization: Bearer <KEFU_ADMIN_TOKEN>`,
 * compared in constant time. Without a configured token the view is closed.
 */
import type { FastifyRequest } from 'fastify';
import { KefuError } from '../../src/errors.js';
import { bearerToken, safeEqual, sha256 } from '../../src/server/http.js';

/** A preHandler-style check: throws 401 unless the request carries the admin token. */
export function requireAdminToken(adminToken: string | undefined): (request: FastifyRequest) => Promise<void> {
  // Hashed once so the comparison is over equal lengths whatever the caller sends.
  const expected = adminToken ? sha256(adminToken) : undefined;
  return async (request) => {
    if (!expected) throw new KefuError('unauthorized', 'the triage API is closed: KEFU_ADMIN_TOKEN is not configured');
    if (!safeEqual(sha256(bearerToken(request)), expected)) throw new KefuError('unauthorized', 'invalid token');
  };
}
