import http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

import express from 'express'
import next from 'next'
import { getPayload } from 'payload'
import type { Payload } from 'payload'

import config from '../../payload.config'
import { env } from '../config/env'
import { keepPoolErrorsFromCrashing } from '../db/adapter'
import { markDatabaseDown, watchDatabase } from '../db/availability'
import { startEmailOutbox } from '../email/outbox/sender'
import { logger } from '../logger'
import { catalogCache } from '../cache'
import { catalogCacheLayer } from '../cache/httpCache'
import { startGuestCartSweep } from '../cart/guestCarts'
import { startStripeSweep } from '../payments/sweep'
import { attachRealtime } from '../realtime/socketServer'
import { closeRedis, redis, withTimeout } from '../redis'
import { accountPages } from './accountPages'
import { databaseGate } from './databaseGate'
import { errorHandler, sendError } from './errors'
import { payloadRoutes } from './payloadRoutes'
import { rateLimits } from './rateLimits'
import { requestIdOf, requestLog } from './requestLog'
import { trackConnections } from './shutdown'
import { corsPolicy, securityHeaders } from './security'

// How long one dependency may take to close at shutdown (after the requests have been answered).
const CLOSE_STEP_MS = 2000

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export type ServerOptions = {
  port?: number
  host?: string
  /** Serve the admin UI through Next (needs `npm run build` unless dev). Tests of the API skip it. */
  admin?: boolean
  dev?: boolean
}

export type RunningServer = {
  url: string
  port: number
  payload: Payload
  httpServer: http.Server
  /** Stops accepting, lets in-flight requests finish, then closes the database and Redis. */
  close: (graceMs?: number) => Promise<void>
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const settings = env()
  const dev = options.dev ?? settings.NODE_ENV === 'development'
  const port = options.port ?? settings.PORT
  const host = options.host ?? settings.HOST
  const withAdmin = options.admin ?? settings.SERVE_ADMIN

  const payload = await getPayload({ config })
  watchDatabase(payload)
  keepPoolErrorsFromCrashing(payload.db, (error) => {
    logger.warn({ err: error }, 'database connection lost; the pool reconnects')
    markDatabaseDown(error)
  })
  // Connect now rather than on the first request that needs Redis.
  redis()

  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', settings.TRUST_PROXY > 0 ? settings.TRUST_PROXY : false)
  const cors = corsPolicy(settings)
  app.use(requestLog)
  app.use(securityHeaders(dev))
  app.use('/api', cors)
  app.use(rateLimits(settings, redis(), new TextEncoder().encode(payload.secret)))
  app.use('/api', databaseGate(payload))
  app.use(payloadRoutes(config, dev))
  app.use(accountPages(settings))

  const cache = catalogCache()
  await cache.start()
  const httpServer = http.createServer(
    settings.CATALOG_CACHE
      ? catalogCacheLayer({
          store: cache,
          secret: new TextEncoder().encode(payload.secret),
          app,
          requestLog: (req, res, next) => requestLog(req as express.Request, res as express.Response, next),
          logsSuccess: logger.isLevelEnabled('info'),
          requestId: requestIdOf,
          cors: (req, res, next) => cors(req as express.Request, res as express.Response, next),
        })
      : app,
  )
  const drain = trackConnections(httpServer)
  const realtime = attachRealtime(httpServer, payload)

  if (withAdmin) {
    const nextApp = next({ dev, dir: root, hostname: host, port, httpServer })
    await nextApp.prepare()
    const handle = nextApp.getRequestHandler()
    app.get('/', (_req, res) => res.redirect(302, '/admin'))
    app.use((req, res) => handle(req, res))
    if (dev) {
      // Next's hot-reload socket; Socket.IO takes its own path before this.
      const upgrade = nextApp.getUpgradeHandler()
      httpServer.on('upgrade', (req, socket, head) => {
        if (!req.url?.startsWith('/socket.io/')) void upgrade(req, socket, head)
      })
    }
  } else {
    app.use((_req, res) => sendError(res, 404, 'Not found'))
  }
  app.use(errorHandler)

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject)
      resolve()
    })
  })
  const actualPort = (httpServer.address() as AddressInfo).port
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${actualPort}`
  // The URL to open is SERVER_URL: cookie sign-ins count only from trusted origins (security.ts).
  logger.info(
    { url, open: settings.SERVER_URL, trustedOrigins: payload.config.csrf, admin: withAdmin, dev },
    `server listening: open ${settings.SERVER_URL}`,
  )

  if (settings.CATALOG_CACHE && !settings.REDIS_URL) {
    logger.warn(
      'catalog cache: in this process only (REDIS_URL unset). Writes by another process (npm run seed, a script, a second instance) are not seen here for up to 5 minutes: restart after seeding, or set REDIS_URL.',
    )
  }

  const stopSweep = startStripeSweep(payload)
  const stopGuestSweep = startGuestCartSweep(payload)
  const stopEmails = startEmailOutbox(payload)

  let closing: Promise<void> | undefined
  const step = (name: string, closed: Promise<void>): Promise<void> =>
    withTimeout(closed, CLOSE_STEP_MS).catch((error: unknown) =>
      logger.warn(
        { err: error, dependency: name },
        'shutdown: closing it failed or timed out; left to the exit',
      ),
    )
  const close = (graceMs = 10_000): Promise<void> => {
    closing ??= (async () => {
      stopSweep()
      stopGuestSweep()
      stopEmails()
      // New connections are refused from here on; every request accepted is still answered.
      const drained = drain(graceMs)
      // Each step is bounded, so that a dependency that is down (Redis, the database) cannot hold
      // the shutdown past its grace period: what has not closed by then is left to the exit.
      await step('real-time', realtime.close())
      await drained
      await step('database', payload.destroy())
      await step('redis', closeRedis())
    })()
    return closing
  }

  return { url, port: actualPort, payload, httpServer, close }
}
