import type { Form } from './form'

/** A parsed form body / query string: strings, arrays and nested objects, exactly as the SDK encoded them. */
export type FormValue = string | FormValue[] | FormObject
export interface FormObject {
  [key: string]: FormValue
}

export type Json = string | number | boolean | null | Json[] | JsonObject
export interface JsonObject {
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

export type SessionRecord = {
  session: CheckoutSession
  lineItems: LineItem[]
  paymentIntentData: { metadata: Metadata; description: string | null; receiptEmail: string | null }
}

export type Failure = {
  path: string | RegExp
  status: number
  error: StripeErrorBody
  method: string | null
  remaining: number
  headers: Record<string, string>
}

export type SavedResponse = { fingerprint: string; endpoint: string; status: number; body: string }

export type Route = {
  method: 'GET' | 'POST'
  pattern: RegExp
  handler: (params: Form, ids: string[]) => { status?: number; object: JsonObject; expandable: boolean }
}
