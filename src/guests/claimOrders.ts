import type { PayloadRequest } from 'payload'

import { writeIfMatches } from '../db/guardedWrite'
import type { DocId } from '../db/ids'
import { logger } from '../logger'
import { normaliseEmail } from './tokens'

/**
 * A customer has just proved they own `email`: the guest orders placed with it become theirs (they
 * appear in their GET /api/orders; the order token keeps working). Each is claimed by one guarded
 * statement, `UPDATE orders SET customer = :me WHERE id = :id AND customer IS NULL`, so an order
 * is never taken from a customer who already has it, and claiming twice changes nothing.
 */
export async function claimGuestOrders(req: PayloadRequest, customer: DocId, email: string): Promise<number> {
  const guestOrders = await req.payload.find({
    collection: 'orders',
    where: { and: [{ customer: { exists: false } }, { email: { equals: normaliseEmail(email) } }] },
    depth: 0,
    pagination: false,
    select: {},
    req,
  })
  let claimed = 0
  for (const order of guestOrders.docs) {
    const row = await writeIfMatches(req.payload, {
      collection: 'orders',
      where: { and: [{ id: { equals: order.id } }, { customer: { exists: false } }] },
      data: { customer },
      req,
    })
    if (row) claimed++
  }
  if (claimed > 0) logger.info({ customer, claimed }, 'guest orders joined the account of their email')
  return claimed
}
