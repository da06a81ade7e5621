import type { Payload } from 'payload'

// Demo shipping methods and tax rates (`npm run seed`), created once: each is looked up by name
// first, so running the seed again changes nothing.

const METHODS = [
  { name: 'Standard', price: 495, freeAbove: 5000, countries: [] },
  { name: 'Express', price: 1495, freeAbove: null, countries: ['US', 'CA', 'GB', 'DE', 'FR'] },
  { name: 'Local pickup', price: 0, freeAbove: null, countries: ['US'] },
]

const RATES = [
  { name: 'UK VAT', country: 'GB', region: null, rate: 2000, appliesToShipping: true },
  { name: 'German VAT', country: 'DE', region: null, rate: 1900, appliesToShipping: true },
  { name: 'French VAT', country: 'FR', region: null, rate: 2000, appliesToShipping: true },
  { name: 'California sales tax', country: 'US', region: 'CA', rate: 725, appliesToShipping: false },
  { name: 'New York sales tax', country: 'US', region: 'NY', rate: 400, appliesToShipping: false },
]

export type ShippingSeedResult = { methods: number; rates: number; created: number }

export async function seedShipping(payload: Payload): Promise<ShippingSeedResult> {
  let created = 0
  for (const method of METHODS) {
    const found = await payload.count({
      collection: 'shipping-methods',
      where: { name: { equals: method.name } },
    })
    if (found.totalDocs > 0) continue
    await payload.create({ collection: 'shipping-methods', data: { ...method, enabled: true } })
    created++
  }
  for (const rate of RATES) {
    const found = await payload.count({ collection: 'tax-rates', where: { name: { equals: rate.name } } })
    if (found.totalDocs > 0) continue
    await payload.create({ collection: 'tax-rates', data: rate })
    created++
  }
  return { methods: METHODS.length, rates: RATES.length, created }
}
