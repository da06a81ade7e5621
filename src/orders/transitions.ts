import type { Order } from '../../payload-types'

// Every order status rule lives here: which moves are allowed, and what follows from them.

export type OrderStatus = Order['status']
export type PaymentStatus = Order['paymentStatus']

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['processing', 'cancelled'],
  processing: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
}

export const ORDER_STATUSES = Object.keys(NEXT) as OrderStatus[]

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to)
}

/** Statuses from which the owner may still cancel. */
export const CANCELLABLE_BY_OWNER: readonly OrderStatus[] = ['pending', 'processing']

/** Payment consequence of a move: a delivered cash-on-delivery order has been paid. */
export function paymentAfter(
  order: Pick<Order, 'paymentMethod' | 'paymentStatus'>,
  to: OrderStatus,
): PaymentStatus {
  if (to === 'delivered' && order.paymentMethod === 'cod') return 'paid'
  return order.paymentStatus
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
