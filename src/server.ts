// Next would otherwise announce and send usage telemetry on every first start.
process.env.NEXT_TELEMETRY_DISABLED ??= '1'

import { loadConfigOrExit } from './config/env'

loadConfigOrExit()

const { startServer } = await import('./http/httpServer')
const { logger } = await import('./logger')

const server = await startServer()

// In-flight requests get this long to finish; closing the database and Redis a little more.
const GRACE_MS = 10_000
const BACKSTOP_MS = 5000

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    // Every step of close() is bounded; this is the backstop should one still hang.
    setTimeout(() => {
      logger.error({ afterMs: GRACE_MS + BACKSTOP_MS }, 'shutdown did not finish in time: exiting')
      process.exit(1)
    }, GRACE_MS + BACKSTOP_MS).unref()
    server
      .close(GRACE_MS)
      .then(() => {
        logger.info('shutdown complete')
        process.exit(0)
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      })
  })
}
