import type { PayloadRequest } from 'payload'

import type { Coupon, User } from '../../payload-types'

/** Why a coupon cannot be used on a cart with this subtotal right now, or null when it can. */
export function couponProblem(coupon: Coupon, subtotal: number, now = new Date()): string | null {
  if (!coupon.active) return 'This coupon is not active.'
  if (coupon.startsAt && new Date(coupon.startsAt) > now) return 'This coupon is not valid yet.'
  if (coupon.expiresAt && new Date(coupon.expiresAt) <= now) return 'This coupon has expired.'
  if (typeof coupon.maxUses === 'number' && (coupon.usedCount ?? 0) >= coupon.maxUses) {
    return 'This coupon has been used up.'
  }
  const minimum = coupon.minSubtotal ?? 0
  if (subtotal < minimum) return `This coupon needs a subtotal of at least ${minimum} (minor units).`
  return null
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
