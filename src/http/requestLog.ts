import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

import type { Request, Response } from 'express'
import { pinoHttp } from 'pino-http'

import { logger } from '../logger'

const SAFE_ID = /^[\w.:-]{1,128}$/

/** The request's id: the caller's X-Request-Id when it is sane, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id']
  return typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID()
}

function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdOf(req)
  res.setHeader('X-Request-Id', id)
  return id
}

/**
 * One line per request: method, path (no query string: it can carry tokens), status, duration
 * and the request id, taken from X-Request-Id when it is sane and echoed back.
 */
export const requestLog = pinoHttp<Request, Response>({
  logger,
  genReqId: assignRequestId,
  customLogLevel: (_req, res, error) => {
    if (error || res.statusCode >= 500) return 'error'
    if (res.statusCode >= 400) return 'warn'
    return 'info'
  },
  wrapSerializers: false,
  serializers: {
    req: (req: { id: string; method: string; url: string }) => ({
      id: req.id,
      method: req.method,
      path: req.url.split('?')[0],
    }),
    res: (res: { statusCode: number }) => ({ status: res.statusCode }),
  },
  customSuccessMessage: (req, res, duration) =>
    `${req.method} ${(req.originalUrl ?? req.url ?? '').split('?')[0]} ${res.statusCode} ${Math.round(duration)}ms`,
  customErrorMessage: (req, res) =>
    `${req.method} ${(req.originalUrl ?? req.url ?? '').split('?')[0]} ${res.statusCode}`,
  customAttributeKeys: { responseTime: 'durationMs' },
})
