import type { CollectionBeforeChangeHook } from 'payload'

import type { Address } from '../../../payload-types'
import { isAdmin } from '../../../src/access'
import { StoreError } from '../../../src/errors'

/**
 * A new address belongs to the customer who creates it, whatever the body says; an admin may file
 * one for a customer by naming them. Nobody moves an address to another customer afterwards.
 */
export const ownAddress: CollectionBeforeChangeHook<Address> = ({ data, operation, originalDoc, req }) => {
  if (operation === 'create') {
    const named = data.customer !== undefined && data.customer !== null
    // The server's own writes (Local API, no user) must name the customer; an admin may.
    if (!req.user) {
      if (!named) throw new StoreError('BAD_REQUEST', 'customer: name the customer this address is for.')
      return data
    }
    if (isAdmin(req) && named) return data
    return { ...data, customer: req.user.id }
  }
  return { ...data, customer: originalDoc?.customer ?? data.customer }
}
