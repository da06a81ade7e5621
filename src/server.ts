// Next would otherwise announce and send usage telemetry on every first start.
process.env.NEXT_TELEMETRY_DISABLED ??= '1'

import { loadConfigOrExit } from './config/env'

loadConfigOrExit()

const { startServer } = await import('./http/server')
const { logger } = await import('./logger')

const server = await startServer()

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    server
      .close()
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
