import express from 'express'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { rateLimit } from 'express-rate-limit'
import type { Logger } from 'express-rate-limit'
import type { Redis } from 'ioredis'

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

function limiter(
  name: string,
  limit: number,
  windowS: number,
  connection: Redis | undefined,
): RequestHandler {
  return rateLimit({
    windowMs: windowS * 1000,
    limit,
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
 * Rate limits per client IP on the abuse-prone routes, counted in Redis when REDIS_URL is set
 * (shared by every instance), else in this process. Past the limit: 429 with Retry-After.
 */
export function rateLimits(settings: Env, connection: Redis | undefined): express.Router {
  const windowS = settings.RATE_LIMIT_WINDOW_S
  const auth = limiter('auth', settings.RATE_LIMIT_AUTH_MAX, windowS, connection)
  const checkout = limiter('checkout', settings.RATE_LIMIT_CHECKOUT_MAX, windowS, connection)
  const router = express.Router()
  router.post(AUTH_ROUTES, auth)
  router.post('/api/checkout', checkout)
  router.post('/api/graphql', bufferBody, graphqlAuthLimit(auth))
  return router
}
