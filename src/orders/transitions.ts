import type { Order } from '../../payload-types'

// Every order status rule lives here: which moves exist, who may make each, and what follows from
// them. src/orders/lifecycle.ts is the one place that makes a move.

export type OrderStatus = Order['status']
export type PaymentStatus = Order['paymentStatus']

/**
 * Who asks for a move: the order's owner (the cancel endpoint), an admin (the cancel endpoint or
 * the admin UI / REST / GraphQL), or the payment provider (a webhook event, or the sweep that
 * stands in for a lost one).
 */
export type Actor = 'customer' | 'admin' | 'payment'

const ANYONE: readonly Actor[] = ['customer', 'admin', 'payment']

/** The moves that exist, and who may make each. Anything not listed is refused. */
const MOVES: Record<OrderStatus, Partial<Record<OrderStatus, readonly Actor[]>>> = {
  pending: { processing: ['admin', 'payment'], cancelled: ANYONE },
  processing: { shipped: ['admin'], cancelled: ANYONE },
  shipped: { delivered: ['admin'] },
  delivered: {},
  cancelled: {},
}

export const ORDER_STATUSES = Object.keys(MOVES) as OrderStatus[]

/** Whether `actor` may move an order from `from` to `to`. */
export function mayMove(from: OrderStatus, to: OrderStatus, actor: Actor): boolean {
  return MOVES[from][to]?.includes(actor) ?? false
}

/** The statuses `actor` may move an order in `from` to, in the table's order (the order page's buttons). */
export function allowedMoves(from: OrderStatus, actor: Actor): OrderStatus[] {
  return ORDER_STATUSES.filter((to) => mayMove(from, to, actor))
}

/** The payment consequence of a move, when it has one: a delivered cash-on-delivery order is paid. */
export function paymentOnArrival(
  order: Pick<Order, 'paymentMethod'>,
  to: OrderStatus,
): PaymentStatus | undefined {
  return to === 'delivered' && order.paymentMethod === 'cod' ? 'paid' : undefined
}

/**
 * Payment moves only forward: unpaid → paid → refunded, or unpaid → failed (and failed → paid,
 * when a payment still succeeds after its session was given up). A late or repeated event that
 * would move it back is ignored.
 */
const PAYMENT_FROM: Record<PaymentStatus, readonly PaymentStatus[]> = {
  unpaid: [],
  failed: ['unpaid'],
  paid: ['unpaid', 'failed'],
  refunded: ['paid'],
}

export function paymentSources(to: PaymentStatus): readonly PaymentStatus[] {
  return PAYMENT_FROM[to]
}

/**
 * A refund Stripe has confirmed is recorded whatever the order shows but refunded: without
 * transactions (SQLite) a cancellation written at the same moment as the payment can leave the
 * payment status it read (unpaid), and the money has come and gone back all the same.
 */
export const CONFIRMED_REFUND_FROM: readonly PaymentStatus[] = ['unpaid', 'failed', 'paid']

/** A refund of `refunded` (cumulative) out of `amount` ends the payment; anything less is partial. */
export function isFullRefund(refunded: number, amount: number): boolean {
  return refunded >= amount
}

/**
 * A card order cancelled while its Checkout Session is still open must close the session, or the
 * customer could still pay for an order whose stock has gone back.
 */
export function sessionToExpire(
  order: Pick<Order, 'paymentMethod' | 'paymentStatus' | 'payment'>,
): string | null {
  if (order.paymentMethod !== 'card' || order.paymentStatus !== 'unpaid') return null
  return order.payment?.stripeSessionId ?? null
}

/**
 * Money taken for a cancelled order goes back: the cancellation stands, the payment is refunded.
 * "Taken" is the payment intent recorded with the payment, which a concurrent status write
 * never touches (the payment status it carries may be the one it read).
 */
export function mustRefund(
  order: Pick<Order, 'paymentMethod' | 'paymentStatus' | 'status' | 'payment'>,
): boolean {
  return (
    order.paymentMethod === 'card' &&
    order.status === 'cancelled' &&
    order.paymentStatus !== 'refunded' &&
    Boolean(order.payment?.stripePaymentIntentId)
  )
}
