/**
 * A local test double of the Stripe REST API, driven by the REAL `stripe` SDK.
 *
 * Point the SDK at it with `new Stripe(key, { ...double.clientOptions(), maxNetworkRetries: 0 })`
 * (or, in the app, `STRIPE_API_URL=double.url` → `{ host, port, protocol }`).
 *
 * It speaks the wire format the SDK uses: `application/x-www-form-urlencoded` bodies with bracketed
 * keys (`line_items[0][price_data][unit_amount]=2000`, `metadata[orderId]=42`, `expand[0]=payment_intent`),
 * `Authorization: Bearer sk_test_…`, an `Idempotency-Key` on every POST, and errors shaped
 * `{ error: { type, message, code?, param?, doc_url? } }` so the SDK maps them to its own error classes.
 *
 * Supported (everything else answers 404 "Unrecognized request URL", like Stripe):
 * - POST /v1/checkout/sessions            mode=payment, `line_items[i][price_data]` only (no Price ids),
 *                                         one `discounts[0][coupon]` (created via POST /v1/coupons)
 * - GET  /v1/checkout/sessions/:id        `expand[]` payment_intent, payment_intent.latest_charge, line_items
 * - GET  /v1/checkout/sessions/:id/line_items
 * - POST /v1/checkout/sessions/:id/expire
 * - POST /v1/refunds, GET /v1/refunds/:id
 * - GET  /v1/payment_intents/:id, GET /v1/charges/:id
 * - POST /v1/coupons, GET /v1/coupons/:id
 *
 * Unknown parameters are rejected with `parameter_unknown` (as Stripe does) so typos in the app fail loudly;
 * parameters Stripe accepts but the double does not model are accepted and ignored.
 *
 * Idempotency follows Stripe: a successful POST's response is saved per (API key, Idempotency-Key); a repeat
 * with the same endpoint and parameters replays it byte for byte (header `Idempotent-Replayed: true`), a repeat
 * with other parameters or another endpoint gets 400 `idempotency_error`. Failed requests (validation errors,
 * `failNext` failures) are not saved, so a retry with the same key executes again.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import qs from 'qs'
import Stripe from 'stripe'

// ---------------------------------------------------------------------------------------------------------
// Types

/** A parsed form body / query string: strings, arrays and nested objects, exactly as the SDK encoded them. */
export type FormValue = string | FormValue[] | FormObject
export interface FormObject {
  [key: string]: FormValue
}

type Json = string | number | boolean | null | Json[] | JsonObject
interface JsonObject {
  [key: string]: Json
}

export type Metadata = Record<string, string>

export type StripeErrorBody = {
  type: string
  message: string
  code?: string
  param?: string
  doc_url?: string
  decline_code?: string
}

export type DoubleCall = {
  method: string
  /** Path without the query string, e.g. `/v1/checkout/sessions`. */
  path: string
  query: FormObject
  /** The parsed form body (nested objects/arrays; every leaf is a string). */
  body: FormObject
  rawBody: string
  /** Lower-cased request headers. */
  headers: Record<string, string>
  /** The `Idempotency-Key` header. NB: the SDK sends `stripe-node-retry-<uuid>` on every POST without one. */
  idempotencyKey: string | null
  /** The HTTP status the double answered with. */
  status: number
}

export type Price = {
  id: string
  object: 'price'
  active: boolean
  billing_scheme: 'per_unit'
  created: number
  currency: string
  custom_unit_amount: null
  livemode: false
  lookup_key: null
  metadata: Metadata
  nickname: null
  product: string
  recurring: null
  tax_behavior: string
  tiers_mode: null
  transform_quantity: null
  type: 'one_time'
  unit_amount: number | null
  unit_amount_decimal: string
}

export type LineItem = {
  id: string
  object: 'item'
  adjustable_quantity: null
  amount_discount: number
  amount_subtotal: number
  amount_tax: number
  amount_total: number
  currency: string
  description: string | null
  metadata: Metadata
  price: Price
  quantity: number
}

export type CustomerDetails = {
  address: null
  email: string | null
  name: string | null
  phone: null
  tax_exempt: 'none'
  tax_ids: never[]
}

export type CheckoutSession = {
  id: string
  object: 'checkout.session'
  after_expiration: null
  allow_promotion_codes: boolean | null
  amount_subtotal: number
  amount_total: number
  automatic_tax: { enabled: boolean; liability: null; provider: null; status: null }
  billing_address_collection: string | null
  cancel_url: string | null
  client_reference_id: string | null
  client_secret: null
  created: number
  currency: string
  customer: string | null
  customer_creation: string | null
  customer_details: CustomerDetails | null
  customer_email: string | null
  discounts: { coupon: string | null; promotion_code: string | null }[]
  expires_at: number
  invoice: null
  livemode: false
  locale: string | null
  metadata: Metadata
  mode: 'payment'
  payment_intent: string | null
  payment_link: null
  payment_method_types: string[]
  payment_status: 'paid' | 'unpaid' | 'no_payment_required'
  setup_intent: null
  status: 'open' | 'complete' | 'expired'
  submit_type: string | null
  subscription: null
  success_url: string | null
  total_details: { amount_discount: number; amount_shipping: number; amount_tax: number }
  ui_mode: string
  url: string | null
}

export type PaymentIntent = {
  id: string
  object: 'payment_intent'
  amount: number
  amount_capturable: number
  amount_received: number
  canceled_at: null
  cancellation_reason: null
  capture_method: 'automatic_async'
  client_secret: string
  confirmation_method: 'automatic'
  created: number
  currency: string
  customer: string | null
  description: string | null
  last_payment_error: { type: string; code: string; message: string } | null
  latest_charge: string | null
  livemode: false
  metadata: Metadata
  payment_method: string
  payment_method_types: string[]
  receipt_email: string | null
  status: 'succeeded' | 'processing' | 'requires_payment_method'
}

export type Charge = {
  id: string
  object: 'charge'
  amount: number
  amount_captured: number
  amount_refunded: number
  balance_transaction: string | null
  billing_details: { email: string | null; name: string | null }
  captured: boolean
  created: number
  currency: string
  customer: string | null
  description: string | null
  failure_code: string | null
  failure_message: string | null
  livemode: false
  metadata: Metadata
  paid: boolean
  payment_intent: string
  payment_method: string
  payment_method_details: { type: string }
  receipt_email: string | null
  refunded: boolean
  status: 'succeeded' | 'pending' | 'failed'
}

export type Refund = {
  id: string
  object: 'refund'
  amount: number
  balance_transaction: string
  charge: string
  created: number
  currency: string
  metadata: Metadata
  payment_intent: string
  reason: string | null
  receipt_number: null
  source_transfer_reversal: null
  status: 'succeeded'
  transfer_reversal: null
}

export type Coupon = {
  id: string
  object: 'coupon'
  amount_off: number | null
  created: number
  currency: string | null
  duration: string
  duration_in_months: number | null
  livemode: false
  max_redemptions: number | null
  metadata: Metadata
  name: string | null
  percent_off: number | null
  redeem_by: number | null
  times_redeemed: number
  valid: boolean
}

export type StripeEventPayload<T = unknown> = {
  id: string
  object: 'event'
  api_version: string
  created: number
  data: { object: T; previous_attributes?: Record<string, unknown> }
  livemode: false
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  type: string
}

export type StripeDoubleOptions = {
  /** Fixed port (default 0: any free port). */
  port?: number
  /** Accept only this exact secret key (default: any `sk_test_…` key). */
  apiKey?: string
}

export type CompleteOptions = {
  /** `true` (card): paid + succeeded PaymentIntent; `false` (async method): unpaid + processing, see `settle`. */
  paid?: boolean
  email?: string
  name?: string
}

export type FailOptions = {
  /** Only fail this HTTP method (default: any). */
  method?: string
  /** How many consecutive matching requests fail (default 1). Remember the SDK retries 5xx/409. */
  times?: number
  /** Extra response headers, e.g. `{ 'Stripe-Should-Retry': 'false' }`. */
  headers?: Record<string, string>
}

type SessionRecord = {
  session: CheckoutSession
  lineItems: LineItem[]
  paymentIntentData: { metadata: Metadata; description: string | null; receiptEmail: string | null }
}

type Failure = {
  path: string | RegExp
  status: number
  error: StripeErrorBody
  method: string | null
  remaining: number
  headers: Record<string, string>
}

type SavedResponse = { fingerprint: string; endpoint: string; status: number; body: string }

type Route = {
  method: 'GET' | 'POST'
  pattern: RegExp
  handler: (params: Form, ids: string[]) => { status?: number; object: JsonObject; expandable: boolean }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function randomId(prefix: string, length = 24): string {
  let out = prefix
  for (const byte of randomBytes(length)) out += ALPHABET.charAt(byte % ALPHABET.length)
  return out
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

function clone<T>(value: T): T {
  return structuredClone(value)
}

/** Canonical JSON (sorted keys) for comparing idempotent requests' parameters. */
function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  const keys = Object.keys(value).sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? '')}`).join(',')}}`
}

function normalize(value: unknown): FormValue | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    return value.map(normalize).filter((item): item is FormValue => item !== undefined)
  }
  if (value !== null && typeof value === 'object') {
    const out: FormObject = {}
    for (const [key, item] of Object.entries(value)) {
      const normalized = normalize(item)
      if (normalized !== undefined) out[key] = normalized
    }
    return out
  }
  return undefined
}

/** Parses `a[b][0][c]=1&…` into nested objects/arrays (the SDK's indexed-array encoding). */
export function parseForm(text: string): FormObject {
  if (!text) return {}
  const parsed = normalize(qs.parse(text, { depth: 20, arrayLimit: 1000, parameterLimit: 10_000 }))
  return parsed !== undefined && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {}
}

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message)
  }
}

function invalid(message: string, param?: string, code?: string, status = 400): ApiFailure {
  const body: StripeErrorBody = { type: 'invalid_request_error', message }
  if (code) {
    body.code = code
    body.doc_url = `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`
  }
  if (param) body.param = param
  return new ApiFailure(status, body)
}

function missing(kind: string, id: string, param: string, status: number): ApiFailure {
  return invalid(`No such ${kind}: '${id}'`, param, 'resource_missing', status)
}

function defaultErrorType(status: number): string {
  if (status === 402) return 'card_error'
  if (status >= 500) return 'api_error'
  return 'invalid_request_error'
}

function redactKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : key
}

function formatMoney(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`
}

/** Minimum charge amounts (smallest unit) for a few common currencies; others are not checked. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50 }
const MAXIMUM_AMOUNT = 99_999_999

/** A view over a parsed form object that validates like Stripe and names params like Stripe (`a[b][0]`). */
class Form {
  constructor(
    readonly data: FormObject,
    readonly prefix = '',
  ) {}

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key
  }

  has(key: string): boolean {
    return Object.hasOwn(this.data, key)
  }

  raw(key: string): FormValue | undefined {
    return this.has(key) ? this.data[key] : undefined
  }

  rejectUnknown(allowed: readonly string[]): void {
    for (const key of Object.keys(this.data)) {
      if (!allowed.includes(key)) {
        throw invalid(`Received unknown parameter: ${this.name(key)}`, this.name(key), 'parameter_unknown')
      }
    }
  }

  string(key: string): string | undefined {
    const value = this.raw(key)
    if (value === undefined) return undefined
    if (typeof value !== 'string')
      throw invalid(`Invalid string: ${this.name(key)} must be a string`, this.name(key))
    return value
  }

  requiredString(key: string): string {
    const value = this.string(key)
    if (value === undefined || value === '') {
      throw invalid(`Missing required param: ${this.name(key)}.`, this.name(key), 'parameter_missing')
    }
    return value
  }

  int(key: string, min?: number): number | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (!/^-?\d+$/.test(value)) {
      throw invalid(`Invalid integer: ${value}`, this.name(key), 'parameter_invalid_integer')
    }
    const parsed = Number(value)
    if (min !== undefined && parsed < min) {
      throw invalid(
        `This value must be greater than or equal to ${min}.`,
        this.name(key),
        'parameter_invalid_integer',
      )
    }
    return parsed
  }

  number(key: string): number | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (!/^\d+(\.\d+)?$/.test(value)) throw invalid(`Invalid decimal: ${value}`, this.name(key))
    return Number(value)
  }

  bool(key: string): boolean | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (value !== 'true' && value !== 'false') throw invalid(`Invalid boolean: ${value}`, this.name(key))
    return value === 'true'
  }

  oneOf(key: string, values: readonly string[]): string | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (!values.includes(value)) {
      throw invalid(`Invalid ${this.name(key)}: must be one of ${values.join(', ')}`, this.name(key))
    }
    return value
  }

  object(key: string): Form | undefined {
    const value = this.raw(key)
    if (value === undefined || value === '') return undefined
    if (typeof value === 'string' || Array.isArray(value)) throw invalid('Invalid object', this.name(key))
    return new Form(value, this.name(key))
  }

  array(key: string): Form[] {
    const value = this.raw(key)
    if (value === undefined || value === '') return []
    if (!Array.isArray(value)) throw invalid('Invalid array', this.name(key))
    return value.map((item, index) => {
      const name = `${this.name(key)}[${index}]`
      if (typeof item === 'string' || Array.isArray(item)) throw invalid('Invalid object', name)
      return new Form(item, name)
    })
  }

  strings(key: string): string[] {
    const value = this.raw(key)
    if (value === undefined || value === '') return []
    if (typeof value === 'string') return [value]
    if (!Array.isArray(value)) throw invalid('Invalid array', this.name(key))
    return value.map((item, index) => {
      if (typeof item !== 'string') throw invalid('Invalid string', `${this.name(key)}[${index}]`)
      return item
    })
  }

  /** Stripe metadata rules: ≤ 50 keys, key ≤ 40 chars (no brackets), value ≤ 500 chars; '' values unset. */
  metadata(key = 'metadata'): Metadata {
    const value = this.raw(key)
    if (value === undefined || value === '') return {}
    if (typeof value === 'string' || Array.isArray(value)) throw invalid('Invalid object', this.name(key))
    const out: Metadata = {}
    for (const [metaKey, metaValue] of Object.entries(value)) {
      const name = `${this.name(key)}[${metaKey}]`
      if (typeof metaValue !== 'string') throw invalid(`Invalid string: ${name} must be a string`, name)
      if (metaKey.length > 40) throw invalid('Metadata keys can have up to 40 characters.', name)
      if (metaValue.length > 500) {
        throw invalid(
          `Metadata values can have up to 500 characters, but you passed in a value that is ${metaValue.length} characters.`,
          name,
        )
      }
      if (metaValue !== '') out[metaKey] = metaValue
    }
    if (Object.keys(out).length > 50) throw invalid('You can specify up to 50 metadata keys.', this.name(key))
    return out
  }
}

// Parameters Stripe accepts (from the SDK's own *CreateParams types); the double models only some of them.
const SESSION_PARAMS = [
  'adaptive_pricing',
  'after_expiration',
  'allow_promotion_codes',
  'allowed_payment_method_types',
  'automatic_tax',
  'billing_address_collection',
  'branding_settings',
  'cancel_url',
  'client_reference_id',
  'consent_collection',
  'currency',
  'custom_fields',
  'custom_text',
  'customer',
  'customer_account',
  'customer_creation',
  'customer_email',
  'customer_update',
  'discounts',
  'excluded_payment_method_types',
  'expand',
  'expires_at',
  'integration_identifier',
  'invoice_creation',
  'line_items',
  'locale',
  'managed_payments',
  'metadata',
  'mode',
  'name_collection',
  'optional_items',
  'origin_context',
  'payment_intent_data',
  'payment_method_collection',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'permissions',
  'phone_number_collection',
  'redirect_on_completion',
  'return_url',
  'saved_payment_method_options',
  'setup_intent_data',
  'shipping_address_collection',
  'shipping_options',
  'submit_type',
  'subscription_data',
  'success_url',
  'tax_id_collection',
  'ui_mode',
  'wallet_options',
] as const
const LINE_ITEM_PARAMS = [
  'adjustable_quantity',
  'metadata',
  'price',
  'price_data',
  'quantity',
  'tax_rates',
] as const
const PRICE_DATA_PARAMS = [
  'currency',
  'product',
  'product_data',
  'recurring',
  'tax_behavior',
  'unit_amount',
  'unit_amount_decimal',
] as const
const PRODUCT_DATA_PARAMS = [
  'description',
  'images',
  'metadata',
  'name',
  'tax_code',
  'tax_details',
  'unit_label',
] as const
const PAYMENT_INTENT_DATA_PARAMS = [
  'application_fee_amount',
  'capture_method',
  'description',
  'metadata',
  'on_behalf_of',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_data',
  'transfer_group',
] as const
const REFUND_PARAMS = [
  'amount',
  'charge',
  'currency',
  'customer',
  'expand',
  'instructions_email',
  'metadata',
  'origin',
  'payment_intent',
  'reason',
  'refund_application_fee',
  'reverse_transfer',
] as const
const COUPON_PARAMS = [
  'amount_off',
  'applies_to',
  'currency',
  'currency_options',
  'duration',
  'duration_in_months',
  'expand',
  'id',
  'max_redemptions',
  'metadata',
  'name',
  'percent_off',
  'redeem_by',
] as const

/** Which fields `expand[]` may name, per object type (Stripe errors on anything else). */
const EXPANDABLE: Record<string, readonly string[]> = {
  'checkout.session': [
    'customer',
    'invoice',
    'line_items',
    'payment_intent',
    'payment_link',
    'setup_intent',
    'subscription',
  ],
  payment_intent: ['customer', 'latest_charge', 'payment_method'],
  charge: ['balance_transaction', 'customer', 'payment_intent'],
  refund: ['balance_transaction', 'charge', 'payment_intent'],
  coupon: [],
  item: ['price'],
  price: ['product'],
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------------------
// The double

let signingClient: Stripe | null = null
function webhookSigner(): Stripe {
  signingClient ??= new Stripe('sk_test_stripe_double_signing_only', { telemetry: false })
  return signingClient
}

export class StripeDouble {
  /** Every HTTP request the double received, in order (retries appear as separate calls). */
  readonly calls: DoubleCall[] = []

  private server: Server | null = null
  private boundPort = 0
  private readonly sessionStore = new Map<string, SessionRecord>()
  private readonly paymentIntentStore = new Map<string, PaymentIntent>()
  private readonly chargeStore = new Map<string, Charge>()
  private readonly refundStore = new Map<string, Refund>()
  private readonly couponStore = new Map<string, Coupon>()
  private readonly idempotency = new Map<string, SavedResponse>()
  private failures: Failure[] = []

  private readonly routes: Route[] = [
    { method: 'POST', pattern: /^\/v1\/checkout\/sessions$/, handler: (p) => this.createSession(p) },
    {
      method: 'GET',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/,
      handler: (_p, [id = '']) => ({ object: this.lineItemList(this.apiSession(id)), expandable: false }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
      handler: (p, [id = '']) => this.expireSession(p, id),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
      handler: (_p, [id = '']) => ({ object: this.apiSession(id).session, expandable: true }),
    },
    { method: 'POST', pattern: /^\/v1\/refunds$/, handler: (p) => this.createRefund(p) },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds\/([^/]+)$/,
      handler: (_p, [id = '']) => ({ object: this.found(this.refundStore, 'refund', id), expandable: true }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/payment_intents\/([^/]+)$/,
      handler: (_p, [id = '']) => ({
        object: this.found(this.paymentIntentStore, 'payment_intent', id),
        expandable: true,
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/charges\/([^/]+)$/,
      handler: (_p, [id = '']) => ({ object: this.found(this.chargeStore, 'charge', id), expandable: true }),
    },
    { method: 'POST', pattern: /^\/v1\/coupons$/, handler: (p) => this.createCoupon(p) },
    {
      method: 'GET',
      pattern: /^\/v1\/coupons\/([^/]+)$/,
      handler: (_p, [id = '']) => ({ object: this.found(this.couponStore, 'coupon', id), expandable: true }),
    },
  ]

  constructor(private readonly options: StripeDoubleOptions = {}) {}

  // ----- lifecycle ---------------------------------------------------------------------------------------

  async start(): Promise<this> {
    if (this.server) return this
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (res.headersSent) return
        res.writeHead(500, { 'Content-Type': 'application/json' })
        res.end(
          JSON.stringify({ error: { type: 'api_error', message: `StripeDouble crashed: ${String(error)}` } }),
        )
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    this.boundPort = (server.address() as AddressInfo).port
    return this
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = null
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      // The SDK's default agent keeps sockets alive; without this close() would wait for them.
      server.closeAllConnections()
    })
  }

  get port(): number {
    if (!this.server) throw new Error('StripeDouble is not started')
    return this.boundPort
  }

  /** e.g. `http://127.0.0.1:54321` — the value for STRIPE_API_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The store's settings for card payments through this double, webhooks signed with `webhookSecret`. */
  storeEnv(webhookSecret: string): Record<string, string> {
    return {
      STRIPE_SECRET_KEY: 'sk_test_store',
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: this.url,
    }
  }

  /** The SDK constructor options that point it here. */
  clientOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' }
  }

  /** Clears all objects, recorded calls, pending failures and saved idempotent responses. */
  reset(): void {
    this.calls.length = 0
    this.sessionStore.clear()
    this.paymentIntentStore.clear()
    this.chargeStore.clear()
    this.refundStore.clear()
    this.couponStore.clear()
    this.idempotency.clear()
    this.failures = []
  }

  // ----- inspection --------------------------------------------------------------------------------------

  session(id: string): CheckoutSession | undefined {
    const record = this.sessionStore.get(id)
    return record ? clone(record.session) : undefined
  }

  sessions(): CheckoutSession[] {
    return [...this.sessionStore.values()].map((record) => clone(record.session))
  }

  lineItems(sessionId: string): LineItem[] {
    return clone(this.controlRecord(sessionId).lineItems)
  }

  paymentIntent(id: string): PaymentIntent | undefined {
    const found = this.paymentIntentStore.get(id)
    return found ? clone(found) : undefined
  }

  charge(id: string): Charge | undefined {
    const found = this.chargeStore.get(id)
    return found ? clone(found) : undefined
  }

  refunds(): Refund[] {
    return [...this.refundStore.values()].map(clone)
  }

  /** Recorded calls whose path equals (or matches) `path`, optionally of one method. */
  callsTo(path: string | RegExp, method?: string): DoubleCall[] {
    return this.calls.filter(
      (call) =>
        (typeof path === 'string' ? call.path === path : path.test(call.path)) &&
        (!method || call.method === method.toUpperCase()),
    )
  }

  // ----- control -----------------------------------------------------------------------------------------

  /**
   * The customer finishes Checkout. `paid: true` (default, card): status 'complete', payment_status 'paid',
   * a succeeded PaymentIntent `pi_…` with a succeeded charge `ch_…`. `paid: false` (async method such as
   * SEPA): payment_status 'unpaid', PaymentIntent 'processing', charge 'pending' — finish with `settle`.
   * A session whose total is 0 gets payment_status 'no_payment_required' and no PaymentIntent (as Stripe).
   */
  complete(sessionId: string, options: CompleteOptions = {}): CheckoutSession {
    const record = this.controlRecord(sessionId)
    const session = record.session
    if (session.status !== 'open') {
      throw new Error(
        `StripeDouble: session ${sessionId} is ${session.status}; only open sessions can complete`,
      )
    }
    const paid = options.paid ?? true
    const email = options.email ?? session.customer_email ?? 'customer@example.test'
    const name = options.name ?? 'Test Customer'
    session.status = 'complete'
    session.url = null
    session.customer_details = { address: null, email, name, phone: null, tax_exempt: 'none', tax_ids: [] }
    if (session.amount_total === 0) {
      session.payment_status = 'no_payment_required'
      return clone(session)
    }
    const created = nowSeconds()
    const paymentIntentId = randomId('pi_')
    const chargeId = randomId('ch_')
    const paymentMethod = randomId('pm_')
    const methodType = paid ? 'card' : 'sepa_debit'
    const receiptEmail = record.paymentIntentData.receiptEmail
    this.chargeStore.set(chargeId, {
      id: chargeId,
      object: 'charge',
      amount: session.amount_total,
      amount_captured: paid ? session.amount_total : 0,
      amount_refunded: 0,
      balance_transaction: paid ? randomId('txn_') : null,
      billing_details: { email, name },
      captured: paid,
      created,
      currency: session.currency,
      customer: session.customer,
      description: record.paymentIntentData.description,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: {},
      paid,
      payment_intent: paymentIntentId,
      payment_method: paymentMethod,
      payment_method_details: { type: methodType },
      receipt_email: receiptEmail,
      refunded: false,
      status: paid ? 'succeeded' : 'pending',
    })
    this.paymentIntentStore.set(paymentIntentId, {
      id: paymentIntentId,
      object: 'payment_intent',
      amount: session.amount_total,
      amount_capturable: 0,
      amount_received: paid ? session.amount_total : 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic_async',
      client_secret: `${paymentIntentId}_secret_${randomId('', 25)}`,
      confirmation_method: 'automatic',
      created,
      currency: session.currency,
      customer: session.customer,
      description: record.paymentIntentData.description,
      last_payment_error: null,
      latest_charge: chargeId,
      livemode: false,
      metadata: clone(record.paymentIntentData.metadata),
      payment_method: paymentMethod,
      payment_method_types: [methodType],
      receipt_email: receiptEmail,
      status: paid ? 'succeeded' : 'processing',
    })
    session.payment_status = paid ? 'paid' : 'unpaid'
    session.payment_intent = paymentIntentId
    return clone(session)
  }

  /** Finishes an async payment started by `complete(id, { paid: false })`: succeeds (default) or fails. */
  settle(sessionId: string, options: { succeeded?: boolean } = {}): CheckoutSession {
    const session = this.controlRecord(sessionId).session
    const paymentIntent = session.payment_intent
      ? this.paymentIntentStore.get(session.payment_intent)
      : undefined
    if (session.status !== 'complete' || !paymentIntent || paymentIntent.status !== 'processing') {
      throw new Error(`StripeDouble: session ${sessionId} has no processing payment to settle`)
    }
    const charge = paymentIntent.latest_charge ? this.chargeStore.get(paymentIntent.latest_charge) : undefined
    if (options.succeeded ?? true) {
      paymentIntent.status = 'succeeded'
      paymentIntent.amount_received = paymentIntent.amount
      session.payment_status = 'paid'
      if (charge) {
        charge.status = 'succeeded'
        charge.paid = true
        charge.captured = true
        charge.amount_captured = charge.amount
        charge.balance_transaction = randomId('txn_')
      }
    } else {
      const error = {
        type: 'card_error',
        code: 'payment_method_provider_decline',
        message: 'The payment failed.',
      }
      paymentIntent.status = 'requires_payment_method'
      paymentIntent.last_payment_error = error
      if (charge) {
        charge.status = 'failed'
        charge.failure_code = error.code
        charge.failure_message = error.message
      }
    }
    return clone(session)
  }

  /** The session expires (as if its `expires_at` passed): status 'expired', url null. */
  expire(sessionId: string): CheckoutSession {
    const session = this.controlRecord(sessionId).session
    if (session.status !== 'open') {
      throw new Error(
        `StripeDouble: session ${sessionId} is ${session.status}; only open sessions can expire`,
      )
    }
    session.status = 'expired'
    session.url = null
    return clone(session)
  }

  /**
   * Makes the next request(s) to `path` (exact path without query, or a RegExp) fail with `status` and a
   * Stripe error body (`type` defaults by status: 402 card_error, ≥500 api_error, else invalid_request_error).
   * The SDK maps 400/404 → StripeInvalidRequestError, 401 → StripeAuthenticationError, 402 → StripeCardError,
   * 403 → StripePermissionError, 429 → StripeRateLimitError, others → StripeAPIError — and RETRIES 409/5xx
   * (maxNetworkRetries, default 2) unless the response carries `Stripe-Should-Retry: false`.
   */
  failNext(
    path: string | RegExp,
    status = 500,
    error: Partial<StripeErrorBody> = {},
    options: FailOptions = {},
  ): void {
    this.failures.push({
      path,
      status,
      error: {
        type: error.type ?? defaultErrorType(status),
        message: error.message ?? `StripeDouble: injected ${status} failure`,
        ...(error.code ? { code: error.code } : {}),
        ...(error.param ? { param: error.param } : {}),
        ...(error.decline_code ? { decline_code: error.decline_code } : {}),
      },
      method: options.method ? options.method.toUpperCase() : null,
      remaining: options.times ?? 1,
      headers: options.headers ?? {},
    })
  }

  // ----- webhooks ----------------------------------------------------------------------------------------

  /** A Stripe event envelope around `object` (as Stripe would POST it to a webhook endpoint). */
  event<T>(
    type: string,
    object: T,
    options: { id?: string; created?: number; previousAttributes?: Record<string, unknown> } = {},
  ): StripeEventPayload<T> {
    return {
      id: options.id ?? randomId('evt_'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: options.created ?? nowSeconds(),
      data: options.previousAttributes
        ? { object, previous_attributes: options.previousAttributes }
        : { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    }
  }

  /**
   * The raw body and `Stripe-Signature` header value for delivering `event`, signed with the SDK's own
   * `webhooks.generateTestHeaderString` (HMAC-SHA256 over `${timestamp}.${body}`, header `t=…,v1=…`).
   */
  signedPayload(
    event: unknown,
    secret: string,
    options: { timestamp?: number } = {},
  ): { body: string; signature: string; timestamp: number } {
    const body = JSON.stringify(event, null, 2)
    const timestamp = options.timestamp ?? nowSeconds()
    const signature = webhookSigner().webhooks.generateTestHeaderString({ payload: body, secret, timestamp })
    return { body, signature, timestamp }
  }

  // ----- HTTP --------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const rawBody = Buffer.concat(chunks).toString('utf8')
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const headers: Record<string, string> = {}
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value
    }
    const idempotencyKey = headers['idempotency-key'] ?? null
    const call: DoubleCall = {
      method,
      path: url.pathname,
      query: parseForm(url.search.slice(1)),
      body: {},
      rawBody,
      headers,
      idempotencyKey,
      status: 0,
    }
    const responseHeaders: Record<string, string> = {
      'Content-Type': 'application/json',
      'Request-Id': randomId('req_', 14),
      'Stripe-Version': headers['stripe-version'] ?? Stripe.API_VERSION,
    }
    if (idempotencyKey && method === 'POST') responseHeaders['Idempotency-Key'] = idempotencyKey
    const send = (status: number, body: string, extra: Record<string, string> = {}): void => {
      call.status = status
      this.calls.push(call)
      res.writeHead(status, { ...responseHeaders, ...extra })
      res.end(body)
    }
    const sendError = (failure: ApiFailure, extra: Record<string, string> = {}): void =>
      send(failure.status, JSON.stringify({ error: failure.body }, null, 2), extra)

    const apiKey = this.authenticate(headers.authorization)
    if (apiKey instanceof ApiFailure) return sendError(apiKey)

    const contentType = headers['content-type'] ?? ''
    if (rawBody && !contentType.startsWith('application/x-www-form-urlencoded')) {
      return sendError(
        invalid(
          `Invalid request: Content-Type must be application/x-www-form-urlencoded, got '${contentType}'.`,
        ),
      )
    }
    call.body = parseForm(rawBody)

    const failure = this.takeFailure(method, url.pathname)
    if (failure) return sendError(new ApiFailure(failure.status, failure.error), failure.headers)

    let ids: string[] = []
    const route = this.routes.find((candidate) => {
      if (candidate.method !== method) return false
      const match = candidate.pattern.exec(url.pathname)
      if (match) ids = match.slice(1).map((part) => decodeURIComponent(part))
      return match !== null
    })
    if (!route) {
      return sendError(
        invalid(
          `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          undefined,
          undefined,
          404,
        ),
      )
    }

    const endpoint = `${method} ${url.pathname}`
    const params = method === 'GET' ? call.query : call.body
    const fingerprint = canonical(params)
    const storeKey = idempotencyKey && method === 'POST' ? `${apiKey}\u0000${idempotencyKey}` : null
    if (storeKey && idempotencyKey) {
      if (idempotencyKey.length > 255) {
        return sendError(invalid('Idempotency-Key must be at most 255 characters long.'))
      }
      const saved = this.idempotency.get(storeKey)
      if (saved) {
        if (saved.endpoint !== endpoint) {
          return sendError(
            new ApiFailure(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${saved.endpoint}' vs '${endpoint}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          )
        }
        if (saved.fingerprint !== fingerprint) {
          return sendError(
            new ApiFailure(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          )
        }
        return send(saved.status, saved.body, { 'Idempotent-Replayed': 'true' })
      }
    }

    let status: number
    let body: string
    try {
      const form = new Form(params)
      const result = route.handler(form, ids)
      const object = result.expandable ? this.expand(result.object, form.strings('expand')) : result.object
      status = result.status ?? 200
      body = JSON.stringify(object, null, 2)
    } catch (error) {
      if (error instanceof ApiFailure) return sendError(error)
      throw error
    }
    if (storeKey) this.idempotency.set(storeKey, { fingerprint, endpoint, status, body })
    send(status, body)
  }

  private authenticate(authorization: string | undefined): string | ApiFailure {
    const match = /^Bearer (.+)$/.exec(authorization ?? '')
    const key = match?.[1]
    if (!key) {
      return invalid(
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        undefined,
        undefined,
        401,
      )
    }
    const accepted = this.options.apiKey ? key === this.options.apiKey : /^sk_test_\w+$/.test(key)
    if (!accepted) return invalid(`Invalid API Key provided: ${redactKey(key)}`, undefined, undefined, 401)
    return key
  }

  private takeFailure(method: string, path: string): Failure | undefined {
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

  // ----- lookups & expansion -----------------------------------------------------------------------------

  private controlRecord(id: string): SessionRecord {
    const record = this.sessionStore.get(id)
    if (!record) throw new Error(`StripeDouble: no checkout session ${id}`)
    return record
  }

  private apiSession(id: string): SessionRecord {
    const record = this.sessionStore.get(id)
    if (!record) throw invalid(`No such checkout.session: '${id}'`, 'session', 'resource_missing', 404)
    return record
  }

  private found<T extends { id: string }>(store: Map<string, T>, kind: string, id: string): T {
    const value = store.get(id)
    if (!value) throw missing(kind, id, 'id', 404)
    return value
  }

  private lineItemList(record: SessionRecord): JsonObject {
    return {
      object: 'list',
      data: clone(record.lineItems),
      has_more: false,
      url: `/v1/checkout/sessions/${record.session.id}/line_items`,
    }
  }

  private lookup(id: string): JsonObject | undefined {
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
  private expand(object: JsonObject, paths: string[]): JsonObject {
    const copy = clone(object)
    for (const path of paths) this.expandPath(copy, path.split('.'), path)
    return copy
  }

  private expandPath(target: JsonObject, segments: string[], original: string): void {
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

  // ----- endpoints ---------------------------------------------------------------------------------------

  private createSession(params: Form): { object: JsonObject; expandable: boolean } {
    params.rejectUnknown(SESSION_PARAMS)
    const mode = params.requiredString('mode')
    if (mode !== 'payment') {
      throw invalid(`StripeDouble only supports mode=payment (got '${mode}').`, 'mode')
    }
    const uiMode = params.string('ui_mode') ?? 'hosted_page'
    if (uiMode !== 'hosted_page') throw invalid(`StripeDouble only supports ui_mode=hosted_page.`, 'ui_mode')

    const created = nowSeconds()
    const lineItemForms = params.array('line_items')
    if (lineItemForms.length === 0) {
      throw invalid('You must provide at least one line item.', 'line_items', 'parameter_missing')
    }
    if (lineItemForms.length > 100) throw invalid('You may only specify up to 100 line items.', 'line_items')
    const lineItems = lineItemForms.map((item) => this.buildLineItem(item, created))
    const currency = lineItems[0]?.currency ?? 'usd'
    if (lineItems.some((item) => item.currency !== currency)) {
      throw invalid('All line items must use the same currency.', 'line_items')
    }
    const topCurrency = params.string('currency')
    if (topCurrency && topCurrency.toLowerCase() !== currency) {
      throw invalid(
        `The currency ${topCurrency} does not match the line items' currency ${currency}.`,
        'currency',
      )
    }
    const subtotal = lineItems.reduce((sum, item) => sum + item.amount_subtotal, 0)

    // Discounts: one coupon at most, exclusive with allow_promotion_codes (as in Stripe).
    const allowPromotionCodes = params.bool('allow_promotion_codes') ?? null
    const discountForms = params.array('discounts')
    if (discountForms.length > 1) throw invalid('You may only specify one discount.', 'discounts')
    if (discountForms.length > 0 && allowPromotionCodes) {
      throw invalid(
        'You may only specify one of these parameters: allow_promotion_codes, discounts.',
        'discounts',
      )
    }
    let discount = 0
    let coupon: Coupon | undefined
    const discounts: CheckoutSession['discounts'] = []
    for (const discountForm of discountForms) {
      discountForm.rejectUnknown(['coupon', 'promotion_code'])
      if (discountForm.has('promotion_code')) {
        throw invalid('StripeDouble does not support promotion codes.', discountForm.name('promotion_code'))
      }
      const couponId = discountForm.requiredString('coupon')
      coupon = this.couponStore.get(couponId)
      if (!coupon) throw missing('coupon', couponId, discountForm.name('coupon'), 400)
      if (coupon.amount_off !== null) {
        if (coupon.currency !== currency) {
          throw invalid(
            `The coupon ${couponId} is not valid for currency ${currency}.`,
            discountForm.name('coupon'),
          )
        }
        discount = Math.min(coupon.amount_off, subtotal)
      } else {
        discount = Math.round((subtotal * (coupon.percent_off ?? 0)) / 100)
      }
      discounts.push({ coupon: couponId, promotion_code: null })
    }
    this.allocateDiscount(lineItems, discount)
    const total = subtotal - discount
    const minimum = MINIMUM_AMOUNT[currency]
    if (total > 0 && minimum !== undefined && total < minimum) {
      throw invalid(
        `The Checkout Session's total amount due must add up to at least ${formatMoney(minimum, currency)}`,
        'line_items',
        'amount_too_small',
      )
    }
    if (total > MAXIMUM_AMOUNT) {
      throw invalid(
        `The Checkout Session's total amount due must be no more than ${formatMoney(MAXIMUM_AMOUNT, currency)}`,
        'line_items',
        'amount_too_large',
      )
    }

    const expiresAt = params.int('expires_at') ?? created + 24 * 3600
    if (expiresAt < created + 30 * 60 - 5 || expiresAt > created + 24 * 3600 + 5) {
      throw invalid(
        'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
        'expires_at',
      )
    }
    const customerEmail = params.string('customer_email') || null
    if (customerEmail !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(customerEmail)) {
      throw invalid(`Invalid email address: ${customerEmail}`, 'customer_email', 'email_invalid')
    }
    const customer = params.string('customer') || null
    if (customer && customerEmail) {
      throw invalid(
        'You may only specify one of these parameters: customer, customer_email.',
        'customer_email',
      )
    }
    const successUrl = params.string('success_url') || null
    const cancelUrl = params.string('cancel_url') || null
    for (const [name, value] of [
      ['success_url', successUrl],
      ['cancel_url', cancelUrl],
    ] as const) {
      if (value !== null && !isHttpUrl(value)) throw invalid(`Not a valid URL`, name, 'url_invalid')
    }
    const clientReferenceId = params.string('client_reference_id') || null
    if (clientReferenceId && clientReferenceId.length > 200) {
      throw invalid('client_reference_id can have up to 200 characters.', 'client_reference_id')
    }
    const metadata = params.metadata()
    const paymentIntentData = params.object('payment_intent_data')
    paymentIntentData?.rejectUnknown(PAYMENT_INTENT_DATA_PARAMS)

    // The first shipping option is the one Checkout preselects; its fixed amount is part of the total
    // (discounts apply to the line items only, as at Stripe).
    const shippingRate = params.array('shipping_options')[0]?.object('shipping_rate_data')
    const shipping = shippingRate?.object('fixed_amount')?.int('amount', 0) ?? 0

    if (coupon) coupon.times_redeemed += 1
    const id = randomId('cs_test_', 58)
    const session: CheckoutSession = {
      id,
      object: 'checkout.session',
      after_expiration: null,
      allow_promotion_codes: allowPromotionCodes,
      amount_subtotal: subtotal,
      amount_total: total + shipping,
      automatic_tax: { enabled: false, liability: null, provider: null, status: null },
      billing_address_collection: params.string('billing_address_collection') ?? null,
      cancel_url: cancelUrl,
      client_reference_id: clientReferenceId,
      client_secret: null,
      created,
      currency,
      customer,
      customer_creation: customer ? null : (params.string('customer_creation') ?? 'if_required'),
      customer_details: null,
      customer_email: customerEmail,
      discounts,
      expires_at: expiresAt,
      invoice: null,
      livemode: false,
      locale: params.string('locale') ?? null,
      metadata,
      mode: 'payment',
      payment_intent: null,
      payment_link: null,
      payment_method_types: params.strings('allowed_payment_method_types').length
        ? params.strings('allowed_payment_method_types')
        : ['card'],
      payment_status: 'unpaid',
      setup_intent: null,
      status: 'open',
      submit_type: params.string('submit_type') ?? null,
      subscription: null,
      success_url: successUrl,
      total_details: { amount_discount: discount, amount_shipping: shipping, amount_tax: 0 },
      ui_mode: uiMode,
      url: `https://checkout.stripe.test/c/pay/${id}`,
    }
    this.sessionStore.set(id, {
      session,
      lineItems,
      paymentIntentData: {
        metadata: paymentIntentData?.metadata() ?? {},
        description: paymentIntentData?.string('description') ?? null,
        receiptEmail: paymentIntentData?.string('receipt_email') ?? customerEmail,
      },
    })
    return { object: session, expandable: true }
  }

  private buildLineItem(item: Form, created: number): LineItem {
    item.rejectUnknown(LINE_ITEM_PARAMS)
    const priceId = item.string('price')
    if (priceId) throw missing('price', priceId, item.name('price'), 400)
    const priceData = item.object('price_data')
    if (!priceData) {
      throw invalid(
        `Missing required param: ${item.name('price_data')}. StripeDouble only supports inline price_data.`,
        item.name('price_data'),
        'parameter_missing',
      )
    }
    priceData.rejectUnknown(PRICE_DATA_PARAMS)
    const currency = priceData.requiredString('currency').toLowerCase()
    if (!/^[a-z]{3}$/.test(currency)) {
      throw invalid(`Invalid currency: ${currency}`, priceData.name('currency'))
    }
    const unitAmount = priceData.int('unit_amount', 0)
    const unitAmountDecimal = priceData.number('unit_amount_decimal')
    if (unitAmount !== undefined && unitAmountDecimal !== undefined) {
      throw invalid(
        `You may only specify one of these parameters: ${priceData.name('unit_amount')}, ${priceData.name('unit_amount_decimal')}.`,
        priceData.name('unit_amount'),
      )
    }
    if (unitAmount === undefined && unitAmountDecimal === undefined) {
      throw invalid(
        `Missing required param: ${priceData.name('unit_amount')}.`,
        priceData.name('unit_amount'),
        'parameter_missing',
      )
    }
    if (priceData.has('recurring')) {
      throw invalid('StripeDouble does not support recurring prices.', priceData.name('recurring'))
    }
    let product = priceData.string('product') || null
    let description: string | null = null
    let productMetadata: Metadata = {}
    const productData = priceData.object('product_data')
    if (productData) {
      productData.rejectUnknown(PRODUCT_DATA_PARAMS)
      description = productData.requiredString('name')
      productMetadata = productData.metadata()
      product = randomId('prod_', 14)
    }
    if (!product) {
      throw invalid(
        `Missing required param: ${priceData.name('product_data')}.`,
        priceData.name('product_data'),
        'parameter_missing',
      )
    }
    const quantity = item.int('quantity', 1)
    if (quantity === undefined) {
      throw invalid(
        `Missing required param: ${item.name('quantity')}.`,
        item.name('quantity'),
        'parameter_missing',
      )
    }
    const unit = unitAmount ?? unitAmountDecimal ?? 0
    const amount = Math.round(unit * quantity)
    return {
      id: randomId('li_'),
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency,
      description,
      metadata: item.metadata(),
      price: {
        id: randomId('price_'),
        object: 'price',
        active: false,
        billing_scheme: 'per_unit',
        created,
        currency,
        custom_unit_amount: null,
        livemode: false,
        lookup_key: null,
        metadata: productMetadata,
        nickname: null,
        product,
        recurring: null,
        tax_behavior: priceData.string('tax_behavior') ?? 'unspecified',
        tiers_mode: null,
        transform_quantity: null,
        type: 'one_time',
        unit_amount: unitAmount ?? null,
        unit_amount_decimal: String(unit),
      },
      quantity,
    }
  }

  /** Spreads a session-level discount over the line items proportionally (remainder on the last one). */
  private allocateDiscount(lineItems: LineItem[], discount: number): void {
    const subtotal = lineItems.reduce((sum, item) => sum + item.amount_subtotal, 0)
    let left = discount
    lineItems.forEach((item, index) => {
      const share =
        index === lineItems.length - 1 || subtotal === 0
          ? left
          : Math.floor((discount * item.amount_subtotal) / subtotal)
      item.amount_discount = Math.min(share, item.amount_subtotal)
      item.amount_total = item.amount_subtotal - item.amount_discount
      left -= item.amount_discount
    })
  }

  private expireSession(params: Form, id: string): { object: JsonObject; expandable: boolean } {
    params.rejectUnknown(['expand'])
    const session = this.apiSession(id).session
    if (session.status !== 'open') {
      throw invalid(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
      )
    }
    session.status = 'expired'
    session.url = null
    return { object: session, expandable: true }
  }

  private createRefund(params: Form): { object: JsonObject; expandable: boolean } {
    params.rejectUnknown(REFUND_PARAMS)
    const paymentIntentId = params.string('payment_intent') || null
    const chargeId = params.string('charge') || null
    if (!paymentIntentId && !chargeId) {
      throw invalid(
        'One of the following params should be provided for this request: payment_intent or charge.',
        undefined,
        'parameter_missing',
      )
    }
    let charge: Charge | undefined
    if (paymentIntentId) {
      const paymentIntent = this.paymentIntentStore.get(paymentIntentId)
      if (!paymentIntent) throw missing('payment_intent', paymentIntentId, 'payment_intent', 400)
      if (paymentIntent.status !== 'succeeded' || !paymentIntent.latest_charge) {
        throw invalid(
          `This PaymentIntent (${paymentIntentId}) does not have a successful charge to refund.`,
          'payment_intent',
        )
      }
      charge = this.chargeStore.get(paymentIntent.latest_charge)
      if (chargeId && charge?.id !== chargeId) {
        throw invalid(`Charge ${chargeId} does not belong to PaymentIntent ${paymentIntentId}.`, 'charge')
      }
    } else if (chargeId) {
      charge = this.chargeStore.get(chargeId)
      if (!charge) throw missing('charge', chargeId, 'charge', 400)
    }
    if (!charge || charge.status !== 'succeeded') {
      throw invalid(
        'This charge has not succeeded and cannot be refunded.',
        chargeId ? 'charge' : 'payment_intent',
      )
    }
    const remaining = charge.amount - charge.amount_refunded
    if (remaining <= 0) {
      throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded')
    }
    const amount = params.int('amount', 1) ?? remaining
    if (amount > remaining) {
      throw invalid(
        `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(remaining, charge.currency)})`,
        'amount',
        'amount_too_large',
      )
    }
    const reason = params.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer']) ?? null
    const refund: Refund = {
      id: randomId('re_'),
      object: 'refund',
      amount,
      balance_transaction: randomId('txn_'),
      charge: charge.id,
      created: nowSeconds(),
      currency: charge.currency,
      metadata: params.metadata(),
      payment_intent: charge.payment_intent,
      reason,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    }
    this.refundStore.set(refund.id, refund)
    charge.amount_refunded += amount
    charge.refunded = charge.amount_refunded >= charge.amount
    return { object: refund, expandable: true }
  }

  private createCoupon(params: Form): { object: JsonObject; expandable: boolean } {
    params.rejectUnknown(COUPON_PARAMS)
    const amountOff = params.int('amount_off', 1) ?? null
    const percentOff = params.number('percent_off') ?? null
    if ((amountOff === null) === (percentOff === null)) {
      throw invalid(
        'You must pass exactly one of amount_off or percent_off.',
        'amount_off',
        'parameter_missing',
      )
    }
    if (percentOff !== null && (percentOff <= 0 || percentOff > 100)) {
      throw invalid('percent_off must be greater than 0 and at most 100.', 'percent_off')
    }
    const currency = params.string('currency')?.toLowerCase() ?? null
    if (amountOff !== null && !currency) {
      throw invalid('You must pass currency when passing amount_off.', 'currency', 'parameter_missing')
    }
    const id = params.string('id') || randomId('', 8)
    if (this.couponStore.has(id)) throw invalid('Coupon already exists.', 'id', 'resource_already_exists')
    const coupon: Coupon = {
      id,
      object: 'coupon',
      amount_off: amountOff,
      created: nowSeconds(),
      currency: amountOff !== null ? currency : null,
      duration: params.oneOf('duration', ['forever', 'once', 'repeating']) ?? 'once',
      duration_in_months: params.int('duration_in_months', 1) ?? null,
      livemode: false,
      max_redemptions: params.int('max_redemptions', 1) ?? null,
      metadata: params.metadata(),
      name: params.string('name') || null,
      percent_off: percentOff,
      redeem_by: params.int('redeem_by') ?? null,
      times_redeemed: 0,
      valid: true,
    }
    this.couponStore.set(id, coupon)
    return { object: coupon, expandable: true }
  }
}
