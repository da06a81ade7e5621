import type { PayloadRequest } from 'payload'

import type { Coupon, User } from '../../payload-types'

/** Why a coupon cannot be used at all right now (whatever the cart), or null. */
function lifecycleProblem(coupon: Coupon, now: Date): string | null {
  if (!coupon.active) return 'This coupon is not active.'
  if (coupon.startsAt && new Date(coupon.startsAt) > now) return 'This coupon is not valid yet.'
  if (coupon.expiresAt && new Date(coupon.expiresAt) <= now) return 'This coupon has expired.'
  if (typeof coupon.maxUses === 'number' && (coupon.usedCount ?? 0) >= coupon.maxUses) {
    return 'This coupon has been used up.'
  }
  return null
}

function minimumProblem(coupon: Coupon, subtotal: number): string | null {
  const minimum = coupon.minSubtotal ?? 0
  return subtotal < minimum ? `This coupon needs a subtotal of at least ${minimum} (minor units).` : null
}

/** Why a coupon cannot be used on a cart with this subtotal right now, or null when it can. */
export function couponProblem(coupon: Coupon, subtotal: number, now = new Date()): string | null {
  return lifecycleProblem(coupon, now) ?? minimumProblem(coupon, subtotal)
}

/**
 * What someone applying a code is told. An unknown code and one that exists but cannot be used
 * now (inactive, not yet or no longer valid, used up) get the same answer, so codes cannot be
 * discovered by guessing; only a code the customer could use with a bigger cart says so.
 */
export const COUPON_NOT_VALID = 'This coupon code is not valid.'

export function couponRefusal(coupon: Coupon, subtotal: number, now = new Date()): string | null {
  return lifecycleProblem(coupon, now) ? COUPON_NOT_VALID : minimumProblem(coupon, subtotal)
}

/** The per-customer limit, which needs the customer's usage count. */
export async function customerCouponProblem(
  coupon: Coupon,
  customer: User['id'],
  req: PayloadRequest,
): Promise<string | null> {
  if (typeof coupon.maxUsesPerCustomer !== 'number') return null
  const usage = await req.payload.find({
    collection: 'coupon-usages',
    where: { key: { equals: `${coupon.id}:${customer}` } },
    limit: 1,
    depth: 0,
  })
  const used = usage.docs[0]?.count ?? 0
  return used >= coupon.maxUsesPerCustomer ? 'You have already used this coupon as often as it allows.' : null
}

export function normaliseCode(code: string): string {
  return code.trim().toUpperCase()
}
