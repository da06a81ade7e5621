import type { PayloadRequest } from 'payload'
import { z } from 'zod'

import type { Cart, Coupon, Media, Product, Variant } from '../../payload-types'
import { env } from '../config/env'
import { couponProblem } from '../coupons/rules'
import { lineTotal, totals } from '../money'
import type { TaxLine, Totals } from '../money'

import { refOf } from '../db/ids'
import type { DocId } from '../db/ids'
import { optionsOf } from '../catalog/options'
import { lineId, linesOf } from './lines'
import type { CartLine } from './lines'

type Ref = DocId

export type CartProduct = Pick<Product, 'id' | 'title' | 'slug' | 'price' | 'stock' | 'sku' | 'options'> & {
  mainImage: Media | Ref | null
}

export type CartVariant = Pick<
  Variant,
  'id' | 'product' | 'title' | 'options' | 'sku' | 'price' | 'stock'
> & {
  image: Media | Ref | null
}

export type PricedLine = {
  /** The contract's line id (src/cart/lines.ts). */
  id: string
  productId: Ref
  variantId?: Ref
  product: CartProduct | null
  /** The line's variant as the customer may see it; null for a product without options, or one gone. */
  variant: CartVariant | null
  quantity: number
  unitPrice: number
  lineTotal: number
  /** Why this line cannot be bought now; null when it can. */
  issue: string | null
  /** Not for sale at all (gone, or a variant to choose): priced at 0, counts for nothing. */
  gone: boolean
}

export type PricedCart = Totals & {
  lines: PricedLine[]
  coupon: Coupon | null
  couponIssue: string | null
  currency: string
}

/**
 * The cart priced from the catalog as the customer may see it right now: a product that was
 * unpublished, trashed or deleted since it was added is flagged, as is a quantity above stock.
 * Cart answers and checkout both use this, so they can never disagree.
 */
export async function priceCart(
  cart: Cart,
  req: PayloadRequest,
  // Cart answers show each product's image; checkout prices and snapshots without one.
  { images = true }: { images?: boolean } = {},
): Promise<PricedCart> {
  const items = linesOf(cart)
  // `url` is computed from `filename` when read: without it, the URL answers null.
  const media = { url: true, filename: true, alt: true, sizes: true, width: true, height: true } as const
  const productIds = items.map((item) => item.product)
  const variantIds = items.flatMap((item) => (item.variant === undefined ? [] : [item.variant]))
  const [products, variants] = await Promise.all([
    productIds.length
      ? req.payload.find({
          collection: 'products',
          where: { id: { in: productIds } },
          overrideAccess: false,
          req,
          depth: images ? 1 : 0,
          limit: productIds.length,
          pagination: false,
          select: {
            title: true,
            slug: true,
            price: true,
            stock: true,
            sku: true,
            options: true,
            ...(images && { mainImage: true }),
          },
          ...(images && { populate: { media } }),
        })
      : { docs: [] },
    // Read as the customer: only published, untrashed variants of published products come back.
    variantIds.length
      ? req.payload.find({
          collection: 'variants',
          where: { id: { in: variantIds } },
          overrideAccess: false,
          req,
          depth: images ? 1 : 0,
          limit: variantIds.length,
          pagination: false,
          select: {
            product: true,
            title: true,
            options: true,
            sku: true,
            price: true,
            stock: true,
            ...(images && { image: true }),
          },
          ...(images && { populate: { media } }),
        })
      : { docs: [] },
  ])
  const productById = new Map(products.docs.map((doc) => [String(doc.id), doc as CartProduct]))
  const variantById = new Map(
    variants.docs.map((doc) => [String(doc.id), { image: null, ...doc } as CartVariant]),
  )
  const lines = items.map((item) => priceLine(item, productById, variantById))
  const coupon = cart.coupon && typeof cart.coupon === 'object' ? cart.coupon : null
  const buyable = lines.filter((line) => !line.gone)
  const subtotalBeforeCoupon = buyable.reduce((sum, line) => sum + line.lineTotal, 0)
  const couponIssue = coupon ? couponProblem(coupon, subtotalBeforeCoupon) : null
  const applied = coupon && !couponIssue ? { type: coupon.type, value: coupon.value } : null
  const settings = env()
  return {
    lines,
    coupon,
    couponIssue,
    currency: settings.CURRENCY,
    ...totals(buyable, applied, settings.SHIPPING_FLAT_FEE),
  }
}

const unavailable = (item: CartLine, product: CartProduct | null, issue: string): PricedLine => ({
  id: lineId(item),
  productId: item.product,
  ...(item.variant !== undefined && { variantId: item.variant }),
  product,
  variant: null,
  quantity: item.quantity,
  unitPrice: 0,
  lineTotal: 0,
  issue,
  gone: true,
})

/**
 * One line priced: the variant's price when it has one, else the product's; the variant's stock
 * for a variant. A product that has options is bought only as one of its variants.
 */
function priceLine(
  item: CartLine,
  productById: Map<string, CartProduct>,
  variantById: Map<string, CartVariant>,
): PricedLine {
  const product = productById.get(String(item.product)) ?? null
  if (!product) return unavailable(item, null, 'This product is no longer available.')
  const hasOptions = optionsOf(product.options).length > 0
  let variant: CartVariant | null = null
  if (item.variant !== undefined) {
    variant = variantById.get(String(item.variant)) ?? null
    const ofProduct = variant && String(refOf(variant.product)) === String(product.id)
    if (!variant || !ofProduct || !hasOptions)
      return unavailable(item, product, `This option of ${product.title} is no longer available.`)
  } else if (hasOptions) {
    return unavailable(item, product, `Choose the options of ${product.title}.`)
  }
  const stock = variant ? variant.stock : product.stock
  const unitPrice = typeof variant?.price === 'number' ? variant.price : product.price
  const quantity = item.quantity
  const issue =
    stock < quantity ? (stock === 0 ? 'This product is out of stock.' : `Only ${stock} left in stock.`) : null
  return {
    id: lineId(item),
    productId: item.product,
    ...(item.variant !== undefined && { variantId: item.variant }),
    product,
    variant,
    quantity,
    unitPrice,
    lineTotal: lineTotal(unitPrice, quantity),
    issue,
    gone: false,
  }
}

const id = z.union([z.number(), z.string()])
const minor = z.number().int().describe('minor units (cents)')
const size = z.looseObject({
  url: z.string().nullable().optional(),
  width: z.number().nullable().optional(),
  height: z.number().nullable().optional(),
})

/** A cart line's product image: the media fields a storefront shows (sizes the original is smaller than are null). */
const CartImage = z.object({
  id,
  alt: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  filename: z.string().nullable().optional(),
  width: z.number().nullable().optional(),
  height: z.number().nullable().optional(),
  sizes: z.record(z.string(), size).optional(),
})

/** The contract's cart answer: every cart endpoint answers the whole cart in this shape. */
export const CartAnswer = z
  .object({
    id,
    items: z.array(
      z.object({
        id: z.string().describe('the line id: the product id, or `<productId>:<variantId>`'),
        product: z.object({
          id,
          title: z.string().optional(),
          slug: z.string().nullable().optional(),
          price: minor.optional(),
          stock: z.number().int().optional(),
          mainImage: z.union([id, CartImage]).nullable().optional(),
        }),
        variant: z
          .object({
            id,
            title: z.string().nullable().optional(),
            options: z.record(z.string(), z.string()).nullable().optional(),
            sku: z.string().nullable().optional(),
            price: minor.optional(),
            stock: z.number().int().optional(),
            image: z.union([id, CartImage]).nullable().optional(),
          })
          .nullable()
          .describe('the variant of a product sold in options; null otherwise'),
        quantity: z.number().int(),
        unitPrice: minor,
        lineTotal: minor,
        available: z.boolean().describe('false: the line cannot be bought now (see issue)'),
        issue: z.string().nullable().describe('why the line cannot be bought now'),
      }),
    ),
    coupon: z.object({ code: z.string(), type: z.enum(['percent', 'fixed']), value: z.number() }).nullable(),
    couponIssue: z.string().nullable().describe('why the coupon does not apply now'),
    subtotal: minor,
    discount: minor,
    shipping: minor,
    tax: minor,
    taxLines: z.array(z.object({ name: z.string(), rate: z.number(), amount: minor })),
    total: minor,
    currency: z.string().describe('ISO 4217, lower case'),
  })
  .meta({ id: 'CartView' })

export type CartAnswer = z.output<typeof CartAnswer>

/** The contract's cart answer (tax 0 until a destination is named: src/cart/charges.ts). */
export function presentCart(
  cart: Cart,
  priced: PricedCart & { tax?: number; taxLines?: TaxLine[] },
): CartAnswer {
  return {
    id: cart.id,
    items: priced.lines.map((line) => ({
      id: line.id,
      product: line.product
        ? {
            id: line.product.id,
            title: line.product.title,
            slug: line.product.slug,
            price: line.product.price,
            stock: line.product.stock,
            mainImage: line.product.mainImage,
          }
        : { id: line.productId },
      variant: line.variant
        ? {
            id: line.variant.id,
            title: line.variant.title,
            options: line.variant.options,
            sku: line.variant.sku,
            price: line.unitPrice,
            stock: line.variant.stock,
            image: line.variant.image,
          }
        : line.variantId !== undefined
          ? { id: line.variantId }
          : null,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      lineTotal: line.lineTotal,
      available: line.issue === null,
      issue: line.issue,
    })),
    coupon: priced.coupon
      ? { code: priced.coupon.code, type: priced.coupon.type, value: priced.coupon.value }
      : null,
    couponIssue: priced.couponIssue,
    subtotal: priced.subtotal,
    discount: priced.discount,
    shipping: priced.shipping,
    tax: priced.tax ?? 0,
    taxLines: priced.taxLines ?? [],
    total: priced.total,
    currency: priced.currency,
  }
}
