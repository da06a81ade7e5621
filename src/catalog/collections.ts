import type { CollectionSlug } from 'payload'

/**
 * The catalog: every collection a cached catalog answer may show. A write to any of them makes
 * every cached answer stale (hooks/invalidateCatalog.ts attaches the hooks from this list).
 * `cachedReads`: the cache answers the collection's REST reads (src/cache/key.ts). Media is catalog
 * because product, brand and category answers embed images (alt text, URLs, sizes); its own reads
 * are files and owner-private documents, never cached.
 */
export const CATALOG_COLLECTIONS = {
  products: { cachedReads: true },
  // Product answers carry the published variants; the variants' own reads are not cached.
  variants: { cachedReads: false },
  brands: { cachedReads: true },
  categories: { cachedReads: true },
  media: { cachedReads: false },
} as const satisfies Partial<Record<CollectionSlug, { cachedReads: boolean }>>

export type CatalogCollection = keyof typeof CATALOG_COLLECTIONS

export const catalogCollections = Object.keys(CATALOG_COLLECTIONS) as CatalogCollection[]

/** The catalog collections whose REST reads the cache answers. */
export const cachedCollections = catalogCollections.filter((slug) => CATALOG_COLLECTIONS[slug].cachedReads)
