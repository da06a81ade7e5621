import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import Stripe from 'stripe'

import { routes } from './routes'
import { event, signedPayload } from './signing'
import { ApiFailure, defaultErrorType, invalid } from './errors'
import { Form, canonical, parseForm } from './form'
import { DoubleState } from './state'
import type {
  CheckoutSession,
  Charge,
  CompleteOptions,
  DoubleCall,
  FailOptions,
  LineItem,
  PaymentIntent,
  Refund,
  Route,
  StripeDoubleOptions,
  StripeErrorBody,
  StripeEventPayload,
} from './types'
import { clone, nowSeconds, randomId, redactKey } from './util'

export class StripeDouble {
  /** Every HTTP request the double received, in order (retries appear as separate calls). */
  readonly calls: DoubleCall[] = []

  private server: Server | null = null
  private boundPort = 0
  private readonly state = new DoubleState()
  private readonly routes: Route[] = routes(this.state)

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
    this.state.sessionStore.clear()
    this.state.paymentIntentStore.clear()
    this.state.chargeStore.clear()
    this.state.refundStore.clear()
    this.state.couponStore.clear()
    this.state.idempotency.clear()
    this.state.failures = []
  }

  // ----- inspection --------------------------------------------------------------------------------------

  session(id: string): CheckoutSession | undefined {
    const record = this.state.sessionStore.get(id)
    return record ? clone(record.session) : undefined
  }

  sessions(): CheckoutSession[] {
    return [...this.state.sessionStore.values()].map((record) => clone(record.session))
  }

  lineItems(sessionId: string): LineItem[] {
    return clone(this.state.controlRecord(sessionId).lineItems)
  }

  paymentIntent(id: string): PaymentIntent | undefined {
    const found = this.state.paymentIntentStore.get(id)
    return found ? clone(found) : undefined
  }

  charge(id: string): Charge | undefined {
    const found = this.state.chargeStore.get(id)
    return found ? clone(found) : undefined
  }

  refunds(): Refund[] {
    return [...this.state.refundStore.values()].map(clone)
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
    const record = this.state.controlRecord(sessionId)
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
    this.state.chargeStore.set(chargeId, {
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
    this.state.paymentIntentStore.set(paymentIntentId, {
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
    const session = this.state.controlRecord(sessionId).session
    const paymentIntent = session.payment_intent
      ? this.state.paymentIntentStore.get(session.payment_intent)
      : undefined
    if (session.status !== 'complete' || !paymentIntent || paymentIntent.status !== 'processing') {
      throw new Error(`StripeDouble: session ${sessionId} has no processing payment to settle`)
    }
    const charge = paymentIntent.latest_charge
      ? this.state.chargeStore.get(paymentIntent.latest_charge)
      : undefined
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
    const session = this.state.controlRecord(sessionId).session
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
    this.state.failures.push({
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
    return event(type, object, options)
  }

  /** The raw body and `Stripe-Signature` header for delivering `event` (see signing.ts). */
  signedPayload(
    payload: unknown,
    secret: string,
    options: { timestamp?: number } = {},
  ): { body: string; signature: string; timestamp: number } {
    return signedPayload(payload, secret, options)
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

    const failure = this.state.takeFailure(method, url.pathname)
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
      const saved = this.state.idempotency.get(storeKey)
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
      const object = result.expandable
        ? this.state.expand(result.object, form.strings('expand'))
        : result.object
      status = result.status ?? 200
      body = JSON.stringify(object, null, 2)
    } catch (error) {
      if (error instanceof ApiFailure) return sendError(error)
      throw error
    }
    if (storeKey) this.state.idempotency.set(storeKey, { fingerprint, endpoint, status, body })
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
}
