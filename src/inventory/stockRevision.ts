import type { CollectionAfterChangeHook } from 'payload'

import { increment, writeIfMatches } from '../db/guardedWrite'

/**
 * A stock set through Payload (the admin's) moves the stock revision too, by the same atomic
 * increment checkouts use: a value computed from the document read before the write could be
 * lower than one a concurrent checkout already gave it, and a cached answer would then keep
 * showing that checkout's stock (src/cache/stockOverlay.ts: the highest revision wins). The write
 * is a catalog write as well, which drops every cached answer once committed.
 */
export const bumpStockRevision =
  (
    collection: 'products' | 'variants',
  ): CollectionAfterChangeHook<{
    id: number | string
    stock?: number | null
    stockRevision?: number | null
  }> =>
  async ({ doc, previousDoc, operation, req }) => {
    if (operation !== 'update' || doc.stock === previousDoc?.stock) return doc
    const row = await writeIfMatches(req.payload, {
      collection,
      where: { id: { equals: doc.id } },
      data: { stockRevision: increment(1) },
      req,
    })
    return typeof row?.stockRevision === 'number' ? { ...doc, stockRevision: row.stockRevision } : doc
  }
