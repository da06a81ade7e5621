import { ValidationError } from 'payload'
import type { CollectionBeforeChangeHook } from 'payload'

import type { Variant } from '../../../payload-types'
import { combinationKey, optionsOf, variantOptionsProblem, variantTitle } from '../../../src/catalog/options'
import type { VariantOptions } from '../../../src/catalog/options'
import { assertSkuFree } from '../../../src/catalog/sku'
import { refOf } from '../../../src/db/ids'

const refuse = (path: string, message: string): never => {
  throw new ValidationError({ collection: 'variants', errors: [{ path, message }] })
}

/**
 * A variant names exactly one of its product's values for each option, each combination once per
 * product (a unique index on product + combination, so concurrent saves cannot both get one), and
 * a SKU no product has. Its title and combination key are derived from its options.
 */
export const deriveVariant: CollectionBeforeChangeHook<Variant> = async ({
  data,
  originalDoc,
  operation,
  req,
}) => {
  const productId = refOf(data.product ?? originalDoc?.product)
  if (
    operation === 'update' &&
    data.product !== undefined &&
    String(refOf(data.product)) !== String(refOf(originalDoc?.product))
  )
    refuse('product', 'A variant stays with its product: create a new variant instead.')
  if (productId === undefined) return refuse('product', 'Choose the product.')
  const product = await req.payload.findByID({
    collection: 'products',
    id: productId,
    depth: 0,
    trash: true,
    disableErrors: true,
    // No `select`: the SQL adapters then leave out the values (a hasMany text inside an array).
    req,
  })
  if (!product) return refuse('product', 'No such product.')
  const options = optionsOf(product.options)
  const chosen: unknown = data.options ?? (operation === 'update' ? originalDoc?.options : undefined)
  const problem = variantOptionsProblem(chosen, options)
  if (problem) return refuse('options', problem)
  const combination = combinationKey(chosen as VariantOptions, options)
  const { totalDocs } = await req.payload.count({
    collection: 'variants',
    where: {
      and: [
        { product: { equals: productId } },
        { combination: { equals: combination } },
        ...(operation === 'update' && originalDoc ? [{ id: { not_equals: originalDoc.id } }] : []),
      ],
    },
    trash: true,
    req,
  })
  if (totalDocs > 0) refuse('options', 'This product already has a variant with these options.')
  if (data.sku !== undefined && (operation === 'create' || data.sku !== originalDoc?.sku))
    await assertSkuFree(req, 'variants', data.sku)
  return {
    ...data,
    options: chosen as VariantOptions,
    title: variantTitle(chosen as VariantOptions, options),
    combination,
  }
}
