import Stripe from 'stripe'

import type { StripeEventPayload } from './types'
import { nowSeconds, randomId } from './util'

let signingClient: Stripe | null = null
function webhookSigner(): Stripe {
  signingClient ??= new Stripe('sk_test_stripe_double_signing_only', { telemetry: false })
  return signingClient
}

/** A Stripe event envelope around `object` (as Stripe would POST it to a webhook endpoint). */
export function event<T>(
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
export function signedPayload(
  event: unknown,
  secret: string,
  options: { timestamp?: number } = {},
): { body: string; signature: string; timestamp: number } {
  const body = JSON.stringify(event, null, 2)
  const timestamp = options.timestamp ?? nowSeconds()
  const signature = webhookSigner().webhooks.generateTestHeaderString({ payload: body, secret, timestamp })
  return { body, signature, timestamp }
}
