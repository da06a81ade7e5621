import type { PayloadRequest, Where } from 'payload'

import type { Order } from '../../payload-types'
import { announceStock } from '../cache'
import type { StockChange } from '../cache/stockOverlay'
import { increment, writeIfMatches } from '../db/guardedWrite'
import { refOf } from '../db/ids'
import type { DocId } from '../db/ids'

// Every change to stock is ONE conditional statement in the database
// (`UPDATE … SET n = n + k WHERE … AND n >= k`, or MongoDB's findOneAndUpdate): correct with any
// number of requests and server instances, with or without a surrounding transaction. Nothing here
// reads a value, decides in JavaScript, and writes it back.

type Ref = DocId

// Every stock change moves the product's stock revision in the same statement: cached answers
// know which stock they show, and show a newer one when they learn of it (src/cache/stockOverlay.ts).
async function adjustStock(
  req: PayloadRequest,
  where: Where,
  by: number,
): Promise<(StockChange & { title: string }) | null> {
  const row = await writeIfMatches(req.payload, {
    collection: 'products',
    where,
    data: { stock: increment(by), stockRevision: increment(1) },
    req,
  })
  if (!row || row.id === undefined) return null
  return {
    id: row.id,
    title: typeof row.title === 'string' ? row.title : '',
    stock: typeof row.stock === 'number' ? row.stock : 0,
    stockRevision: typeof row.stockRevision === 'number' ? row.stockRevision : 0,
  }
}

export type StockLeft = StockChange & { id: Ref; title: string }

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
  return taken && { ...taken, id: product }
}

/** Gives back `quantity`: the product's stock afterwards, or null when it no longer exists. */
export async function returnStock(
  req: PayloadRequest,
  product: Ref,
  quantity: number,
): Promise<StockChange | null> {
  return adjustStock(req, { id: { equals: product } }, quantity)
}

/** Gives back the stock a cancelled order took (its coupon uses: src/coupons). Called once per cancelled order. */
export async function returnOrderStock(req: PayloadRequest, order: Order): Promise<void> {
  const returned: StockChange[] = []
  for (const item of order.items) {
    const product = refOf(item.product)
    const change = product === undefined ? null : await returnStock(req, product, item.quantity)
    if (change) returned.push(change)
  }
  await announceStock(req, returned)
}
