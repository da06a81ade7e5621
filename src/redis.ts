import { Redis } from 'ioredis'

import { env } from './config/env'
import { logger } from './logger'

const connections = new Map<string, Redis>()

/**
 * A named Redis connection (`main` for commands, others for subscriptions), or undefined when
 * REDIS_URL is unset (single instance, in-process fallbacks).
 */
export function redis(name = 'main'): Redis | undefined {
  const url = env().REDIS_URL
  if (!url) return undefined
  let client = connections.get(name)
  if (!client) {
    client = new Redis(url, {
      connectionName: `store-${name}`,
      // Fail fast instead of queueing: callers fall back (no cache) while Redis is away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    })
    let healthy = true
    // Logged on each change of state only, so a dead Redis does not flood the log.
    client.on('error', (error: Error) => {
      if (healthy) logger.error({ err: error, connection: name }, 'redis unavailable')
      healthy = false
    })
    client.on('ready', () => {
      if (!healthy) logger.info({ connection: name }, 'redis connection restored')
      healthy = true
    })
    connections.set(name, client)
  }
  return client
}

export async function pingRedis(timeoutMs = 1000): Promise<boolean> {
  const connection = redis()
  if (!connection) return true
  try {
    // Commands fail at once while disconnected (no offline queue): give a connection in
    // progress the same time budget to become ready.
    if (connection.status !== 'ready') {
      await withTimeout(new Promise((resolve) => connection.once('ready', resolve)), timeoutMs)
    }
    const reply = await withTimeout(connection.ping(), timeoutMs)
    return reply === 'PONG'
  } catch {
    return false
  }
}

// How long a closing connection may take to say goodbye before it is cut.
const QUIT_WAIT_MS = 1000

/**
 * Closes `client` politely when Redis answers, and within QUIT_WAIT_MS in any case: QUIT waits in
 * the offline queue of a client that is reconnecting (forever, while Redis is down), so after the
 * wait the connection is cut, which also stops its reconnection attempts.
 */
export async function closeRedisClient(client: Redis, waitMs = QUIT_WAIT_MS): Promise<void> {
  try {
    if (client.status === 'ready') await withTimeout(client.quit(), waitMs)
  } catch {
    // Cut below.
  } finally {
    client.disconnect(false)
  }
}

export async function closeRedis(): Promise<void> {
  const closing = [...connections.values()]
  connections.clear()
  await Promise.all(closing.map((client) => closeRedisClient(client)))
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
