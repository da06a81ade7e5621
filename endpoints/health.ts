import type { Endpoint } from 'payload'

/** Liveness: answers while the process serves requests, whatever its dependencies do. */
export const health: Endpoint = {
  path: '/health',
  method: 'get',
  handler: () => Response.json({ status: 'ok', uptime: Math.round(process.uptime()) }),
}
