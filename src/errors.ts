import { APIError } from 'payload'

// Named store errors, each with a stable code, mapped to an HTTP status in one place. They reach
// the client in Payload's shape: {"errors":[{"message", "data": {"code", ...}}]}.

const STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INSUFFICIENT_STOCK: 409,
  COUPON_UNAVAILABLE: 409,
  CART_UNAVAILABLE: 409,
  IDEMPOTENCY_CONFLICT: 409,
  PAYMENT_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  PAYMENT_PROVIDER_ERROR: 502,
} as const

export type StoreErrorCode = keyof typeof STATUS

export class StoreError extends APIError<{ code: StoreErrorCode; [key: string]: unknown }> {
  readonly code: StoreErrorCode

  constructor(code: StoreErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(message, STATUS[code], { ...data, code }, true)
    this.code = code
  }
}

export const badRequest = (message: string, data?: Record<string, unknown>): StoreError =>
  new StoreError('BAD_REQUEST', message, data)

/**
 * A 4xx refusal raised in a Payload hook, in Payload's own error shape (data as given, no code):
 * named so that Payload logs it at info level, like StoreError, not as a server error.
 */
export class ClientRefusal extends APIError {
  constructor(message: string, status: 400 | 403, data: Record<string, unknown> | null = null) {
    super(message, status, data, true)
  }
}
