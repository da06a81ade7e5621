import type { Order } from '../../../payload-types'
import type { EmailKind } from './kinds'

type Facts = Pick<Order, 'status' | 'paymentStatus' | 'paymentMethod'>

/**
 * The emails one write of an order calls for, from the order before and after it. Each fact can
 * happen once per order (the lifecycle never moves back), so each kind is written at most once.
 * A cash-on-delivery order is confirmed when placed, a card order when paid.
 */
export function emailsFor(after: Facts, before: Facts | undefined, created: boolean): EmailKind[] {
  const kinds: EmailKind[] = []
  const became = <K extends keyof Facts>(field: K, value: Facts[K]): boolean =>
    after[field] === value && before?.[field] !== value
  if (created && after.paymentMethod === 'cod') kinds.push('confirmation')
  if (!created && after.paymentMethod === 'card' && became('paymentStatus', 'paid'))
    kinds.push('confirmation')
  if (!created && became('status', 'shipped')) kinds.push('shipped')
  if (!created && became('status', 'cancelled')) kinds.push('cancelled')
  if (!created && became('paymentStatus', 'refunded')) kinds.push('refunded')
  return kinds
}
