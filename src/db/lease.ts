import type { CollectionSlug, DataFromCollectionSlug, Payload, PayloadRequest, Where } from 'payload'

import { writeIfMatches } from './guardedWrite'

// A lease: a row that at most one instance holds at a time, until a moment stored on the row.
// Taking it is one guarded write (`WHERE <row> AND (until < now OR until IS NULL)`), so of any
// number of instances trying at once exactly one wins, and a holder that died loses it when the
// moment passes. Used by the Stripe sweep (one sweep at a time) and the email outbox (one sender
// per email).

/** A moment as the row stores it: epoch milliseconds in a number field, ISO text in a date field. */
export type Moment = number | string

export type LeaseClaim<S extends CollectionSlug> = {
  collection: S
  /** Which row, plus any guard of the caller's own (a state, an attempt count). */
  where: Where
  /** The field holding the moment the current lease ends. */
  field: string
  now: Moment
  until: Moment
  /** Other fields written by the same statement. */
  data?: Record<string, unknown>
  req?: PayloadRequest
}

/** The row as the claim left it, or null: someone else holds the lease, or the guard failed. */
export function claimLease<S extends CollectionSlug>(
  payload: Payload,
  { collection, where, field, now, until, data = {}, req }: LeaseClaim<S>,
): Promise<Partial<DataFromCollectionSlug<S>> | null> {
  const free: Where = { or: [{ [field]: { less_than: now } }, { [field]: { exists: false } }] }
  return writeIfMatches(payload, {
    collection,
    where: { and: [where, free] },
    data: { ...data, [field]: until },
    req,
  })
}

/**
 * A named lease on a counters row (created on first use): whether this instance holds it for the
 * next `seconds`.
 */
export async function takeNamedLease(
  payload: Payload,
  name: string,
  now: number,
  seconds: number,
): Promise<boolean> {
  const until = now + seconds * 1000
  const won = await claimLease(payload, {
    collection: 'counters',
    where: { name: { equals: name } },
    field: 'value',
    now,
    until,
  })
  if (won) return true
  const exists = await payload.count({ collection: 'counters', where: { name: { equals: name } } })
  if (exists.totalDocs > 0) return false
  try {
    await payload.create({ collection: 'counters', data: { name, value: until } })
    return true
  } catch {
    return false
  }
}
