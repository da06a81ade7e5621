import { ValidationError } from 'payload'
import type { CollectionBeforeChangeHook } from 'payload'

import type { Order } from '../../../payload-types'
import { writeIfMatches } from '../../../src/db/guardedWrite'
import { StoreError } from '../../../src/errors'
import { canMove, paymentAfter } from '../../../src/orders/transitions'

/**
 * Every status change, whoever makes it, passes here: it must be an allowed move, it is claimed
 * with a conditional update (two concurrent changes from the same status: one wins, the other
 * gets 409), it is appended to `statusHistory`, and its payment consequence is applied.
 */
export const applyStatusChange: CollectionBeforeChangeHook<Order> = async ({
  data,
  operation,
  originalDoc,
  req,
}) => {
  if (operation !== 'update' || !originalDoc || !data.status) return data
  // A caller that decided on the move from a status it read (the cancel endpoint) learns when
  // someone else moved the order first, instead of "succeeding" without a change.
  const expected: unknown = req.context.expectedStatus
  // One-shot: updates nested in this one (a refund note) must not inherit it.
  delete req.context.expectedStatus
  if (typeof expected === 'string' && expected !== originalDoc.status) {
    throw new StoreError('CONFLICT', 'The order changed meanwhile; reload it and try again.')
  }
  if (data.status === originalDoc.status) return data
  const from = originalDoc.status
  const to = data.status
  if (!canMove(from, to)) {
    throw new ValidationError({
      collection: 'orders',
      errors: [{ path: 'status', message: `An order cannot go from ${from} to ${to}.` }],
    })
  }
  const claimed = await writeIfMatches(req.payload, {
    collection: 'orders',
    where: { and: [{ id: { equals: originalDoc.id } }, { status: { equals: from } }] },
    data: { status: to },
    req,
  })
  if (!claimed) throw new StoreError('CONFLICT', 'The order changed meanwhile; reload it and try again.')
  // Payload writes the whole document as it read it before the claim. Payments change beside
  // status changes (a webhook, concurrently, on another instance): their fields are left out of
  // this write, and the payment status is the one the claim found, so this write undoes none of it.
  const current = claimed
  const statusChange = { ...data }
  delete statusChange.payment
  delete statusChange.amountRefunded
  return {
    ...statusChange,
    paymentStatus: paymentAfter(
      { ...originalDoc, paymentStatus: current.paymentStatus ?? originalDoc.paymentStatus },
      to,
    ),
    statusHistory: [
      ...(originalDoc.statusHistory ?? []),
      { from, to, by: req.user?.id ?? null, at: new Date().toISOString() },
    ],
  }
}
