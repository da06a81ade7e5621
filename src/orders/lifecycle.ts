import { ValidationError } from 'payload'
import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import { returnCouponUses } from '../coupons/redemption'
import { appendRow, writeIfMatches } from '../db/guardedWrite'
import { newRowId } from '../db/ids'
import type { DocId } from '../db/ids'
import { withTransaction } from '../db/transaction'
import { StoreError } from '../errors'
import { returnOrderStock } from '../inventory/stock'
import { inOrderChange, noteOrderAfter } from './change'
import { reloadOrder, withRow } from './payment'
import { settleCancelledCardOrder } from './settlement'
import { mayMove, paymentOnArrival } from './transitions'
import type { Actor, OrderStatus } from './transitions'

// The one place an order comes into being and changes status. Whoever asks — checkout, the cancel
// endpoint, an admin's PATCH (through the collection's hook), a Stripe event or the sweep — the
// move is checked against the table in transitions.ts, claimed by one guarded write, recorded in
// statusHistory, followed by its effects, and announced once the whole change has committed.

export type Cause = { actor: Actor }

/** What checkout decides about a new order; the lifecycle adds its status, history and dates. */
export type NewOrder = Omit<
  Order,
  'id' | 'status' | 'paymentStatus' | 'statusHistory' | 'amountRefunded' | 'createdAt' | 'updatedAt'
>

/**
 * Writes a new, pending and unpaid order (through the adapter: every value is computed by
 * checkout, so Payload's create operation would only validate what cannot be wrong, ~1 ms of the
 * server's one thread per checkout) and queues order.created for after the commit.
 */
export async function openOrder(req: PayloadRequest, data: NewOrder, by: DocId | null): Promise<Order> {
  const at = new Date().toISOString()
  const written = (await req.payload.db.create({
    collection: 'orders',
    data: {
      ...data,
      status: 'pending',
      paymentStatus: 'unpaid',
      statusHistory: [{ id: newRowId(), from: null, to: 'pending', by, at }],
      createdAt: at,
      updatedAt: at,
    },
    req,
  })) as Order
  // The adapter answers every column; a guest order's token hash is hidden (never answered).
  const order: Order = { ...written }
  delete order.orderTokenHash
  await noteOrderAfter(req, order, { created: true })
  return order
}

/**
 * Moves `order` (as the caller read it) to `to` on behalf of `cause`, all or nothing, and returns
 * the order as the move and its effects left it. Throws 400 for a move that does not exist or is
 * not the actor's to make, 409 when the order is no longer in the status it was read with (of two
 * concurrent moves from one status, one wins).
 */
export async function transition(
  req: PayloadRequest,
  order: Order,
  to: OrderStatus,
  cause: Cause,
): Promise<Order> {
  const from = order.status
  if (!mayMove(from, to, cause.actor)) {
    throw new ValidationError({
      collection: 'orders',
      errors: [{ path: 'status', message: `An order cannot go from ${from} to ${to}.` }],
    })
  }
  return withTransaction(req, () =>
    inOrderChange(req, async () => {
      const at = new Date().toISOString()
      const paid = paymentOnArrival(order, to)
      const row = await writeIfMatches(req.payload, {
        collection: 'orders',
        where: { and: [{ id: { equals: order.id } }, { status: { equals: from } }] },
        data: { status: to, ...(paid && { paymentStatus: paid }), updatedAt: at },
        req,
      })
      if (!row) throw new StoreError('CONFLICT', 'The order changed meanwhile; reload it and try again.')
      // Arrays live outside the order's row on the SQL adapters, so the history is a second write,
      // an append: the claim above already lets no other move of this order through.
      const entry = { id: newRowId(), from, to, by: req.user?.id ?? null, at }
      await req.payload.db.updateOne({
        collection: 'orders',
        id: order.id,
        data: { statusHistory: appendRow(entry), updatedAt: at },
        req,
      })
      const statusHistory = [...(order.statusHistory ?? []), entry]
      const moved = { ...withRow(order, row), statusHistory }
      await noteOrderAfter(req, moved, { before: order })
      if (to === 'cancelled') await release(req, moved)
      return reloadOrder(req, order.id)
    }),
  )
}

/**
 * A cancelled order gives back its stock and its coupon use, and a card order its money (or its
 * open Checkout Session), once: the claim lets only one cancellation through.
 */
async function release(req: PayloadRequest, order: Order): Promise<void> {
  // Coupon uses before stock, the order checkout takes them in: a cancellation and a checkout
  // lock rows in the same sequence and cannot deadlock on PostgreSQL.
  await returnCouponUses(req, order)
  await returnOrderStock(req, order)
  await settleCancelledCardOrder(req, order)
}
