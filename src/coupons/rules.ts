import type { Coupon } from '../../payload-types'
import {
  COUPON_EXPIRED,
  COUPON_NOT_ACTIVE,
  COUPON_NOT_VALID,
  COUPON_NOT_YET_VALID,
  COUPON_USED_UP,
  couponNeedsSubtotal,
} from './messages'

// When a coupon applies. The discount it then gives is money arithmetic: src/money.ts.

/** Why a coupon cannot be used at all right now (whatever the cart), or null. */
function lifecycleProblem(coupon: Coupon, now: Date): string | null {
  if (!coupon.active) return COUPON_NOT_ACTIVE
  if (coupon.startsAt && new Date(coupon.startsAt) > now) return COUPON_NOT_YET_VALID
  if (coupon.expiresAt && new Date(coupon.expiresAt) <= now) return COUPON_EXPIRED
  if (typeof coupon.maxUses === 'number' && (coupon.usedCount ?? 0) >= coupon.maxUses) return COUPON_USED_UP
  return null
}

function minimumProblem(coupon: Coupon, subtotal: number): string | null {
  const minimum = coupon.minSubtotal ?? 0
  return subtotal < minimum ? couponNeedsSubtotal(minimum) : null
}

/** Why a coupon cannot be used on a cart with this subtotal right now, or null when it can. */
export function couponProblem(coupon: Coupon, subtotal: number, now = new Date()): string | null {
  return lifecycleProblem(coupon, now) ?? minimumProblem(coupon, subtotal)
}

/** couponProblem as told to someone applying a code (see COUPON_NOT_VALID). */
export function couponRefusal(coupon: Coupon, subtotal: number, now = new Date()): string | null {
  return lifecycleProblem(coupon, now) ? COUPON_NOT_VALID : minimumProblem(coupon, subtotal)
}
