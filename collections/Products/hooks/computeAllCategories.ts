import type { CollectionBeforeChangeHook, PayloadRequest } from 'payload'

import type { Category, Product } from '../../../payload-types'

type Ref = number | string
const MAX_DEPTH = 50

const refOf = (value: Ref | Category | null | undefined): Ref | undefined =>
  value && typeof value === 'object' ? value.id : (value ?? undefined)

/** The categories with every ancestor: what "products in this category or below" filters on. */
export async function categoriesWithAncestors(categories: Ref[], req: PayloadRequest): Promise<Ref[]> {
  const seen = new Map<string, Ref>()
  for (const start of categories) {
    let cursor: Ref | undefined = start
    for (let depth = 0; cursor !== undefined && !seen.has(String(cursor)) && depth < MAX_DEPTH; depth++) {
      seen.set(String(cursor), cursor)
      const category: Category | null = await req.payload
        .findByID({ collection: 'categories', id: cursor, depth: 0, req, trash: true, disableErrors: true })
        .catch(() => null)
      cursor = refOf(category?.parent)
    }
  }
  return [...seen.values()]
}

export const computeAllCategories: CollectionBeforeChangeHook<Product> = async ({
  data,
  originalDoc,
  req,
}) => {
  const chosen = data.categories ?? originalDoc?.categories ?? []
  const refs = chosen.map(refOf).filter((ref): ref is Ref => ref !== undefined)
  return { ...data, allCategories: await categoriesWithAncestors(refs, req) }
}
