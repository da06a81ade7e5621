import type { ErrorRequestHandler, Response as ExpressResponse } from 'express'

import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../db/availability'
import { logger } from '../logger'

/** Payload's error shape, used by every answer that does not come from Payload itself. */
export type ErrorBody = { errors: { message: string; data?: Record<string, unknown> }[] }

export function errorBody(message: string, data?: Record<string, unknown>): ErrorBody {
  return { errors: [data ? { message, data } : { message }] }
}

export function sendError(res: ExpressResponse, status: number, message: string): void {
  if (res.headersSent) return
  res.status(status).json(errorBody(message))
}

/** Last Express error handler: client errors keep their status, anything else is a logged 500. */
export const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) return next(error)
  if (isDatabaseUnavailable(error)) return sendError(res, 503, DATABASE_UNAVAILABLE)
  const status =
    typeof error === 'object' && error && 'status' in error && typeof error.status === 'number'
      ? error.status
      : 500
  if (status >= 500) {
    logger.error({ err: error }, 'unhandled error')
    return sendError(res, 500, 'Something went wrong.')
  }
  const message = error instanceof Error && status < 500 ? error.message : 'Bad request'
  sendError(res, status, message)
}
