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

/** Adds `by` to a use counter if the row still matches `where`; false when it did not. */
async function countUse(
  req: PayloadRequest,
  collection: 'coupons' | 'coupon-usages',
  where: Where[],
  field: 'usedCount' | 'count',
  by: number,
): Promise<boolean> {
  const written = await writeIfMatches(req.payload, {
    collection,
    where: { and: where },
    data: { [field]: increment(by) },
    req,
  })
  return written !== null
}

/** One more use of a coupon, unless `maxUses` is reached. */
export async function takeCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  maxUses: number | null | undefined,
): Promise<boolean> {
  const limit: Where[] = typeof maxUses === 'number' ? [{ usedCount: { less_than: maxUses } }] : []
  return countUse(req, 'coupons', [{ id: { equals: coupon } }, ...limit], 'usedCount', 1)
}

export async function returnCouponUse(req: PayloadRequest, coupon: Ref): Promise<void> {
  await countUse(
    req,
    'coupons',
    [{ id: { equals: coupon } }, { usedCount: { greater_than: 0 } }],
    'usedCount',
    -1,
  )
}

/** One more use of a coupon by one customer, unless `maxUsesPerCustomer` is reached. */
export async function takeCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  customer: Ref,
  max: number,
): Promise<boolean> {
  const key = usageKey(coupon, customer)
  return countUse(req, 'coupon-usages', [{ key: { equals: key } }, { count: { less_than: max } }], 'count', 1)
}

export async function returnCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  customer: Ref,
): Promise<void> {
  const key = usageKey(coupon, customer)
  await countUse(
    req,
    'coupon-usages',
    [{ key: { equals: key } }, { count: { greater_than: 0 } }],
    'count',
    -1,
  )
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
