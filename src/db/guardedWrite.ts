import type { CollectionSlug, DataFromCollectionSlug, Payload, PayloadRequest, Where } from 'payload'

// The one way the store changes a row that guards a limit or a state (stock, coupon uses, order
// numbers, a status, a payment, a cart revision, a lease): a SINGLE statement that writes only
// if the row still matches its guard — `UPDATE … SET … WHERE guard RETURNING *` on the SQL
// adapters, `findOneAndUpdate` on MongoDB. The database evaluates the guard and the write
// together, so any number of requests and instances sharing the database are as safe as one,
// with or without a surrounding transaction. docs/atomicity.md lists every guard.

export type GuardedWrite<S extends CollectionSlug> = {
  collection: S
  /** The guard: the row is written only if it still matches this, at the moment of the write. */
  where: Where
  /** Field values, or `increment(n)` for a counter. */
  data: Record<string, unknown>
  /** The request whose transaction the write joins. Omitted: it commits on its own at once. */
  req?: PayloadRequest
}

/** The row as the write left it (the fields the adapter returns), or null: the guard failed. */
export async function writeIfMatches<S extends CollectionSlug>(
  payload: Payload,
  { collection, where, data, req }: GuardedWrite<S>,
): Promise<Partial<DataFromCollectionSlug<S>> | null> {
  const row: unknown = await payload.db.updateOne({
    collection,
    where,
    data,
    options: { atomic: true },
    ...(req ? { req } : {}),
  })
  return row && typeof row === 'object' ? (row as Partial<DataFromCollectionSlug<S>>) : null
}

/** `data` value that adds `by` to a number in the same statement (never read, then written). */
export const increment = (by: number): { $inc: number } => ({ $inc: by })

/**
 * `data` value that appends `row` to an array field without rewriting the rows already there (a
 * concurrent append is never lost, and no other array of the document is touched).
 */
export const appendRow = <T extends object>(row: T): { $push: T } => ({ $push: row })
