import type { FieldHook, PayloadRequest } from 'payload'

import type { Product, Variant } from '../../../payload-types'
import { optionsOf } from '../../../src/catalog/options'
import type { DocId } from '../../../src/db/ids'

/** A variant as a product read carries it (the contract's `variants`). */
export type CarriedVariant = Pick<
  Variant,
  'id' | 'title' | 'options' | 'sku' | 'stock' | 'stockRevision' | 'image'
> & {
  price: number
}

type Stored = Pick<
  Variant,
  'id' | 'product' | 'title' | 'options' | 'sku' | 'price' | 'stock' | 'stockRevision' | 'image'
>
type Loader = { pending: Map<string, DocId>; batch: Promise<Map<string, Stored[]>> }
const loaders = new WeakMap<PayloadRequest, Loader>()

// The documents of one list are read together: their hooks start in the same turn, so one query
// answers all of them (a list of 20 products is 2 queries, not 21).
function load(req: PayloadRequest, product: DocId): Promise<Stored[]> {
  let loader = loaders.get(req)
  if (!loader) {
    const pending = new Map<string, DocId>()
    const batch = new Promise<Map<string, Stored[]>>((resolve, reject) => {
      setImmediate(() => {
        loaders.delete(req)
        fetchPublished(req, [...pending.values()]).then(resolve, reject)
      })
    })
    loader = { pending, batch }
    loaders.set(req, loader)
  }
  loader.pending.set(String(product), product)
  return loader.batch.then((byProduct) => byProduct.get(String(product)) ?? [])
}

async function fetchPublished(req: PayloadRequest, products: DocId[]): Promise<Map<string, Stored[]>> {
  const { docs } = await req.payload.find({
    collection: 'variants',
    // What everyone may buy, whoever reads: the product's own status is the product read's business.
    where: {
      and: [
        { product: { in: products } },
        { status: { equals: 'published' } },
        { deletedAt: { exists: false } },
      ],
    },
    depth: 0,
    pagination: false,
    sort: 'id',
    select: {
      product: true,
      title: true,
      options: true,
      sku: true,
      price: true,
      stock: true,
      stockRevision: true,
      image: true,
    },
    req,
  })
  const byProduct = new Map<string, Stored[]>()
  for (const doc of docs) {
    const key = String(typeof doc.product === 'object' ? doc.product.id : doc.product)
    byProduct.set(key, [...(byProduct.get(key) ?? []), doc])
  }
  return byProduct
}

/**
 * The product's published variants, in the order of its options' values (S before M before L),
 * each with its price (the product's when it has none of its own) and its stock revision, which
 * the read cache overlays like the product's.
 */
export const publishedVariants: FieldHook<Product, CarriedVariant[]> = async ({ data, req }) => {
  if (!data?.id) return []
  // Not selected: no order to sort by. Selected and empty: a product sold without variants.
  const options = optionsOf(data.options)
  if (data.options !== undefined && options.length === 0) return []
  const rank = (variant: Stored): number[] =>
    options.map((option) => {
      const chosen = (variant.options as Record<string, unknown> | null)?.[option.name]
      return typeof chosen === 'string' ? option.values.indexOf(chosen) : -1
    })
  const variants = [...(await load(req, data.id))].sort((a, b) => {
    const [left, right] = [rank(a), rank(b)]
    const differs = left.findIndex((value, index) => value !== right[index])
    return differs === -1 ? 0 : (left[differs] ?? 0) - (right[differs] ?? 0)
  })
  return variants.map((variant) => ({
    id: variant.id,
    title: variant.title,
    options: variant.options,
    sku: variant.sku,
    price: typeof variant.price === 'number' ? variant.price : (data.price ?? 0),
    stock: variant.stock,
    stockRevision: typeof variant.stockRevision === 'number' ? variant.stockRevision : 0,
    image: variant.image ?? null,
  }))
}
