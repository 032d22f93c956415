/**
 * The error catalogue: every expected failure at a boundary has a stable code and an HTTP
 * status, and leaves as `{"error":{"code","message"}}`.
 */
export const ERRORS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class KefuError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.status = ERRORS[code];
  }
}

export const errorBody = (code: ErrorCode, message: string) => ({ error: { code, message } });
