import type { PayloadRequest } from 'payload'
import { z } from 'zod'

import type { Cart, Coupon, Media, Product } from '../../payload-types'
import { env } from '../config/env'
import { couponProblem } from '../coupons/rules'
import { lineTotal, totals } from '../money'
import type { Totals } from '../money'

import type { DocId } from '../db/ids'
import { linesOf } from './lines'

type Ref = DocId

export type CartProduct = Pick<Product, 'id' | 'title' | 'slug' | 'price' | 'stock' | 'sku'> & {
  mainImage: Media | Ref | null
}

export type PricedLine = {
  productId: Ref
  product: CartProduct | null
  quantity: number
  unitPrice: number
  lineTotal: number
  /** Why this line cannot be bought now; null when it can. */
  issue: string | null
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
  const ids = items.map((item) => item.product)
  const found = ids.length
    ? await req.payload.find({
        collection: 'products',
        where: { id: { in: ids } },
        overrideAccess: false,
        req,
        depth: images ? 1 : 0,
        limit: ids.length,
        pagination: false,
        select: {
          title: true,
          slug: true,
          price: true,
          stock: true,
          sku: true,
          ...(images && { mainImage: true }),
        },
        ...(images && {
          // `url` is computed from `filename` when read: without it, the URL answers null.
          populate: {
            media: { url: true, filename: true, alt: true, sizes: true, width: true, height: true },
          },
        }),
      })
    : { docs: [] }
  const byId = new Map(found.docs.map((doc) => [String(doc.id), doc as CartProduct]))

  const lines: PricedLine[] = items.map((item) => {
    const productId = item.product
    const product = byId.get(String(productId)) ?? null
    const quantity = item.quantity
    if (!product) {
      return {
        productId,
        product: null,
        quantity,
        unitPrice: 0,
        lineTotal: 0,
        issue: 'This product is no longer available.',
      }
    }
    const issue =
      product.stock < quantity
        ? product.stock === 0
          ? 'This product is out of stock.'
          : `Only ${product.stock} left in stock.`
        : null
    return {
      productId,
      product,
      quantity,
      unitPrice: product.price,
      lineTotal: lineTotal(product.price, quantity),
      issue,
    }
  })

  const coupon = cart.coupon && typeof cart.coupon === 'object' ? cart.coupon : null
  const buyable = lines.filter((line) => line.product)
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
        product: z.object({
          id,
          title: z.string().optional(),
          slug: z.string().nullable().optional(),
          price: minor.optional(),
          stock: z.number().int().optional(),
          mainImage: z.union([id, CartImage]).nullable().optional(),
        }),
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
    total: minor,
    currency: z.string().describe('ISO 4217, lower case'),
  })
  .meta({ id: 'CartView' })

export type CartAnswer = z.output<typeof CartAnswer>

/** The contract's cart answer. */
export function presentCart(cart: Cart, priced: PricedCart): CartAnswer {
  return {
    id: cart.id,
    items: priced.lines.map((line) => ({
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
    total: priced.total,
    currency: priced.currency,
  }
}
