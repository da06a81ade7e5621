import type { PayloadRequest, Where } from 'payload'

import type { Coupon } from '../../payload-types'
import { increment, writeIfMatches } from '../db/guardedWrite'
import type { DocId } from '../db/ids'
import { COUPON_CUSTOMER_LIMIT } from './messages'

// A coupon's uses (`coupons.usedCount`) and each customer's uses of it (one `coupon-usages` row
// per coupon and customer). Every change is ONE guarded statement (src/db/guardedWrite.ts): no
// use is read, decided on in JavaScript and written back, so no concurrency over-uses a coupon.

type Ref = DocId

const usageKey = (coupon: Ref, customer: Ref): string => `${coupon}:${customer}`

/** One counter of uses: a coupon's, or one customer's of a coupon. */
type UseCounter = { collection: 'coupons' | 'coupon-usages'; row: Where; field: 'usedCount' | 'count' }

const couponUses = (coupon: Ref): UseCounter => ({
  collection: 'coupons',
  row: { id: { equals: coupon } },
  field: 'usedCount',
})

const customerUses = (coupon: Ref, customer: Ref): UseCounter => ({
  collection: 'coupon-usages',
  row: { key: { equals: usageKey(coupon, customer) } },
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

/** One more use of a coupon by one customer, unless `maxUsesPerCustomer` is reached. */
export async function takeCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  customer: Ref,
  max: number,
): Promise<boolean> {
  return takeUse(req, customerUses(coupon, customer), max)
}

export async function returnCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  customer: Ref,
): Promise<void> {
  await giveBackUse(req, customerUses(coupon, customer))
}

/** The per-customer counter row must exist before it can be incremented conditionally. */
export async function ensureCouponUsage(req: PayloadRequest, coupon: Ref, customer: Ref): Promise<void> {
  const key = usageKey(coupon, customer)
  const existing = await req.payload.count({ collection: 'coupon-usages', where: { key: { equals: key } } })
  if (existing.totalDocs > 0) return
  try {
    await req.payload.create({ collection: 'coupon-usages', data: { key, coupon, customer, count: 0 } })
  } catch {
    // Created by a concurrent checkout of the same customer: the unique key kept it single.
  }
}

/** The per-customer limit, which needs the customer's usage count. */
export async function customerCouponProblem(
  coupon: Coupon,
  customer: Ref,
  req: PayloadRequest,
): Promise<string | null> {
  if (typeof coupon.maxUsesPerCustomer !== 'number') return null
  const usage = await req.payload.find({
    collection: 'coupon-usages',
    where: { key: { equals: usageKey(coupon.id, customer) } },
    limit: 1,
    depth: 0,
  })
  const used = usage.docs[0]?.count ?? 0
  return used >= coupon.maxUsesPerCustomer ? COUPON_CUSTOMER_LIMIT : null
}
