import express from 'express'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { rateLimit } from 'express-rate-limit'
import type { Logger } from 'express-rate-limit'
import type { Redis } from 'ioredis'
import { jwtVerify } from 'jose'

import { tokenFrom } from '../cache/audience'
import type { Env } from '../config/env'
import { authMutationsIn } from '../graphql/authMutations'
import { logger } from '../logger'
import { errorBody } from './errors'
import { bufferBody } from './payloadRoutes'
import { SharedStore } from './rateLimitStore'

/** Every route that signs in, signs up or proves control of an email address: one budget. */
const AUTH_ROUTES = [
  '/api/users/login',
  '/api/users',
  '/api/users/first-register',
  '/api/users/verify/:token',
  '/api/users/forgot-password',
  '/api/users/reset-password',
]

// Only express-rate-limit's configuration checks speak here (store errors never reach it, see
// SharedStore), once each; a client can trigger some (an X-Forwarded-For without TRUST_PROXY).
const limiterLog: Logger = {
  error: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter check'),
  warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter check'),
}

type Keyed = {
  /** The client's key; undefined: not counted here. Default: the client address. */
  keyOf?: (req: Request) => Promise<string | undefined>
}

function limiter(
  name: string,
  limit: number,
  windowS: number,
  connection: Redis | undefined,
  { keyOf }: Keyed = {},
): RequestHandler {
  const keys = new WeakMap<Request, string | undefined>()
  return rateLimit({
    windowMs: windowS * 1000,
    limit,
    ...(keyOf && {
      skip: async (req: Request) => {
        const key = await keyOf(req)
        keys.set(req, key)
        return key === undefined
      },
      keyGenerator: (req: Request) => keys.get(req) ?? '',
    }),
    // Per client address (req.ip, so TRUST_PROXY decides whether X-Forwarded-For counts);
    // IPv6 clients are grouped by /56, as one subscriber usually holds a whole prefix.
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: connection ? new SharedStore(connection, name) : undefined,
    logger: limiterLog,
    handler: (_req: Request, res: Response) => {
      const retryAfter = Number(res.getHeader('Retry-After') ?? windowS)
      res.status(429).json(
        errorBody(`Too many requests. Try again in ${retryAfter} seconds.`, {
          code: 'RATE_LIMITED',
          retryAfter,
        }),
      )
    },
  })
}

/**
 * The same budget for the GraphQL twins of the auth routes (loginUser, createUser, …), so it
 * cannot be sidestepped there. One such mutation per request: aliases would otherwise let one
 * request try many passwords for the price of one.
 */
function graphqlAuthLimit(auth: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body
    const count = Buffer.isBuffer(body) ? authMutationsIn(body) : 0
    if (count === 0) return next()
    if (count > 1) {
      res.status(400).json(errorBody('Send one sign-in, sign-up or password mutation per request.'))
      return
    }
    return auth(req, res, next)
  }
}

/**
 * The signed-in user a request's Payload token names, checked against the signing key (a forged
 * token must not spend someone else's budget). Whether the session is still live is Payload's
 * to judge: a verified token is always that user's own.
 */
function signedInUser(secret: Uint8Array): (req: Request) => Promise<string | undefined> {
  return async (req) => {
    const token = tokenFrom(req)
    if (!token) return undefined
    try {
      const { payload: claims } = await jwtVerify(token, secret, { algorithms: ['HS256'] })
      const id = claims.id
      return typeof id === 'string' || typeof id === 'number' ? `user:${String(id)}` : undefined
    } catch {
      return undefined
    }
  }
}

/**
 * Rate limits per client IP on the abuse-prone routes, counted in Redis when REDIS_URL is set
 * (shared by every instance), else in this process. Past the limit: 429 with Retry-After.
 */
export function rateLimits(settings: Env, connection: Redis | undefined, secret: Uint8Array): express.Router {
  const windowS = settings.RATE_LIMIT_WINDOW_S
  const auth = limiter('auth', settings.RATE_LIMIT_AUTH_MAX, windowS, connection)
  const checkout = limiter('checkout', settings.RATE_LIMIT_CHECKOUT_MAX, windowS, connection)
  const graphql = limiter('graphql', settings.RATE_LIMIT_GRAPHQL_MAX, windowS, connection)
  // Coupon codes are guessed one attempt at a time: per address, and per customer so that
  // changing address does not buy more guesses.
  const couponPerIp = limiter('coupon', settings.RATE_LIMIT_COUPON_MAX, windowS, connection)
  const couponPerCustomer = limiter('coupon-customer', settings.RATE_LIMIT_COUPON_MAX, windowS, connection, {
    keyOf: signedInUser(secret),
  })
  const router = express.Router()
  router.post(AUTH_ROUTES, auth)
  // Guest carts share the checkout budget: each costs a row, and a guest checkout needs one.
  router.post(['/api/checkout', '/api/carts/guest'], checkout)
  router.post('/api/carts/mine/coupon', couponPerIp, couponPerCustomer)
  router.post('/api/graphql', graphql, bufferBody, graphqlAuthLimit(auth))
  return router
}
