import type { PayloadRequest, Where } from 'payload'

import type { Order } from '../../payload-types'
import { invalidateStock } from '../cache'
import { increment, writeIfMatches } from '../db/guardedWrite'
import { refOf } from '../db/ids'
import type { DocId } from '../db/ids'

// Every change to stock and counters is ONE conditional statement in the database
// (`UPDATE … SET n = n + k WHERE … AND n >= k`, or MongoDB's findOneAndUpdate): correct with any
// number of requests and server instances, with or without a surrounding transaction. Nothing here
// reads a value, decides in JavaScript, and writes it back.

type Ref = DocId

async function adjustStock(req: PayloadRequest, where: Where, by: number): Promise<unknown> {
  return writeIfMatches(req.payload, { collection: 'products', where, data: { stock: increment(by) }, req })
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
  const taken = await adjustStock(
    req,
    {
      and: [
        { id: { equals: product } },
        { stock: { greater_than_equal: quantity } },
        { status: { equals: 'published' } },
        { deletedAt: { exists: false } },
      ],
    },
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
  await adjustStock(req, { id: { equals: product } }, quantity)
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

/** Gives back the stock a cancelled order took (its coupon uses: src/coupons). Called once per cancelled order. */
export async function returnOrderStock(req: PayloadRequest, order: Order): Promise<void> {
  for (const item of order.items) {
    const product = refOf(item.product)
    if (product !== undefined) await returnStock(req, product, item.quantity)
  }
  await invalidateStock(req)
}
