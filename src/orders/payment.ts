import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import { writeIfMatches } from '../db/guardedWrite'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { noteOrderAfter } from './change'
import { paymentSources } from './transitions'
import type { PaymentStatus } from './transitions'

// The payment side of an order. Every payment change is one guarded statement on the order's row
// (from the payment status it was read with), so duplicates and late events change nothing and a
// concurrent status move is never overwritten by a payment note, nor the other way round.

type PaymentFields = NonNullable<Order['payment']>
export type PaymentChanges = { amountRefunded?: number; payment?: PaymentFields }

/** Retries of a payment move that a concurrent change beat between its read and its write. */
const ATTEMPTS = 5

export async function reloadOrder(req: PayloadRequest, id: DocId): Promise<Order> {
  return req.payload.findByID({ collection: 'orders', id, depth: 0, req })
}

/** `order` with the lifecycle fields of the row a guarded write returned. */
export function withRow(order: Order, row: Partial<Order> | null): Order {
  const fresh = row ?? {}
  return {
    ...order,
    status: fresh.status ?? order.status,
    paymentStatus: fresh.paymentStatus ?? order.paymentStatus,
    amountRefunded: fresh.amountRefunded ?? order.amountRefunded,
    payment: fresh.payment ?? order.payment,
    updatedAt: fresh.updatedAt ?? order.updatedAt,
  }
}

/**
 * Moves the payment status to `to` if the rules allow it from the status the order has now,
 * together with `changes` (computed from the order as read), in one statement.
 */
export async function movePayment(
  req: PayloadRequest,
  id: DocId,
  to: PaymentStatus,
  changes: (order: Order) => PaymentChanges = () => ({}),
  from: readonly PaymentStatus[] = paymentSources(to),
): Promise<{ order: Order; moved: boolean }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await reloadOrder(req, id)
    if (!from.includes(order.paymentStatus)) return { order, moved: false }
    const row = await writeIfMatches(req.payload, {
      collection: 'orders',
      where: { and: [{ id: { equals: id } }, { paymentStatus: { equals: order.paymentStatus } }] },
      data: { paymentStatus: to, ...changes(order) },
      req,
    })
    if (row) {
      const after = withRow(order, row)
      await noteOrderAfter(req, after, { before: order })
      return { order: after, moved: true }
    }
  }
  throw new StoreError('CONFLICT', 'The order kept changing; try again.')
}

/** Writes payment references or notes (and nothing else) in one statement. */
export async function recordPayment(
  req: PayloadRequest,
  id: DocId,
  payment: Partial<PaymentFields>,
): Promise<Order> {
  const order = await reloadOrder(req, id)
  const row = await writeIfMatches(req.payload, {
    collection: 'orders',
    where: { id: { equals: id } },
    data: { payment: { ...order.payment, ...payment } },
    req,
  })
  return withRow(order, row)
}

/**
 * Records the cumulative amount refunded, which only grows: a duplicate or an older report
 * (events arrive out of order) matches nothing.
 */
export async function recordAmountRefunded(req: PayloadRequest, id: DocId, amount: number): Promise<void> {
  await writeIfMatches(req.payload, {
    collection: 'orders',
    where: {
      and: [
        { id: { equals: id } },
        { or: [{ amountRefunded: { less_than: amount } }, { amountRefunded: { exists: false } }] },
      ],
    },
    data: { amountRefunded: amount },
    req,
  })
}
