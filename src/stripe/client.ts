import Stripe from 'stripe'

import { env } from '../config/env'

let client: Stripe | undefined

/** The Stripe client, or undefined when STRIPE_SECRET_KEY is unset (card payments off). */
export function stripe(): Stripe | undefined {
  const { STRIPE_SECRET_KEY, STRIPE_API_URL } = env()
  if (!STRIPE_SECRET_KEY) return undefined
  if (!client) {
    // STRIPE_API_URL points the real SDK at another API host, e.g. the tests' local double.
    const api = STRIPE_API_URL ? new URL(STRIPE_API_URL) : undefined
    client = new Stripe(STRIPE_SECRET_KEY, {
      ...(api
        ? {
            host: api.hostname,
            port: api.port || (api.protocol === 'https:' ? 443 : 80),
            protocol: api.protocol === 'http:' ? 'http' : 'https',
          }
        : {}),
      maxNetworkRetries: 2,
      timeout: 10_000,
      telemetry: false,
    })
  }
  return client
}

export function resetStripe(): void {
  client = undefined
}
