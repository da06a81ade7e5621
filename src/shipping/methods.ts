import type { PayloadRequest } from 'payload'

import type { ShippingMethod, TaxRate } from '../../payload-types'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import type { TaxRateTerms } from '../money'

// Where an order ships and what that adds: the enabled shipping methods serving a country, and
// the tax rates of a destination. The amounts themselves are computed in src/money.ts.

export type Destination = { country: string; region?: string | null }

export function serves(method: Pick<ShippingMethod, 'countries'>, country: string): boolean {
  const countries = method.countries ?? []
  return countries.length === 0 || countries.includes(country.toUpperCase())
}

export async function enabledMethods(req: PayloadRequest): Promise<ShippingMethod[]> {
  const found = await req.payload.find({
    collection: 'shipping-methods',
    where: { enabled: { equals: true } },
    sort: 'price',
    limit: 100,
    depth: 0,
    pagination: false,
    req,
  })
  return found.docs
}

/**
 * The method an order to `country` ships with: none while no method is enabled (the flat fee
 * applies); otherwise `id` must name an enabled method that serves the country (else 400).
 */
export async function methodForOrder(
  req: PayloadRequest,
  id: DocId | undefined,
  country: string,
): Promise<ShippingMethod | null> {
  const methods = await enabledMethods(req)
  if (methods.length === 0) return null
  if (id === undefined) throw new StoreError('BAD_REQUEST', 'shippingMethod: choose how to ship this order.')
  const method = methods.find((candidate) => String(candidate.id) === String(id))
  if (!method) throw new StoreError('BAD_REQUEST', 'shippingMethod: no such shipping method.')
  if (!serves(method, country))
    throw new StoreError(
      'BAD_REQUEST',
      `shippingMethod: ${method.name} does not ship to ${country.toUpperCase()}.`,
    )
  return method
}

/** The rates of a destination: its region's, when it has any, else its country's (no region). */
export async function ratesFor(
  req: PayloadRequest,
  destination: Destination | null,
): Promise<TaxRateTerms[]> {
  if (!destination) return []
  const found = await req.payload.find({
    collection: 'tax-rates',
    where: { country: { equals: destination.country.toUpperCase() } },
    limit: 100,
    depth: 0,
    pagination: false,
    overrideAccess: true,
    req,
  })
  const region = destination.region?.trim().toLowerCase()
  const regional = region ? found.docs.filter((rate) => rate.region?.trim().toLowerCase() === region) : []
  const chosen: TaxRate[] = regional.length > 0 ? regional : found.docs.filter((rate) => !rate.region?.trim())
  return chosen.map((rate) => ({
    name: rate.name,
    rate: rate.rate,
    appliesToShipping: rate.appliesToShipping ?? false,
  }))
}
