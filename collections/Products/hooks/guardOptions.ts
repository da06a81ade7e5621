import { ValidationError } from 'payload'
import type { CollectionAfterDeleteHook, CollectionBeforeChangeHook } from 'payload'

import type { Product } from '../../../payload-types'
import { optionChangeProblem, optionsOf } from '../../../src/catalog/options'
import type { VariantOptions } from '../../../src/catalog/options'
import { assertSkuFree } from '../../../src/catalog/sku'

/**
 * A product's SKU is not a variant's, and its options keep describing its variants: no option
 * is added, removed or renamed, and no value a variant uses is removed, while it has variants.
 */
export const guardOptions: CollectionBeforeChangeHook<Product> = async ({
  data,
  originalDoc,
  operation,
  req,
}) => {
  if (data.sku !== undefined && (operation === 'create' || data.sku !== originalDoc?.sku))
    await assertSkuFree(req, 'products', data.sku)
  if (operation !== 'update' || !originalDoc || data.options === undefined) return data
  const { docs } = await req.payload.find({
    collection: 'variants',
    where: { product: { equals: originalDoc.id } },
    trash: true,
    depth: 0,
    pagination: false,
    select: { options: true },
    req,
  })
  const problem = optionChangeProblem(
    optionsOf(originalDoc.options),
    optionsOf(data.options),
    docs.map((doc) => (doc.options ?? {}) as VariantOptions),
  )
  if (problem)
    throw new ValidationError({ collection: 'products', errors: [{ path: 'options', message: problem }] })
  return data
}

/** A product deleted for good takes its variants with it (trashing keeps them, hidden). */
export const deleteVariants: CollectionAfterDeleteHook<Product> = async ({ doc, req }) => {
  await req.payload.delete({
    collection: 'variants',
    where: { product: { equals: doc.id } },
    trash: true,
    req,
  })
  return doc
}
