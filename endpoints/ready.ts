import type { Endpoint, PayloadRequest } from 'payload'

import { env } from '../src/config/env'
import { pingRedis, withTimeout } from '../src/redis'

async function pingDatabase(req: PayloadRequest): Promise<boolean> {
  try {
    // Any adapter-neutral query will do; counting users touches the database and nothing else.
    await withTimeout(req.payload.db.count({ collection: 'users', where: {} }), 2000)
    return true
  } catch {
    return false
  }
}

/** Readiness: 200 when the database (and Redis, when configured) answer, else 503 naming what is down. */
export const ready: Endpoint = {
  path: '/ready',
  method: 'get',
  handler: async (req) => {
    const [database, cache] = await Promise.all([pingDatabase(req), pingRedis()])
    const checks: Record<string, 'up' | 'down'> = { database: database ? 'up' : 'down' }
    if (env().REDIS_URL) checks.redis = cache ? 'up' : 'down'
    const down = Object.keys(checks).filter((name) => checks[name] === 'down')
    if (down.length === 0) return Response.json({ status: 'ready', checks })
    return Response.json(
      { errors: [{ message: `Not ready: ${down.join(', ')} down`, data: { checks } }] },
      { status: 503 },
    )
  },
}
