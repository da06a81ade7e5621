import type { RequestHandler } from 'express'
import type { Payload } from 'payload'

import { DATABASE_UNAVAILABLE, databaseIsDown, pingDatabase } from '../db/availability'
import { sendError } from './errors'

// Liveness and readiness answer for themselves, whatever the database does.
const UNGATED = new Set(['/api/health', '/api/ready'])

/**
 * While the database is known to be down, an API request first pings it (one ping shared by
 * all, at most 2 s) and answers 503 at once when it is still down — rather than let Payload
 * treat a signed-in user it cannot look up as anonymous (401/403). The first request after the
 * database is back goes through and everything resumes by itself.
 */
export function databaseGate(payload: Payload): RequestHandler {
  return (req, res, next) => {
    if (!databaseIsDown() || UNGATED.has(req.originalUrl.split('?')[0] ?? '')) return next()
    pingDatabase(payload).then(
      (up) => {
        if (up) return next()
        res.setHeader('Retry-After', '1')
        sendError(res, 503, DATABASE_UNAVAILABLE)
      },
      (error: unknown) => next(error),
    )
  }
}
