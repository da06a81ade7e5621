import { createHash, randomBytes } from 'node:crypto'

// The bearer secrets a guest holds instead of a login: a cart token (X-Cart-Token) and an order
// token (X-Order-Token). Each is 256 random bits; the database keeps only its SHA-256, so a copy of
// the database (or an admin reading a row) cannot be replayed as a token. Lookups are by the hash,
// an indexed equality, never a comparison in JavaScript.

/** 256 bits, base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/**
 * The hash of a well-formed token sent in `header`; undefined when there is none. A malformed one
 * hashes to something no row holds (it is answered like an unknown token, not told apart).
 */
export function tokenHashFrom(
  headers: Headers,
  header: 'x-cart-token' | 'x-order-token',
): string | undefined {
  const value = headers.get(header)
  if (value === null) return undefined
  const token = value.trim()
  return TOKEN.test(token) ? hashToken(token) : hashToken(`malformed:${token}`)
}

/** Emails as the store compares them: trimmed, lower case (as Payload stores users' emails). */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase()
