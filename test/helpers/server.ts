import type { Payload } from 'payload'

import type { RunningServer } from '../../src/http/httpServer'
import { createTestDatabase } from './database'
import type { TestDatabase } from './database'
import { Mailbox } from './mailbox'

export const STOREFRONT = 'http://storefront.test'

/**
 * Every test talks from 127.0.0.1 and signs in, registers and checks out far more often than
 * the production limits allow: tests run without them unless they set their own.
 */
export const UNLIMITED = {
  RATE_LIMIT_AUTH_MAX: '1000000',
  RATE_LIMIT_CHECKOUT_MAX: '1000000',
  RATE_LIMIT_COUPON_MAX: '1000000',
  RATE_LIMIT_GRAPHQL_MAX: '1000000',
}

export type TestServer = {
  url: string
  payload: Payload
  mailbox: Mailbox
  database: TestDatabase
  server: RunningServer
  stop: () => Promise<void>
}

/**
 * Boots the real server (Express + Payload, no Next) on an ephemeral port, on a fresh database,
 * with email going to a real SMTP server on loopback. One per test file: the environment is read
 * once per module graph, and Jest gives each file its own.
 */
export async function startTestServer(env: Record<string, string | undefined> = {}): Promise<TestServer> {
  const database = await createTestDatabase()
  const mailbox = await new Mailbox().start()
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URI: database.uri,
    PAYLOAD_SECRET: 'test-secret-0123456789abcdef0123456789',
    STOREFRONT_URL: STOREFRONT,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mailbox.port),
    SMTP_SECURE: 'false',
    EMAIL_FROM: 'Test Store <store@example.test>',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...UNLIMITED,
    ...env,
  })
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key]

  const { startServer } = await import('../../src/http/httpServer')
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
