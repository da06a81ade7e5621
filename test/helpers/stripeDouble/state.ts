import { invalid, missing } from './errors'
import { EXPANDABLE } from './params'
import type {
  Charge,
  Coupon,
  Failure,
  JsonObject,
  PaymentIntent,
  Refund,
  SavedResponse,
  SessionRecord,
} from './types'
import { clone } from './util'

/** Everything the double holds between requests: its objects, saved idempotent answers, queued failures. */
export class DoubleState {
  readonly sessionStore = new Map<string, SessionRecord>()
  readonly paymentIntentStore = new Map<string, PaymentIntent>()
  readonly chargeStore = new Map<string, Charge>()
  readonly refundStore = new Map<string, Refund>()
  readonly couponStore = new Map<string, Coupon>()
  readonly idempotency = new Map<string, SavedResponse>()
  failures: Failure[] = []

  controlRecord(id: string): SessionRecord {
    const record = this.sessionStore.get(id)
    if (!record) throw new Error(`StripeDouble: no checkout session ${id}`)
    return record
  }

  apiSession(id: string): SessionRecord {
    const record = this.sessionStore.get(id)
    if (!record) throw invalid(`No such checkout.session: '${id}'`, 'session', 'resource_missing', 404)
    return record
  }

  found<T extends { id: string }>(store: Map<string, T>, kind: string, id: string): T {
    const value = store.get(id)
    if (!value) throw missing(kind, id, 'id', 404)
    return value
  }

  lineItemList(record: SessionRecord): JsonObject {
    return {
      object: 'list',
      data: clone(record.lineItems),
      has_more: false,
      url: `/v1/checkout/sessions/${record.session.id}/line_items`,
    }
  }

  lookup(id: string): JsonObject | undefined {
    const stores: Map<string, JsonObject>[] = [
      this.paymentIntentStore,
      this.chargeStore,
      this.refundStore,
      this.couponStore,
    ]
    const session = this.sessionStore.get(id)
    if (session) return session.session
    for (const store of stores) {
      const value = store.get(id)
      if (value) return value
    }
    return undefined
  }

  /** Applies `expand[]` paths like `payment_intent`, `payment_intent.latest_charge`, `line_items`. */
  expand(object: JsonObject, paths: string[]): JsonObject {
    const copy = clone(object)
    for (const path of paths) this.expandPath(copy, path.split('.'), path)
    return copy
  }

  expandPath(target: JsonObject, segments: string[], original: string): void {
    const [field, ...rest] = segments
    const type = typeof target.object === 'string' ? target.object : ''
    if (!field || !(EXPANDABLE[type] ?? []).includes(field)) {
      throw invalid(`This property cannot be expanded (${original}).`, 'expand')
    }
    let value = target[field]
    if (type === 'checkout.session' && field === 'line_items' && typeof target.id === 'string') {
      value = this.lineItemList(this.apiSession(target.id))
    } else if (typeof value === 'string') {
      const resolved = this.lookup(value)
      if (resolved) value = clone(resolved)
    }
    if (value === undefined) return
    target[field] = value
    if (rest.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return
    if (value.object === 'list' && Array.isArray(value.data) && rest[0] === 'data') {
      for (const item of value.data) {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
          this.expandPath(item, rest.slice(1), original)
        }
      }
      return
    }
    this.expandPath(value, rest, original)
  }

  takeFailure(method: string, path: string): Failure | undefined {
    const index = this.failures.findIndex(
      (failure) =>
        (failure.method === null || failure.method === method) &&
        (typeof failure.path === 'string' ? failure.path === path : failure.path.test(path)),
    )
    const failure = this.failures[index]
    if (!failure) return undefined
    failure.remaining -= 1
    if (failure.remaining <= 0) this.failures.splice(index, 1)
    return failure
  }
}
