import type { StockSlot } from './stockTemplate'

/**
 * A product's (or variant's) stock as a guarded write left it, with the revision that write gave
 * it. `id` is the product's id, or variantStockKey(variant id): the two collections number their
 * rows independently.
 */
export type StockChange = { id: number | string; stock: number; stockRevision: number }

/** The overlay's key for a variant's stock. */
export const variantStockKey = (variant: number | string): string => `variant:${variant}`

type Known = { revision: number; stock: number }

const isChange = (value: unknown): value is StockChange => {
  if (!value || typeof value !== 'object') return false
  const { id, stock, stockRevision } = value as Record<string, unknown>
  return (
    (typeof id === 'number' || typeof id === 'string') &&
    typeof stock === 'number' &&
    typeof stockRevision === 'number'
  )
}

/**
 * Each product's latest stock this instance knows of. Changes arrive in any order (from this
 * instance's writes, other instances' messages, the shared record on reconnect): the highest
 * revision wins, so an older change never hides a newer one.
 */
export class StockOverlay {
  private latest = new Map<string, Known>()
  /** Moves on every change that wins: a served answer computed at this generation is still current. */
  generation = 0

  apply(changes: readonly StockChange[]): void {
    for (const { id, stock, stockRevision } of changes) this.learn(String(id), stockRevision, stock)
  }

  applyMessage(message: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(message)
    } catch {
      return
    }
    if (Array.isArray(parsed)) this.apply(parsed.filter(isChange))
  }

  /** The shared record: product id → `revision:stock`. */
  applyRecord(record: Record<string, string>): void {
    for (const [id, value] of Object.entries(record)) {
      const [revision, stock] = value.split(':').map(Number)
      if (
        revision !== undefined &&
        stock !== undefined &&
        Number.isFinite(revision) &&
        Number.isFinite(stock)
      )
        this.learn(id, revision, stock)
    }
  }

  private learn(id: string, revision: number, stock: number): void {
    const known = this.latest.get(id)
    if (known && known.revision >= revision) return
    this.latest.set(id, { revision, stock })
    this.generation++
  }

  /** The stock each slot must show now, or undefined when the stored answer's are all current. */
  current(slots: readonly StockSlot[]): number[] | undefined {
    let newer = false
    const values = slots.map((slot) => {
      const known = this.latest.get(slot.id)
      if (!known || known.revision <= slot.revision) return slot.stock
      newer = true
      return known.stock
    })
    return newer ? values : undefined
  }
}
