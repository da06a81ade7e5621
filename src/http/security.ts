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

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]']

/**
 * Origins whose cookie-authenticated requests Payload honours (its CSRF check): this server, the
 * storefront, CORS_ORIGINS. A loopback origin brings its other loopback spellings along: a page at
 * `http://127.0.0.1:3000` is the same local server as `http://localhost:3000`, and no other site
 * can be served from either, so trusting both keeps the CSRF defence and ends the 403s a
 * `127.0.0.1` tab got.
 */
export function trustedOrigins(
  config: Pick<Env, 'SERVER_URL' | 'STOREFRONT_URL' | 'CORS_ORIGINS'>,
): string[] {
  const origins = new Set<string>()
  for (const url of [config.SERVER_URL, config.STOREFRONT_URL, ...config.CORS_ORIGINS]) {
    const parsed = new URL(url)
    origins.add(parsed.origin)
    if (!LOOPBACK_HOSTS.includes(parsed.hostname)) continue
    for (const host of LOOPBACK_HOSTS) {
      const alias = new URL(parsed.origin)
      alias.hostname = host
      origins.add(alias.origin)
    }
  }
  return [...origins]
}
