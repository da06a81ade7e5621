import type { IncomingMessage } from 'node:http'

import { jwtVerify } from 'jose'

export type Audience = 'anonymous' | 'customer' | 'admin'

export function tokenFrom(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (header) {
    const [scheme, token] = header.split(' ')
    if (token && (scheme === 'JWT' || scheme === 'Bearer')) return token
  }
  const cookie = req.headers.cookie
  if (!cookie) return undefined
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === 'payload-token') return rest.join('=')
  }
  return undefined
}

/**
 * Who is asking, judged from Payload's own token (same secret, same claims) without touching the
 * database. A token that fails verification is anonymous, exactly as Payload will treat it.
 */
export function audienceOf(req: IncomingMessage, secret: Uint8Array): Audience | Promise<Audience> {
  const token = tokenFrom(req)
  // Without a token there is nothing to verify: answered at once, the hit path stays synchronous.
  if (!token) return 'anonymous'
  return verifiedAudience(token, secret)
}

async function verifiedAudience(token: string, secret: Uint8Array): Promise<Audience> {
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] })
    const roles = payload.roles
    return Array.isArray(roles) && roles.includes('admin') ? 'admin' : 'customer'
  } catch {
    return 'anonymous'
  }
}
