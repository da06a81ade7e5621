import type { Endpoint } from 'payload'
import { z } from 'zod'

import { documented } from '../src/openapi/describe'

/** Liveness: answers while the process serves requests, whatever its dependencies do. */
export const health: Endpoint = documented(
  {
    path: '/health',
    method: 'get',
    handler: () => Response.json({ status: 'ok', uptime: Math.round(process.uptime()) }),
  },
  {
    summary: 'Liveness',
    tag: 'Operations',
    audience: 'anyone',
    responses: {
      200: {
        description: 'the process serves',
        body: z.object({ status: z.literal('ok'), uptime: z.number().int().describe('seconds') }),
      },
    },
  },
)
