import type { Endpoint } from 'payload'
import { z } from 'zod'

import { isAdmin } from '../src/access'
import { isDocumentId } from '../src/db/ids'
import { StoreError } from '../src/errors'
import { requireUser } from '../src/http/input'
import { collectionDocument, documented } from '../src/openapi/describe'
import { transition } from '../src/orders/lifecycle'
import { mayMove } from '../src/orders/transitions'

/**
 * POST /api/orders/:id/cancel — the owner while pending/processing (a customer, or a guest with
 * the order's X-Order-Token, src/access: adminOwnerOrOrderToken), or an admin.
 */
export const cancelOrderEndpoint: Endpoint = documented(
  {
    path: '/:id/cancel',
    method: 'post',
    handler: async (req) => {
      if (!req.headers.has('x-order-token')) requireUser(req)
      const id = req.routeParams?.id
      if (typeof id !== 'string' || !isDocumentId(req.payload, id))
        throw new StoreError('NOT_FOUND', 'Order not found.')
      // Read with the caller's access: another customer's order (or another order than the token's)
      // is a 404, like any order that does not exist.
      const order = await req.payload
        .findByID({ collection: 'orders', id, depth: 0, overrideAccess: false, req, disableErrors: true })
        .catch(() => null)
      if (!order) throw new StoreError('NOT_FOUND', 'Order not found.')
      const actor = isAdmin(req) ? 'admin' : 'customer'
      if (!mayMove(order.status, 'cancelled', actor)) {
        throw new StoreError('CONFLICT', `This order is ${order.status} and can no longer be cancelled.`, {
          status: order.status,
        })
      }
      // From the status just read: if someone moved the order meanwhile, 409 instead of a silent no-op.
      const cancelled = await transition(req, order, 'cancelled', { actor })
      return Response.json({ order: cancelled, cancelledBy: actor })
    },
  },
  {
    summary: 'Cancel an order',
    description:
      "The owner (a customer, or a guest with the order's `X-Order-Token`) while it is pending or processing, or an admin. Returns the stock and the coupon use; a paid card order is refunded through Stripe.",
    tag: 'Orders',
    audience: 'order',
    params: { id: 'the order id' },
    responses: {
      200: {
        description: 'cancelled',
        body: z.object({ order: collectionDocument('orders'), cancelledBy: z.enum(['admin', 'customer']) }),
      },
      404: { description: 'no such order, or not yours' },
      409: { description: 'the order can no longer be cancelled (its status is in `data.status`)' },
    },
  },
)
