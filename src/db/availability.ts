import type { Payload } from 'payload'

import { logger } from '../logger'
import { withTimeout } from '../redis'

// Whether the database can be reached. A lost connection is a dependency that is down, so the
// client gets a 503 (retry later), never a 500 (a bug) — and, while it is down, never the 401 or
// 403 Payload would give a signed-in user whose account it could not look up.

export const DATABASE_UNAVAILABLE = 'The database is unavailable; try again shortly.'
const PING_TIMEOUT_MS = 2000

// Socket-level failures, from pg, libsql or the MongoDB driver.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// PostgreSQL SQLSTATEs: class 08 (connection exception), the server shutting down or starting
// (57P01–57P03), too many connections (53300).
const SQLSTATE = /^(08\w{3}|57P0[123]|53300)$/
// pg's own errors carry no code.
const MESSAGE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended unexpectedly|terminating connection due to administrator command|MongoServerSelectionError|MongoNetworkError/i

/** True when `error` (or what caused it: drizzle and Payload wrap driver errors) is a lost connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>()
  let current: unknown = error
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current)
    const { code, message, name } = current as { code?: unknown; message?: unknown; name?: unknown }
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true
    if (typeof message === 'string' && MESSAGE.test(message)) return true
    if (typeof name === 'string' && MESSAGE.test(name)) return true
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner)))
      return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

let downSince: number | undefined

export function databaseIsDown(): boolean {
  return downSince !== undefined
}

/** Called on any sign of a lost connection; logged once per outage. */
export function markDatabaseDown(error?: unknown): void {
  if (downSince !== undefined) return
  downSince = Date.now()
  logger.error({ err: error }, 'database unavailable')
}

function markDatabaseUp(): void {
  if (downSince === undefined) return
  logger.info({ downForMs: Date.now() - downSince }, 'database connection restored')
  downSince = undefined
}

let probing: Promise<boolean> | undefined

/**
 * Pings the database (any adapter: a count of users touches nothing else), at most one ping in
 * flight however many requests ask, and never longer than PING_TIMEOUT_MS.
 */
export function pingDatabase(payload: Payload): Promise<boolean> {
  probing ??= withTimeout(payload.db.count({ collection: 'users', where: {} }), PING_TIMEOUT_MS)
    .then(
      () => {
        markDatabaseUp()
        return true
      },
      (error: unknown) => {
        // A slow answer under load is not an outage: only a lost connection marks it down.
        if (isDatabaseUnavailable(error)) markDatabaseDown(error)
        return false
      },
    )
    .finally(() => {
      probing = undefined
    })
  return probing
}

// The adapter operations every Payload operation goes through.
const OPERATIONS = [
  'count',
  'create',
  'deleteMany',
  'deleteOne',
  'find',
  'findDistinct',
  'findGlobal',
  'findOne',
  'queryDrafts',
  'updateGlobal',
  'updateMany',
  'updateOne',
  'upsert',
  'beginTransaction',
  'commitTransaction',
  'rollbackTransaction',
] as const
const WATCHED = Symbol.for('store.db.watched')

/**
 * Watches every adapter call: a lost connection marks the database down at once (even where
 * Payload swallows the error, as its JWT strategy does, answering "not logged in"), and any
 * successful call marks it up again.
 */
export function watchDatabase(payload: Payload): void {
  const db = payload.db as unknown as Record<string | symbol, unknown>
  if (db[WATCHED]) return
  db[WATCHED] = true
  for (const name of OPERATIONS) {
    const original = db[name]
    if (typeof original !== 'function') continue
    db[name] = function watched(this: unknown, ...args: unknown[]): unknown {
      const result: unknown = Reflect.apply(original, this, args)
      if (!(result instanceof Promise)) return result
      return result.then(
        (value: unknown) => {
          markDatabaseUp()
          return value
        },
        (error: unknown) => {
          if (isDatabaseUnavailable(error)) markDatabaseDown(error)
          throw error
        },
      )
    }
  }
}
