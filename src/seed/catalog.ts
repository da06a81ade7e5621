import { buildEditorState } from '@payloadcms/richtext-lexical'
import type { DefaultNodeTypes } from '@payloadcms/richtext-lexical'
import type { Payload } from 'payload'

import type { Brand, Category, Media, Product } from '../../payload-types'
import { DEMO_BRANDS, DEMO_CATEGORIES, DEMO_FILE_PREFIX, DEMO_PRODUCTS, DEMO_SKU_PREFIX } from './demoData'
import type { DemoProduct } from './demoData'
import { colourFor, renderImage } from './demoImages'
import type { ImageSpec } from './demoImages'

/** What the demo catalog holds after the run, and how many documents this run created. */
export type CatalogSeedResult = {
  brands: number
  categories: number
  products: number
  variants: number
  images: number
  created: number
}

const context = { seeding: true }

const PRODUCT_IMAGE = { width: 800, height: 600 }
const LOGO_IMAGE = { width: 400, height: 400 }
const CATEGORY_IMAGE = { width: 800, height: 400 }

type ImagePlan = { filename: string; alt: string; spec: ImageSpec }

/** The demo images already stored, by filename and by alt (a renamed upload is still found). */
class DemoMedia {
  private readonly byFilename = new Map<string, Media>()
  private readonly byAlt = new Map<string, Media>()

  constructor(docs: Media[]) {
    for (const doc of docs) this.add(doc)
  }

  add(doc: Media): void {
    if (!doc.filename?.startsWith(DEMO_FILE_PREFIX)) return
    this.byFilename.set(doc.filename, doc)
    if (doc.alt) this.byAlt.set(doc.alt, doc)
  }

  find(plan: ImagePlan): Media | undefined {
    return this.byFilename.get(plan.filename) ?? this.byAlt.get(plan.alt)
  }

  get size(): number {
    return new Set([...this.byFilename.values()].map((doc) => doc.id)).size
  }
}

const PRODUCT_CONCURRENCY = 4

/** Runs `task` on every item, at most `limit` at once; the first failure is thrown. */
async function eachWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await task(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

const description = (text: string): Product['description'] => buildEditorState<DefaultNodeTypes>({ text })

function productImages(product: DemoProduct): ImagePlan[] {
  const base = product.sku.toLowerCase()
  const plans: ImagePlan[] = [
    {
      filename: `${DEMO_FILE_PREFIX}${base}.jpg`,
      alt: product.title,
      spec: { ...PRODUCT_IMAGE, colour: colourFor(product.title), title: product.title },
    },
  ]
  for (let n = 1; n <= product.extraImages; n++) {
    plans.push({
      filename: `${DEMO_FILE_PREFIX}${base}-${n + 1}.jpg`,
      alt: `${product.title}, view ${n + 1}`,
      spec: {
        ...PRODUCT_IMAGE,
        colour: colourFor(product.title, n),
        title: product.title,
        subtitle: `View ${n + 1}`,
      },
    })
  }
  return plans
}

/**
 * Adds the demo catalog: brands with logos, a category tree, and published and draft products
 * with generated images. Documents are found by brand and category slug, product SKU and image
 * filename (or alt), so a second run creates nothing; documents that exist are left as they are.
 */
export async function seedCatalog(payload: Payload): Promise<CatalogSeedResult> {
  let created = 0

  const demoMedia = new DemoMedia(
    (
      await payload.find({
        collection: 'media',
        where: { filename: { like: DEMO_FILE_PREFIX } },
        pagination: false,
        depth: 0,
      })
    ).docs,
  )

  const ensureImage = async (plan: ImagePlan): Promise<Media['id']> => {
    const found = demoMedia.find(plan)
    if (found) return found.id
    const data = await renderImage(plan.spec)
    const doc = await payload.create({
      collection: 'media',
      data: { alt: plan.alt },
      file: { data, mimetype: 'image/jpeg', name: plan.filename, size: data.length },
      depth: 0,
      context,
    })
    demoMedia.add(doc)
    created++
    return doc.id
  }

  // Brands, each with a logo.
  const brands = new Map<string, Brand['id']>()
  const existingBrands = await payload.find({
    collection: 'brands',
    where: { slug: { in: DEMO_BRANDS.map((brand) => brand.slug) } },
    pagination: false,
    depth: 0,
  })
  for (const doc of existingBrands.docs) if (doc.slug) brands.set(doc.slug, doc.id)
  for (const brand of DEMO_BRANDS) {
    if (brands.has(brand.slug)) continue
    const image = await ensureImage({
      filename: `${DEMO_FILE_PREFIX}brand-${brand.slug}.jpg`,
      alt: `${brand.name} logo`,
      spec: { ...LOGO_IMAGE, colour: brand.colour, title: brand.name, subtitle: 'est. 2024' },
    })
    const doc = await payload.create({
      collection: 'brands',
      data: { name: brand.name, slug: brand.slug, image },
      depth: 0,
      context,
    })
    brands.set(brand.slug, doc.id)
    created++
  }

  // Categories, parents first; trashed ones count as present (restoring them is the operator's call).
  const categories = new Map<string, Category['id']>()
  const existingCategories = await payload.find({
    collection: 'categories',
    where: { slug: { in: DEMO_CATEGORIES.map((category) => category.slug) } },
    pagination: false,
    depth: 0,
    trash: true,
  })
  for (const doc of existingCategories.docs) if (doc.slug) categories.set(doc.slug, doc.id)
  for (const category of DEMO_CATEGORIES) {
    if (categories.has(category.slug)) continue
    const image = category.image
      ? await ensureImage({
          filename: `${DEMO_FILE_PREFIX}category-${category.slug}.jpg`,
          alt: `${category.name} category`,
          spec: { ...CATEGORY_IMAGE, colour: colourFor(category.name), title: category.name },
        })
      : undefined
    const parent = category.parent ? categories.get(category.parent) : undefined
    if (category.parent && parent === undefined) {
      throw new Error(`demo category ${category.slug}: parent ${category.parent} is missing`)
    }
    const doc = await payload.create({
      collection: 'categories',
      data: { name: category.name, slug: category.slug, image, parent },
      depth: 0,
      context,
    })
    categories.set(category.slug, doc.id)
    created++
  }

  // Products, found by SKU (trashed ones included: the SKU stays taken in the trash). A product is
  // created with its variants: one that exists has them already.
  const existingProducts = await payload.find({
    collection: 'products',
    where: { sku: { like: DEMO_SKU_PREFIX } },
    pagination: false,
    depth: 0,
    trash: true,
    select: { sku: true },
  })
  const skus = new Set(
    existingProducts.docs.map((doc) => doc.sku).filter((sku) => sku.startsWith(DEMO_SKU_PREFIX)),
  )
  // A few products at a time: most of the time goes into Payload resizing the images, which
  // sharp does off the main thread.
  await eachWithConcurrency(DEMO_PRODUCTS, PRODUCT_CONCURRENCY, async (product) => {
    if (skus.has(product.sku)) return
    const imageIds: Media['id'][] = []
    for (const plan of productImages(product)) imageIds.push(await ensureImage(plan))
    const [mainImage, ...images] = imageIds
    const categoryIds = product.categories.map((slug) => {
      const id = categories.get(slug)
      if (id === undefined) throw new Error(`demo product ${product.sku}: category ${slug} is missing`)
      return id
    })
    const doc = await payload.create({
      collection: 'products',
      data: {
        title: product.title,
        sku: product.sku,
        description: description(product.description),
        price: product.price,
        compareAtPrice: product.compareAtPrice ?? null,
        stock: product.stock,
        status: product.status,
        brand: brands.get(product.brand) ?? null,
        categories: categoryIds,
        mainImage,
        images,
        options: product.options ?? [],
      },
      depth: 0,
      context,
    })
    created++
    for (const variant of product.variants ?? []) {
      const colour = variant.options.Colour ?? ''
      const image = await ensureImage({
        filename: `${DEMO_FILE_PREFIX}${product.sku.toLowerCase()}-${colour.toLowerCase()}.jpg`,
        alt: `${product.title}, ${colour}`,
        spec: { ...PRODUCT_IMAGE, colour: colourFor(colour), title: product.title, subtitle: colour },
      })
      await payload.create({
        collection: 'variants',
        data: { product: doc.id, ...variant, image, status: 'published' },
        depth: 0,
        context,
      })
      created++
    }
    skus.add(product.sku)
  })

  return {
    brands: brands.size,
    categories: categories.size,
    products: DEMO_PRODUCTS.filter((product) => skus.has(product.sku)).length,
    variants: DEMO_PRODUCTS.filter((product) => skus.has(product.sku)).reduce(
      (sum, product) => sum + (product.variants?.length ?? 0),
      0,
    ),
    images: demoMedia.size,
    created,
  }
}
