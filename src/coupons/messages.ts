// What a customer is told when a coupon is refused, each in one place: the cart, checkout and
// the usage counters must all say the same thing for the same reason.

export const COUPON_NOT_ACTIVE = 'This coupon is not active.'
export const COUPON_NOT_YET_VALID = 'This coupon is not valid yet.'
export const COUPON_EXPIRED = 'This coupon has expired.'
export const COUPON_USED_UP = 'This coupon has been used up.'
export const COUPON_CUSTOMER_LIMIT = 'You have already used this coupon as often as it allows.'

export const couponNeedsSubtotal = (minimum: number): string =>
  `This coupon needs a subtotal of at least ${minimum} (minor units).`

/**
 * What someone applying a code is told. An unknown code and one that exists but cannot be used
 * now (inactive, not yet or no longer valid, used up) get the same answer, so codes cannot be
 * discovered by guessing; only a code the customer could use with a bigger cart says so.
 */
export const COUPON_NOT_VALID = 'This coupon code is not valid.'
