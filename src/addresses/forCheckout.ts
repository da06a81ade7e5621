import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'

export type ShippingAddress = Order['shippingAddress']

/**
 * The copy of a saved address an order keeps: read with the caller's access, so another
 * customer's address (or one that does not exist) is a 404, like any address that is not theirs.
 */
export async function savedAddressForOrder(req: PayloadRequest, id: DocId): Promise<ShippingAddress> {
  const address = await req.payload
    .findByID({ collection: 'addresses', id, depth: 0, overrideAccess: false, req, disableErrors: true })
    .catch(() => null)
  if (!address) throw new StoreError('NOT_FOUND', 'Address not found.')
  return {
    name: address.name,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    region: address.region ?? null,
    postalCode: address.postalCode,
    country: address.country,
    phone: address.phone ?? null,
  }
}
