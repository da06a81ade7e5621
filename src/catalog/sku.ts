import { ValidationError } from 'payload'
import type { CollectionSlug, PayloadRequest } from 'payload'

// SKUs are unique across products and variants: each collection's own unique index covers its
// documents, and this check the other collection's (trashed documents included: restoring one
// must not bring a duplicate back). Only admins write the catalog; two admins saving the same new
// SKU in both collections at the same instant is the one case the check does not cover.

const SKU_COLLECTIONS = ['products', 'variants'] as const satisfies CollectionSlug[]
type SkuCollection = (typeof SKU_COLLECTIONS)[number]

/** Throws a 400 naming `sku` when another collection's document already has `sku`. */
export async function assertSkuFree(
  req: PayloadRequest,
  collection: SkuCollection,
  sku: unknown,
): Promise<void> {
  if (typeof sku !== 'string' || sku === '') return
  for (const other of SKU_COLLECTIONS) {
    if (other === collection) continue
    const { totalDocs } = await req.payload.count({
      collection: other,
      where: { sku: { equals: sku } },
      trash: true,
      req,
    })
    if (totalDocs > 0) {
      throw new ValidationError({
        collection,
        errors: [{ path: 'sku', message: `This SKU is already used by one of the ${other}.` }],
      })
    }
  }
}
