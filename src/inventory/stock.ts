import type { PayloadRequest, Where } from 'payload'

import type { Order } from '../../payload-types'
import { announceStock } from '../cache'
import { variantStockKey } from '../cache/stockOverlay'
import type { StockChange } from '../cache/stockOverlay'
import { increment, writeIfMatches } from '../db/guardedWrite'
import { refOf } from '../db/ids'
import type { DocId } from '../db/ids'

// Every change to stock is ONE conditional statement in the database
// (`UPDATE … SET n = n + k WHERE … AND n >= k`, or MongoDB's findOneAndUpdate): correct with any
// number of requests and server instances, with or without a surrounding transaction. Nothing here
// reads a value, decides in JavaScript, and writes it back. A product with options keeps its stock
// on its variants: the statement then updates the variant's row instead.

type Ref = DocId

/** Whose stock: a product's, or one of its variants'. */
export type StockTarget = { product: Ref; variant?: Ref | null }

/**
 * What is left after a change, as the same statement saw it. `id` is the read cache's key for the
 * stock (the product's id, or `variant:<id>`); `title` the product's or, for a variant, its own.
 */
export type StockLeft = StockChange & {
  product: Ref
  title: string
  variant?: { id: Ref; title: string; sku: string }
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '')
const count = (value: unknown): number => (typeof value === 'number' ? value : 0)

// Every stock change moves the row's stock revision in the same statement: cached answers know
// which stock they show, and show a newer one when they learn of it (src/cache/stockOverlay.ts).
async function adjustStock(
  req: PayloadRequest,
  target: StockTarget,
  guard: Where[],
  by: number,
): Promise<StockLeft | null> {
  const variant = target.variant ?? undefined
  const data = { stock: increment(by), stockRevision: increment(1) }
  if (variant === undefined) {
    const row = await writeIfMatches(req.payload, {
      collection: 'products',
      where: { and: [{ id: { equals: target.product } }, ...guard] },
      data,
      req,
    })
    if (!row) return null
    return {
      id: target.product,
      product: target.product,
      title: text(row.title),
      stock: count(row.stock),
      stockRevision: count(row.stockRevision),
    }
  }
  const row = await writeIfMatches(req.payload, {
    collection: 'variants',
    // The variant must still be this product's: a line's two ids are never trusted apart.
    where: { and: [{ id: { equals: variant } }, { product: { equals: target.product } }, ...guard] },
    data,
    req,
  })
  if (!row) return null
  return {
    id: variantStockKey(variant),
    product: target.product,
    title: text(row.title),
    stock: count(row.stock),
    stockRevision: count(row.stockRevision),
    variant: { id: variant, title: text(row.title), sku: text(row.sku) },
  }
}

/**
 * Takes `quantity` of a product or variant that is still for sale: what is left of it afterwards,
 * or null when there was not enough. (A variant's guard is its own row: its product being
 * published is checked when the cart is priced, just before.)
 */
export function takeStock(
  req: PayloadRequest,
  target: StockTarget,
  quantity: number,
): Promise<StockLeft | null> {
  return adjustStock(
    req,
    target,
    [
      { stock: { greater_than_equal: quantity } },
      { status: { equals: 'published' } },
      { deletedAt: { exists: false } },
    ],
    -quantity,
  )
}

/** Gives back `quantity`: the stock afterwards, or null when the product or variant no longer exists. */
export function returnStock(
  req: PayloadRequest,
  target: StockTarget,
  quantity: number,
): Promise<StockLeft | null> {
  return adjustStock(req, target, [], quantity)
}

/** Gives back the stock a cancelled order took (its coupon uses: src/coupons). Called once per cancelled order. */
export async function returnOrderStock(req: PayloadRequest, order: Order): Promise<void> {
  const returned: StockChange[] = []
  for (const item of order.items) {
    const product = refOf(item.product)
    const change =
      product === undefined
        ? null
        : await returnStock(req, { product, variant: refOf(item.variant) }, item.quantity)
    if (change) returned.push(change)
  }
  await announceStock(req, returned)
}

/**
 * The `product.low_stock` event for what a checkout left, or null above the threshold: the
 * product's id and title, the stock left, and for a variant its id, title and SKU.
 */
export async function lowStockEvent(
  req: PayloadRequest,
  left: StockLeft,
  threshold: number,
): Promise<Record<string, unknown> | null> {
  if (left.stock >= threshold) return null
  if (!left.variant) return { id: left.product, title: left.title, stock: left.stock }
  const product = await req.payload.findByID({
    collection: 'products',
    id: left.product,
    depth: 0,
    trash: true,
    disableErrors: true,
    select: { title: true },
  })
  return { id: left.product, title: product?.title ?? '', stock: left.stock, variant: left.variant }
}
