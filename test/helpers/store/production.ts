import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { createTestDatabase } from '../database'
import type { TestDatabase } from '../database'
import { PRODUCTION_SECRET, UNLIMITED, storeEnv } from './env'
import type { EnvLayer } from './env'
import { STORE_SCRIPT, freePort, nodeArgs, startServer } from './process'
import type { Server } from './process'

/** `npm start` without npm (see nodeArgs). */
export const SERVER_ARGS = nodeArgs(STORE_SCRIPT)

export type ProductionServer = {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string
  child: ChildProcess
  /** Resolves with the exit code once the process has exited and its output is complete. */
  exited: Promise<number | null>
  database: TestDatabase
  mediaDir: string
  /** Kills the process if it still runs (SIGKILL), then drops the database and the temp folder. */
  stop: () => Promise<void>
}

/**
 * `npm start` as a user runs it: a separate process with NODE_ENV=production (so the built admin UI
 * and the committed migrations), on a fresh empty database (TEST_DATABASE_URI's kind), uploads in a
 * temp folder, on a free port of 127.0.0.1. Resolves once `/api/health` answers. `env` is laid over
 * the defaults; an `undefined` value removes that variable.
 */
export async function startProductionServer(
  env: EnvLayer = {},
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<ProductionServer> {
  const database = await createTestDatabase()
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'store-prod-'))
  const mediaDir = path.join(tmp, 'media')
  mkdirSync(mediaDir)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const dropAll = async () => {
    await database.drop()
    rmSync(tmp, { recursive: true, force: true })
  }

  let child: Server
  try {
    child = await startServer({
      name: 'the production server',
      script: STORE_SCRIPT,
      port,
      readyPath: '/api/health',
      startTimeoutMs: timeoutMs,
      output: 'capture',
      logChars: Infinity,
      env: {
        ...storeEnv({
          nodeEnv: 'production',
          secret: PRODUCTION_SECRET,
          host: '127.0.0.1',
          databaseUri: database.uri,
          mediaDir,
          serverUrl: url,
          logLevel: 'info',
          redisUrl: '',
          smtpPort: null,
        }),
        NEXT_TELEMETRY_DISABLED: '1',
        ...UNLIMITED,
        ...env,
      },
    })
  } catch (error) {
    await dropAll()
    throw error
  }
  return {
    url,
    port,
    output: () => child.log(),
    child: child.process,
    exited: child.exited,
    database,
    mediaDir,
    stop: async () => {
      await child.kill()
      await dropAll()
    },
  }
}
