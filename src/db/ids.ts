import { randomBytes } from 'node:crypto'

import type { User } from '../../payload-types'
import { isValidID } from 'payload'
import type { Payload } from 'payload'

/** Whether `id` can be a document id on this database (integers on SQL, ObjectIds on MongoDB). */
export function isDocumentId(payload: Payload, id: unknown): id is number | string {
  if (payload.db.defaultIDType === 'number') {
    return (
      (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) ||
      (typeof id === 'string' && /^\d{1,15}$/.test(id))
    )
  }
  return (typeof id === 'string' || typeof id === 'number') && isValidID(String(id), 'ObjectID')
}

/** The id in the form the adapter stores it (SQL ids are numbers even when they came as text). */
export function normaliseId(payload: Payload, id: number | string): number | string {
  return payload.db.defaultIDType === 'number' ? Number(id) : String(id)
}

/**
 * Document ids as the generated types spell them. (Generated on SQL, where they are numbers; on
 * MongoDB the same values are ObjectId strings at run time, which this code never does arithmetic on.)
 */
export type DocId = User['id']

/** The id of a relationship value, populated or not. */
export function refOf(value: unknown): DocId | undefined {
  if (typeof value === 'number' || typeof value === 'string') return value as DocId
  if (value && typeof value === 'object' && 'id' in value) return refOf(value.id)
  return undefined
}

/** An id for an array row written through the adapter (Payload's own are 24 hex digits too). */
export const newRowId = (): string => randomBytes(12).toString('hex')
