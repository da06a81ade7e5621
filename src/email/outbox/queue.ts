import type { PayloadRequest } from 'payload'

import type { DocId } from '../../db/ids'
import type { EmailKind } from './kinds'

// Writing order emails to the outbox, with the order change that calls for them: in its
// transaction where the adapter has one (a rollback takes the email with it), or, without one
// (SQLite), as a step the change's compensation removes again (discardOrderEmails).

/**
 * Without a transaction a row is visible before the change has finished, and a failed change may
 * still remove its order: the poller leaves such a row alone this long, while the change's own
 * after-commit kick sends it at once once the change has succeeded.
 */
const UNCOMMITTED_HOLD_MS = 60_000

/** One email per order and event, whoever writes it and however often. */
export const emailKey = (order: DocId, kind: EmailKind): string => `${String(order)}:${kind}`

/** Writes the emails `kinds` of `order` (those not written yet); the ids of the rows written. */
export async function queueOrderEmails(
  req: PayloadRequest,
  order: DocId,
  kinds: EmailKind[],
): Promise<DocId[]> {
  if (kinds.length === 0) return []
  const transaction: unknown = await req.transactionID
  const now = Date.now()
  const nextAttemptAt = new Date(transaction ? now : now + UNCOMMITTED_HOLD_MS).toISOString()
  const ids: DocId[] = []
  for (const kind of kinds) {
    const key = emailKey(order, kind)
    // The lifecycle makes each event happen once per order; the unique key is the backstop. It is
    // checked first because a failed insert would abort a PostgreSQL transaction.
    const existing = await req.payload.db.findOne({
      collection: 'order-emails',
      where: { key: { equals: key } },
      req,
    })
    if (existing) continue
    const at = new Date(now).toISOString()
    try {
      const row = (await req.payload.db.create({
        collection: 'order-emails',
        data: {
          key,
          order,
          kind,
          state: 'pending',
          attempts: 0,
          nextAttemptAt,
          createdAt: at,
          updatedAt: at,
        },
        req,
      })) as { id: DocId }
      ids.push(row.id)
    } catch (error) {
      // Without a transaction (SQLite) two changes of one order can both pass the check above (a
      // cancellation and a late payment both calling for the refund email): the unique key lets
      // one row in, and the other change goes on without writing its own. In a transaction the
      // order's row lock has already serialised them, so a failure there is a real one.
      if (transaction) throw error
      const written = await req.payload.db.findOne({
        collection: 'order-emails',
        where: { key: { equals: key } },
        req,
      })
      if (!written) throw error
    }
  }
  return ids
}

/** The compensation of an order that is being undone (SQLite checkout): its emails go too. */
export async function discardOrderEmails(req: PayloadRequest, order: DocId): Promise<void> {
  await req.payload.db.deleteMany({ collection: 'order-emails', where: { order: { equals: order } }, req })
}
