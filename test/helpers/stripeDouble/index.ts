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
 *
 * Layout: form.ts parses and validates the SDK's form bodies, params.ts holds Stripe's parameter
 * allow-lists, state.ts the objects between requests, endpoints.ts and routes.ts the API,
 * signing.ts the webhook events and signatures, double.ts the server and the test controls.
 */
export { StripeDouble } from './double'
export { parseForm } from './form'
export type {
  FormValue,
  FormObject,
  Metadata,
  StripeErrorBody,
  DoubleCall,
  Price,
  LineItem,
  CustomerDetails,
  CheckoutSession,
  PaymentIntent,
  Charge,
  Refund,
  Coupon,
  StripeEventPayload,
  StripeDoubleOptions,
  CompleteOptions,
  FailOptions,
} from './types'
