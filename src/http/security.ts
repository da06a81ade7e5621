import cors from 'cors'
import helmet from 'helmet'
import type { RequestHandler } from 'express'

import type { Env } from '../config/env'

/**
 * Security headers that keep the admin UI working: Next inlines its bootstrap scripts and styles,
 * and the dev server needs eval and a websocket for hot reload.
 */
export function securityHeaders(dev: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'", ...(dev ? ["'unsafe-eval'"] : [])],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        frameAncestors: ["'self'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  })
}

/** Browsers on CORS_ORIGINS may call the API with credentials; no one else gets CORS headers. */
export function corsPolicy(config: Env): RequestHandler {
  const allowed = new Set(config.CORS_ORIGINS)
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    exposedHeaders: ['X-Request-Id', 'X-Cache', 'Retry-After'],
    maxAge: 600,
  })
}
