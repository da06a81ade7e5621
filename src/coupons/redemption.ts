import type { PayloadRequest } from 'payload'

import type { Coupon, Order } from '../../payload-types'
import { refOf } from '../db/ids'
import { StoreError } from '../errors'
import { COUPON_CUSTOMER_LIMIT, COUPON_USED_UP } from './messages'
import {
  couponHolder,
  customerCouponProblem,
  ensureCouponUsage,
  returnCouponUse,
  returnCustomerCouponUse,
  takeCouponUse,
  takeCustomerCouponUse,
} from './usage'
import type { CouponHolder } from './usage'

// A coupon on an order: checked before checkout, its uses taken with the order, given back when
// the order is cancelled.

const unavailable = (coupon: Coupon, message: string): StoreError =>
  new StoreError('COUPON_UNAVAILABLE', message, { coupon: coupon.code })

/**
 * What stops a priced cart's coupon from going on an order (`issue`, what pricing found, or the
 * customer's own limit), as a 4xx. Creates the customer's usage row that takeCouponUses counts in.
 */
export async function checkCouponForOrder(
  req: PayloadRequest,
  coupon: Coupon,
  issue: string | null,
  holder: CouponHolder,
): Promise<void> {
  const problem = issue ?? (await customerCouponProblem(coupon, holder, req))
  if (problem) throw unavailable(coupon, problem)
  if (typeof coupon.maxUsesPerCustomer === 'number') await ensureCouponUsage(req, coupon.id, holder)
}

/**
 * Takes one use of the coupon and one of the customer's, or throws COUPON_UNAVAILABLE. Each use
 * taken is pushed onto `undo` (the step that gives it back) at once, so that the caller's undo
 * gives it back whatever fails after it, this function's second use included.
 */
export async function takeCouponUses(
  req: PayloadRequest,
  coupon: Coupon,
  holder: CouponHolder,
  undo: (() => Promise<void>)[],
): Promise<void> {
  if (!(await takeCouponUse(req, coupon.id, coupon.maxUses))) throw unavailable(coupon, COUPON_USED_UP)
  undo.push(() => returnCouponUse(req, coupon.id))
  if (typeof coupon.maxUsesPerCustomer !== 'number') return
  if (!(await takeCustomerCouponUse(req, coupon.id, holder, coupon.maxUsesPerCustomer))) {
    throw unavailable(coupon, COUPON_CUSTOMER_LIMIT)
  }
  undo.push(() => returnCustomerCouponUse(req, coupon.id, holder))
}

/**
 * Gives back the coupon uses a cancelled order took (called once per cancelled order), before its
 * stock: the order checkout takes them in, so that on PostgreSQL a cancellation and a checkout
 * lock rows in the same sequence and cannot deadlock.
 */
export async function returnCouponUses(req: PayloadRequest, order: Order): Promise<void> {
  const coupon = refOf(order.coupon)
  if (coupon === undefined) return
  await returnCouponUse(req, coupon)
  // A guest order's use went to the holder of its email as it was at checkout; an account made
  // with that email since then holds none of it, and the guarded write refuses to go below zero.
  const customer = refOf(order.customer) ?? null
  if (customer === null && !order.email) return
  const holder = await couponHolder(req, { customer, email: order.email ?? '' })
  await returnCustomerCouponUse(req, coupon, holder)
}
