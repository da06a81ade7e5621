import { createCoupon, createRefund, createSession, expireSession } from './endpoints'
import type { DoubleState } from './state'
import type { Route } from './types'

/** The API the double answers; anything else is 404 "Unrecognized request URL", like Stripe. */
export function routes(state: DoubleState): Route[] {
  return [
    { method: 'POST', pattern: /^\/v1\/checkout\/sessions$/, handler: (p) => createSession(state, p) },
    {
      method: 'GET',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/,
      handler: (_p, [id = '']) => ({ object: state.lineItemList(state.apiSession(id)), expandable: false }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
      handler: (p, [id = '']) => expireSession(state, p, id),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
      handler: (_p, [id = '']) => ({ object: state.apiSession(id).session, expandable: true }),
    },
    { method: 'POST', pattern: /^\/v1\/refunds$/, handler: (p) => createRefund(state, p) },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds\/([^/]+)$/,
      handler: (_p, [id = '']) => ({
        object: state.found(state.refundStore, 'refund', id),
        expandable: true,
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/payment_intents\/([^/]+)$/,
      handler: (_p, [id = '']) => ({
        object: state.found(state.paymentIntentStore, 'payment_intent', id),
        expandable: true,
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/charges\/([^/]+)$/,
      handler: (_p, [id = '']) => ({
        object: state.found(state.chargeStore, 'charge', id),
        expandable: true,
      }),
    },
    { method: 'POST', pattern: /^\/v1\/coupons$/, handler: (p) => createCoupon(state, p) },
    {
      method: 'GET',
      pattern: /^\/v1\/coupons\/([^/]+)$/,
      handler: (_p, [id = '']) => ({
        object: state.found(state.couponStore, 'coupon', id),
        expandable: true,
      }),
    },
  ]
}
