import type { Endpoint } from 'payload'
import { z } from 'zod'

import { env } from '../src/config/env'
import { pingDatabase } from '../src/db/availability'
import { documented } from '../src/openapi/describe'
import { pingRedis } from '../src/redis'

/** Readiness: 200 when the database (and Redis, when configured) answer, else 503 naming what is down. */
export const ready: Endpoint = documented(
  {
    path: '/ready',
    method: 'get',
    handler: async (req) => {
      const [database, cache] = await Promise.all([pingDatabase(req.payload), pingRedis()])
      const checks: Record<string, 'up' | 'down'> = { database: database ? 'up' : 'down' }
      if (env().REDIS_URL) checks.redis = cache ? 'up' : 'down'
      const down = Object.keys(checks).filter((name) => checks[name] === 'down')
      if (down.length === 0) return Response.json({ status: 'ready', checks })
      return Response.json(
        { errors: [{ message: `Not ready: ${down.join(', ')} down`, data: { checks } }] },
        { status: 503 },
      )
    },
  },
  {
    summary: 'Readiness',
    tag: 'Operations',
    audience: 'anyone',
    responses: {
      200: {
        description: 'the database (and Redis, when configured) answer',
        body: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.enum(['up', 'down'])) }),
      },
      503: { description: 'a dependency is down: the message names it, `data.checks` has each' },
    },
  },
)
