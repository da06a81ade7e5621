import type { CollectionAfterChangeHook, CollectionAfterDeleteHook, FieldHook } from 'payload'

import type { Address } from '../../../payload-types'
import { defaultAddressOf, makeDefault, unsetDefault } from '../../../src/addresses/defaults'
import { refOf } from '../../../src/db/ids'

/** `isDefault` as read: whether this address is its customer's default (src/addresses/defaults.ts). */
export const readIsDefault: FieldHook<Address> = async ({ originalDoc, req }) => {
  const customer = refOf(originalDoc?.customer)
  if (!originalDoc || customer === undefined) return false
  return String(await defaultAddressOf(req, customer)) === String(originalDoc.id)
}

/**
 * `isDefault` as written: true makes this address the default (so no other is), false stops it
 * being the default if it was; left out, nothing changes. A customer's first address is their
 * default.
 */
export const writeIsDefault: CollectionAfterChangeHook<Address> = async ({ doc, data, operation, req }) => {
  const customer = refOf(doc.customer)
  if (customer === undefined) return doc
  const wanted = typeof data.isDefault === 'boolean' ? data.isDefault : undefined
  if (
    wanted === true ||
    (wanted === undefined && operation === 'create' && !(await defaultAddressOf(req, customer)))
  ) {
    await makeDefault(req, customer, doc.id)
    return { ...doc, isDefault: true }
  }
  if (wanted === false) {
    await unsetDefault(req, customer, doc.id)
    return { ...doc, isDefault: false }
  }
  return doc
}

/** A deleted default leaves the customer without one. */
export const forgetDeletedDefault: CollectionAfterDeleteHook<Address> = async ({ doc, req }) => {
  const customer = refOf(doc.customer)
  if (customer !== undefined) await unsetDefault(req, customer, doc.id)
}
