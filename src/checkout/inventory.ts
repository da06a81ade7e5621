import type { PayloadRequest, Where } from 'payload'

import type { Order } from '../../payload-types'
import { invalidateStock } from '../cache'
import { increment, writeIfMatches } from '../db/guardedWrite'
import { refOf } from '../db/ids'
import type { DocId } from '../db/ids'

// Every change to stock, coupon uses and counters is ONE conditional statement in the database
// (`UPDATE … SET n = n + k WHERE … AND n >= k`, or MongoDB's findOneAndUpdate): correct with any
// number of requests and server instances, with or without a surrounding transaction. Nothing here
// reads a value, decides in JavaScript, and writes it back.

type Ref = DocId

async function adjust(
  req: PayloadRequest,
  collection: 'products' | 'coupons' | 'coupon-usages' | 'counters',
  where: Where,
  field: string,
  by: number,
): Promise<Record<string, unknown> | null> {
  return writeIfMatches(req.payload, { collection, where, data: { [field]: increment(by) }, req })
}

export type StockLeft = { id: Ref; title: string; stock: number }

/**
 * Takes `quantity` of a product that is still for sale: what is left of it afterwards, as the same
 * statement saw it, or null when there was not enough.
 */
export async function takeStock(
  req: PayloadRequest,
  product: Ref,
  quantity: number,
): Promise<StockLeft | null> {
  const taken = await adjust(
    req,
    'products',
    {
      and: [
        { id: { equals: product } },
        { stock: { greater_than_equal: quantity } },
        { status: { equals: 'published' } },
        { deletedAt: { exists: false } },
      ],
    },
    'stock',
    -quantity,
  )
  if (!taken || typeof taken !== 'object') return null
  const row = taken as { title?: unknown; stock?: unknown }
  return {
    id: product,
    title: typeof row.title === 'string' ? row.title : '',
    stock: typeof row.stock === 'number' ? row.stock : 0,
  }
}

export async function returnStock(req: PayloadRequest, product: Ref, quantity: number): Promise<void> {
  await adjust(req, 'products', { id: { equals: product } }, 'stock', quantity)
}

/** One more use of a coupon, unless `maxUses` is reached. */
export async function takeCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  maxUses: number | null | undefined,
): Promise<boolean> {
  const limit: Where[] = typeof maxUses === 'number' ? [{ usedCount: { less_than: maxUses } }] : []
  const taken = await adjust(req, 'coupons', { and: [{ id: { equals: coupon } }, ...limit] }, 'usedCount', 1)
  return taken !== null
}

export async function returnCouponUse(req: PayloadRequest, coupon: Ref): Promise<void> {
  await adjust(
    req,
    'coupons',
    { and: [{ id: { equals: coupon } }, { usedCount: { greater_than: 0 } }] },
    'usedCount',
    -1,
  )
}

const usageKey = (coupon: Ref, customer: Ref): string => `${coupon}:${customer}`

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

/** One more use of a coupon by one customer, unless `maxUsesPerCustomer` is reached. */
export async function takeCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  customer: Ref,
  max: number,
): Promise<boolean> {
  const taken = await adjust(
    req,
    'coupon-usages',
    { and: [{ key: { equals: usageKey(coupon, customer) } }, { count: { less_than: max } }] },
    'count',
    1,
  )
  return taken !== null
}

export async function returnCustomerCouponUse(
  req: PayloadRequest,
  coupon: Ref,
  customer: Ref,
): Promise<void> {
  await adjust(
    req,
    'coupon-usages',
    { and: [{ key: { equals: usageKey(coupon, customer) } }, { count: { greater_than: 0 } }] },
    'count',
    -1,
  )
}

/** The next value of a named counter; unique under any concurrency (gaps are possible). */
export async function nextCounter(req: PayloadRequest, name: string): Promise<number> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Outside any transaction on purpose: a counter row locked until commit would serialise every checkout.
    const updated = await writeIfMatches(req.payload, {
      collection: 'counters',
      where: { name: { equals: name } },
      data: { value: increment(1) },
    })
    const value: unknown = updated?.value
    if (typeof value === 'number') return value
    try {
      await req.payload.create({ collection: 'counters', data: { name, value: 0 } })
    } catch {
      // Another request created it first.
    }
  }
  throw new Error(`counter ${name} could not be incremented`)
}

/** Gives back what an order took: its stock, and its coupon use. Called once per cancelled order. */
export async function releaseOrder(order: Order, req: PayloadRequest): Promise<void> {
  for (const item of order.items) {
    const product = refOf(item.product)
    if (product !== undefined) await returnStock(req, product, item.quantity)
  }
  const coupon = refOf(order.coupon)
  const customer = refOf(order.customer)
  if (coupon !== undefined) {
    await returnCouponUse(req, coupon)
    if (customer !== undefined) await returnCustomerCouponUse(req, coupon, customer)
  }
  await invalidateStock(req)
}
