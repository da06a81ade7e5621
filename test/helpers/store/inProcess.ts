import type { Payload } from 'payload'

import type { RunningServer } from '../../../src/http/httpServer'
import { createTestDatabase } from '../database'
import type { TestDatabase } from '../database'
import { Mailbox } from '../mailbox'
import { STOREFRONT, TEST_SECRET, UNLIMITED, storeEnv } from './env'
import type { EnvLayer } from './env'

export type TestServer = {
  url: string
  payload: Payload
  mailbox: Mailbox
  database: TestDatabase
  server: RunningServer
  stop: () => Promise<void>
}

/**
 * Boots the real server (Express + Payload, no Next) in this process on an ephemeral port, on a
 * fresh database, with email going to a real SMTP server on loopback. One per test file: the
 * environment is read once per module graph, and Jest gives each file its own. `env` is laid over
 * the defaults; an `undefined` value removes that variable.
 */
export async function startTestServer(env: EnvLayer = {}): Promise<TestServer> {
  const database = await createTestDatabase()
  const mailbox = await new Mailbox().start()
  Object.assign(process.env, {
    ...storeEnv({
      nodeEnv: 'test',
      secret: TEST_SECRET,
      databaseUri: database.uri,
      storefront: STOREFRONT,
      smtpPort: mailbox.port,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    }),
    ...UNLIMITED,
    ...env,
  })
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key]

  const { startServer } = await import('../../../src/http/httpServer')
  const server = await startServer({ port: 0, host: '127.0.0.1', admin: false, dev: false })
  return {
    url: server.url,
    payload: server.payload,
    mailbox,
    database,
    server,
    stop: async () => {
      await server.close(1000)
      await mailbox.stop()
      await database.drop()
    },
  }
}
