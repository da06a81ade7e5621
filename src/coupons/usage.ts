import type { PayloadRequest, Where } from 'payload'

import type { Coupon } from '../../payload-types'
import { increment, writeIfMatches } from '../db/guardedWrite'
import type { DocId } from '../db/ids'
import { normaliseEmail } from '../guests/tokens'
import { COUPON_CUSTOMER_LIMIT } from './messages'

// A coupon's uses (`coupons.usedCount`) and each customer's uses of it (one `coupon-usages` row
// per coupon and customer). Every change is ONE guarded statement (src/db/guardedWrite.ts): no
// use is read, decided on in JavaScript and written back, so no concurrency over-uses a coupon.
// A guest's uses count with the account of their email (couponHolder).

type Ref = DocId

/**
 * Whose uses a per-customer limit counts: a customer's account, or a guest's email when no account
 * has it (a guest with an account's email counts as that account: couponHolder).
 */
export type CouponHolder = { key: string; customer: Ref | null }

const usageKey = (coupon: Ref, holder: CouponHolder): string => `${coupon}:${holder.key}`

export const customerHolder = (customer: Ref): CouponHolder => ({ key: String(customer), customer })

/**
 * The holder of a buyer's uses: the customer, or for a guest (no account) the account that has
 * their email, else the normalised email itself, so checking out as a guest does not buy more uses.
 */
export async function couponHolder(
  req: PayloadRequest,
  buyer: { customer: Ref | null; email: string },
): Promise<CouponHolder> {
  if (buyer.customer !== null) return customerHolder(buyer.customer)
  const email = normaliseEmail(buyer.email)
  const account = await req.payload.find({
    collection: 'users',
    where: { email: { equals: email } },
    limit: 1,
    depth: 0,
    pagination: false,
    select: {},
    req,
  })
  const user = account.docs[0]
  return user ? customerHolder(user.id) : { key: `email:${email}`, customer: null }
}

/** One counter of uses: a coupon's, or one customer's of a coupon. */
type UseCounter = { collection: 'coupons' | 'coupon-usages'; row: Where; field: 'usedCount' | 'count' }

const couponUses = (coupon: Ref): UseCounter => ({
  collection: 'coupons',
  row: { id: { equals: coupon } },
  field: 'usedCount',
})

const customerUses = (coupon: Ref, holder: CouponHolder): UseCounter => ({
  collection: 'coupon-usages',
  row: { key: { equals: usageKey(coupon, holder) } },
  field: 'count',
})

/** Adds `by` to a counter if its row still matches `guard` too; false when it did not. */
async function countUse(
  req: PayloadRequest,
  counter: UseCounter,
  guard: Where[],
  by: number,
): Promise<boolean> {
  const written = await writeIfMatches(req.payload, {
    collection: counter.collection,
    where: { and: [counter.row, ...guard] },
    data: { [counter.field]: increment(by) },
    req,
  })
  return written !== null
}

/** One more use, unless `max` (none: unlimited) is reached. */
async function takeUse(
  req: PayloadRequest,
  counter: UseCounter,
  max: number | null | undefined,
): Promise<boolean> {
  const limit: Where[] = typeof max === 'number' ? [{ [counter.field]: { less_than: max } }] : []
  return countUse(req, counter, limit, 1)
}

/** One use less, never below zero. */
async function giveBackUse(req: PayloadRequest, counter: UseCounter): Promise<void> {
  await countUse(req, counter, [{ [counter.field]: { greater_than: 0 } }], -1)
}

/** One more use of a coupon, unless `maxUses` is reached. */
export async function takeCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  maxUses: number | null | undefined,
): Promise<boolean> {
  return takeUse(req, couponUses(coupon), maxUses)
}

export async function returnCouponUse(req: PayloadRequest, coupon: Ref): Promise<void> {
  await giveBackUse(req, couponUses(coupon))
}

/** One more use of a coupon by one holder, unless `maxUsesPerCustomer` is reached. */
export async function takeCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  holder: CouponHolder,
  max: number,
): Promise<boolean> {
  return takeUse(req, customerUses(coupon, holder), max)
}

export async function returnCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  holder: CouponHolder,
): Promise<void> {
  await giveBackUse(req, customerUses(coupon, holder))
}

/** The per-holder counter row must exist before it can be incremented conditionally. */
export async function ensureCouponUsage(
  req: PayloadRequest,
  coupon: Ref,
  holder: CouponHolder,
): Promise<void> {
  const key = usageKey(coupon, holder)
  const existing = await req.payload.count({ collection: 'coupon-usages', where: { key: { equals: key } } })
  if (existing.totalDocs > 0) return
  try {
    await req.payload.create({
      collection: 'coupon-usages',
      data: { key, coupon, customer: holder.customer, count: 0 },
    })
  } catch {
    // Created by a concurrent checkout of the same customer: the unique key kept it single.
  }
}

/** The per-customer limit, which needs the customer's usage count. */
export async function customerCouponProblem(
  coupon: Coupon,
  holder: CouponHolder,
  req: PayloadRequest,
): Promise<string | null> {
  if (typeof coupon.maxUsesPerCustomer !== 'number') return null
  const usage = await req.payload.find({
    collection: 'coupon-usages',
    where: { key: { equals: usageKey(coupon.id, holder) } },
    limit: 1,
    depth: 0,
  })
  const used = usage.docs[0]?.count ?? 0
  return used >= coupon.maxUsesPerCustomer ? COUPON_CUSTOMER_LIMIT : null
}
