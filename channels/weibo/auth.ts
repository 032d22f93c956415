/**
 * Who may read the triage view: a logged-in agent (Bearer token or the console's cookie), or
 * a machine client holding `KEFU_ADMIN_TOKEN` (compared in constant time).
 */
import type { FastifyRequest } from 'fastify';
import { authenticate } from '../../src/agents/auth.js';
import { KefuError } from '../../src/errors.js';
import { safeEqual, sha256 } from '../../src/server/http.js';
import type { Db } from '../../src/storage/db.js';

export function requireAgentOrAdminToken(db: Db, adminToken: string | undefined): (request: FastifyRequest) => Promise<void> {
  // Hashed once so the comparison is over equal lengths whatever the caller sends.
  const expected = adminToken ? sha256(adminToken) : undefined;
  return async (request) => {
    const bearer = /^Bearer\s+(\S{1,512})$/.exec(request.headers.authorization ?? '')?.[1];
    if (expected && bearer && safeEqual(sha256(bearer), expected)) return;
    try {
      await authenticate(db, request);
    } catch {
      throw new KefuError('unauthorized', 'log in as an agent (or send the KEFU_ADMIN_TOKEN bearer token)');
    }
  };
}
