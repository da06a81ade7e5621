import type { CollectionAfterChangeHook } from 'payload'

import type { Category } from '../../../payload-types'

const parentId = (doc: Category | undefined): string =>
  String(doc?.parent && typeof doc.parent === 'object' ? doc.parent.id : (doc?.parent ?? ''))

/**
 * Moving a category under another parent changes which categories its products (and its
 * sub-categories' products) belong to: re-save those so their `allCategories` follows.
 */
export const refreshProductCategoryTrees: CollectionAfterChangeHook<Category> = async ({
  doc,
  operation,
  previousDoc,
  req,
}) => {
  if (operation !== 'update' || parentId(doc) === parentId(previousDoc)) return doc
  for (let page = 1; ; page++) {
    const batch = await req.payload.find({
      collection: 'products',
      where: { allCategories: { in: [doc.id] } },
      depth: 0,
      limit: 100,
      page,
      req,
      trash: true,
      select: { categories: true },
    })
    for (const product of batch.docs) {
      await req.payload.update({ collection: 'products', id: product.id, data: {}, req, trash: true })
    }
    if (!batch.hasNextPage) break
  }
  return doc
}
