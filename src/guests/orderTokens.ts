import { createHmac } from 'node:crypto'

import { hashToken } from './tokens'

// A guest order's token (X-Order-Token) is HMAC-SHA256(PAYLOAD_SECRET, its order number): 256
// bits nobody can compute without the server's secret, and the same every time it is asked for,
// so an Idempotency-Key retry of a guest checkout gets the token again although the stored answer
// does not hold it. The order row keeps only its SHA-256 (hashToken), the key of every lookup.

export function orderTokenFor(secret: string, orderNumber: string): { token: string; hash: string } {
  const token = createHmac('sha256', secret).update(`order-token:${orderNumber}`).digest('base64url')
  return { token, hash: hashToken(token) }
}
