import { variantStockKey } from './stockOverlay'

/** Where a stored product answer shows a product's stock, and what it showed when filled. */
export type StockSlot = { id: string; revision: number; stock: number }

/** A stored answer cut around its stock values: parts[0], slot 0's stock, parts[1], … */
export type StockTemplate = { parts: Buffer[]; slots: StockSlot[] }

// Stands in for each stock value while the answer is serialised again, then cut out: one marker
// per slot, so the slots come out in the order the answer shows them.
const MARKER = /"\\u0000stock(\d+)\\u0000"/g

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The body with `values` in its slots. */
export function splice(parts: readonly Buffer[], values: readonly number[]): Buffer {
  const pieces: Buffer[] = []
  parts.forEach((part, index) => {
    if (index > 0) pieces.push(Buffer.from(String(values[index - 1])))
    pieces.push(part)
  })
  return Buffer.concat(pieces)
}

/**
 * Replaces `record`'s stock with a marker and notes its slot; false when it shows stock without
 * a revision (then the answer cannot be overlaid).
 */
function cutOut(record: Record<string, unknown>, key: string | undefined, found: StockSlot[]): boolean {
  const { id, stock, stockRevision } = record
  if (typeof stock !== 'number' || typeof stockRevision !== 'number') return false
  if (typeof id !== 'number' && typeof id !== 'string') return false
  found.push({ id: key ?? String(id), revision: stockRevision, stock })
  record.stock = `\u0000stock${found.length - 1}\u0000`
  return true
}

/**
 * The template of a product answer (a document, or a list's `docs`), its variants' stock
 * included, or null when its stock cannot be overlaid safely: a product or variant showing stock
 * without its revision, or a body that does not serialise back to the same bytes. Such an answer
 * must not be kept.
 */
export function stockTemplate(body: Buffer): StockTemplate | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return null
  }
  if (!isRecord(parsed)) return null
  const docs: unknown[] = Array.isArray(parsed.docs) ? parsed.docs : [parsed]
  const found: StockSlot[] = []
  for (const doc of docs) {
    if (!isRecord(doc)) continue
    if ('stock' in doc && !cutOut(doc, undefined, found)) return null
    const variants: unknown[] = Array.isArray(doc.variants) ? doc.variants : []
    for (const variant of variants) {
      if (!isRecord(variant) || !('stock' in variant)) continue
      const { id } = variant
      if (typeof id !== 'number' && typeof id !== 'string') return null
      if (!cutOut(variant, variantStockKey(id), found)) return null
    }
  }
  if (found.length === 0) return { parts: [body], slots: [] }
  const texts: string[] = []
  const slots: StockSlot[] = []
  const text = JSON.stringify(parsed)
  let from = 0
  for (const match of text.matchAll(MARKER)) {
    const slot = found[Number(match[1])]
    if (!slot) return null
    texts.push(text.slice(from, match.index))
    slots.push(slot)
    from = match.index + match[0].length
  }
  texts.push(text.slice(from))
  if (slots.length !== found.length) return null
  const parts = texts.map((piece) => Buffer.from(piece))
  return splice(
    parts,
    slots.map((slot) => slot.stock),
  ).equals(body)
    ? { parts, slots }
    : null
}
