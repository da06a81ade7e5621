import { addDataAndFileToRequest } from 'payload'
import type { PayloadRequest } from 'payload'
import { z } from 'zod'

import { DATABASE_UNAVAILABLE, databaseIsDown } from '../db/availability'
import { StoreError } from '../errors'

/**
 * The JSON body of a custom endpoint, checked against a schema: anything else is a 400 naming
 * each wrong field, before any work is done.
 */
export async function parseBody<T extends z.ZodType>(req: PayloadRequest, schema: T): Promise<z.infer<T>> {
  await addDataAndFileToRequest(req)
  const result = schema.safeParse(req.data ?? {})
  if (result.success) return result.data
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || 'body',
    message: issue.message,
  }))
  throw new StoreError(
    'BAD_REQUEST',
    `Invalid request: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}`,
    {
      errors,
    },
  )
}

export function requireUser(req: PayloadRequest): NonNullable<PayloadRequest['user']> {
  // Without a database Payload cannot look the user up and leaves req.user empty: that is an
  // outage, not a missing login.
  if (!req.user && databaseIsDown()) throw new StoreError('DATABASE_UNAVAILABLE', DATABASE_UNAVAILABLE)
  if (!req.user) throw new StoreError('UNAUTHORIZED', 'You must be logged in.')
  return req.user
}

/** Ids as the adapters use them: positive integers (SQL) or 24-hex ObjectIds (MongoDB). */
export const documentId = z.union([
  z.number().int().positive(),
  z.string().regex(/^(\d{1,15}|[a-f0-9]{24})$/i, 'must be a document id'),
])
