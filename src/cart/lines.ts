import type { Payload } from 'payload'

import type { Cart } from '../../payload-types'
import { isDocumentId, normaliseId } from '../db/ids'
import type { DocId } from '../db/ids'

// A cart's lines live in ONE column of the cart's row (a `json` field), not in an `array` field:
// the SQL adapters keep an array in a table of its own, so writing one would be several
// statements, and without a transaction (SQLite) another request could read the cart between them
// (a new revision with the old lines). One column makes every cart write a single conditional
// statement on every adapter.

export const MAX_QUANTITY = 99
/** More distinct products than any cart needs; bounds the size of the stored value. */
export const MAX_LINES = 100

/** A line: a product, or one variant of it, and how many. */
export type CartLine = { product: DocId; variant?: DocId; quantity: number }

/** The contract's line id: the product's id, or `<productId>:<variantId>` for a variant. */
export const lineId = (line: Pick<CartLine, 'product' | 'variant'>): string =>
  line.variant === undefined ? String(line.product) : `${line.product}:${line.variant}`

/** The same line: the same product and the same variant (or none); ids may be numbers or digits. */
export const sameLine = (
  a: Pick<CartLine, 'product' | 'variant'>,
  b: Pick<CartLine, 'product' | 'variant'>,
): boolean => lineId(a) === lineId(b)

/**
 * A product reference as stored: an id, or, in a MongoDB cart written before the lines became a
 * `json` field, an ObjectId (which prints as its 24 hex digits).
 */
function productOf(value: unknown): DocId | undefined {
  if (typeof value === 'number' || typeof value === 'string') return value as DocId
  if (value && typeof value === 'object') {
    const text = String(value)
    if (/^[a-f0-9]{24}$/i.test(text)) return text as unknown as DocId
  }
  return undefined
}

/** The cart's lines, read tolerantly: a line that is not a product and a quantity is dropped. */
export function linesOf(cart: Pick<Cart, 'items'>): CartLine[] {
  const stored: unknown = cart.items
  if (!Array.isArray(stored)) return []
  const lines: CartLine[] = []
  for (const entry of stored as unknown[]) {
    if (!entry || typeof entry !== 'object') continue
    const { product, variant, quantity } = entry as {
      product?: unknown
      variant?: unknown
      quantity?: unknown
    }
    const id = productOf(product)
    const variantId = variant === undefined || variant === null ? undefined : productOf(variant)
    if (id === undefined || typeof quantity !== 'number') continue
    if (variantId === undefined && variant !== undefined && variant !== null) continue
    lines.push({ product: id, ...(variantId !== undefined && { variant: variantId }), quantity })
  }
  return lines
}

/**
 * The field's validation (admin writes through Payload's API; the cart endpoints build lines
 * themselves): an array of at most MAX_LINES `{product, variant?, quantity}`, ids of this
 * database, quantities 1–MAX_QUANTITY, each line (product and variant) once.
 */
export function lineProblem(value: unknown, payload: Payload): string | null {
  if (value === null || value === undefined) return null
  if (!Array.isArray(value)) return 'Must be a list of {product, variant?, quantity}.'
  if (value.length > MAX_LINES) return `At most ${MAX_LINES} lines.`
  const seen = new Set<string>()
  for (const entry of value as unknown[]) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      return 'Each line is {product, variant?, quantity}.'
    const keys = Object.keys(entry)
    if (keys.some((key) => key !== 'product' && key !== 'variant' && key !== 'quantity')) {
      return 'Each line is {product, variant?, quantity}.'
    }
    const { product, variant, quantity } = entry as {
      product?: unknown
      variant?: unknown
      quantity?: unknown
    }
    if (!isDocumentId(payload, product)) return 'Each line needs a product id.'
    if (variant !== undefined && !isDocumentId(payload, variant)) return "A line's variant is a variant id."
    if (
      typeof quantity !== 'number' ||
      !Number.isSafeInteger(quantity) ||
      quantity < 1 ||
      quantity > MAX_QUANTITY
    ) {
      return `Each quantity is a whole number from 1 to ${MAX_QUANTITY}.`
    }
    const key = lineId({
      product: normaliseId(payload, product) as DocId,
      ...(variant !== undefined && { variant: normaliseId(payload, variant as DocId) as DocId }),
    })
    if (seen.has(key)) return 'Each product and variant at most once.'
    seen.add(key)
  }
  return null
}

/** Product and variant ids in the adapter's form (SQL ids sent as digits are numbers); nothing else changes. */
export function normaliseLines(value: unknown, payload: Payload): unknown {
  if (!Array.isArray(value)) return value
  return (value as unknown[]).map((entry) => {
    if (!entry || typeof entry !== 'object' || !('product' in entry)) return entry
    const { product } = entry
    const variant = 'variant' in entry ? entry.variant : undefined
    return {
      ...entry,
      ...(isDocumentId(payload, product) && { product: normaliseId(payload, product) }),
      ...(isDocumentId(payload, variant) && { variant: normaliseId(payload, variant) }),
    }
  })
}

/** Whether a `where` names the lines (the stored JSON), at any depth of and/or. */
export function filtersOnLines(where: unknown): boolean {
  if (!where || typeof where !== 'object') return false
  return Object.entries(where).some(([key, value]) =>
    key === 'and' || key === 'or'
      ? Array.isArray(value) && value.some(filtersOnLines)
      : key === 'items' || key.startsWith('items.'),
  )
}
