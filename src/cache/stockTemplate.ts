/** Where a stored product answer shows a product's stock, and what it showed when filled. */
export type StockSlot = { id: string; revision: number; stock: number }

/** A stored answer cut around its stock values: parts[0], slot 0's stock, parts[1], … */
export type StockTemplate = { parts: Buffer[]; slots: StockSlot[] }

// Stands in for each stock value while the answer is serialised again, then cut out.
const SLOT = '\u0000stock\u0000'
const ENCODED_SLOT = JSON.stringify(SLOT)

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
 * The template of a product answer (a document, or a list's `docs`), or null when its stock
 * cannot be overlaid safely: a product showing stock without its revision, or a body that does
 * not serialise back to the same bytes. Such an answer must not be kept.
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
  const slots: StockSlot[] = []
  for (const doc of docs) {
    if (!isRecord(doc) || !('stock' in doc)) continue
    const { id, stock, stockRevision } = doc
    if (typeof stock !== 'number' || typeof stockRevision !== 'number') return null
    if (typeof id !== 'number' && typeof id !== 'string') return null
    slots.push({ id: String(id), revision: stockRevision, stock })
    doc.stock = SLOT
  }
  if (slots.length === 0) return { parts: [body], slots }
  const texts = JSON.stringify(parsed).split(ENCODED_SLOT)
  if (texts.length !== slots.length + 1) return null
  const parts = texts.map((text) => Buffer.from(text))
  return splice(
    parts,
    slots.map((slot) => slot.stock),
  ).equals(body)
    ? { parts, slots }
    : null
}
