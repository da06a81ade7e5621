import { invalid, missing } from './errors'
import type { Form } from './form'
import {
  COUPON_PARAMS,
  LINE_ITEM_PARAMS,
  MAXIMUM_AMOUNT,
  MINIMUM_AMOUNT,
  PAYMENT_INTENT_DATA_PARAMS,
  PRICE_DATA_PARAMS,
  PRODUCT_DATA_PARAMS,
  REFUND_PARAMS,
  SESSION_PARAMS,
} from './params'
import type { DoubleState } from './state'
import type { Charge, CheckoutSession, Coupon, JsonObject, LineItem, Metadata, Refund } from './types'
import { formatMoney, isHttpUrl, nowSeconds, randomId } from './util'

// The API's POST endpoints: each validates its form like Stripe and records what it creates.

export function createSession(state: DoubleState, params: Form): { object: JsonObject; expandable: boolean } {
  params.rejectUnknown(SESSION_PARAMS)
  const mode = params.requiredString('mode')
  if (mode !== 'payment') {
    throw invalid(`StripeDouble only supports mode=payment (got '${mode}').`, 'mode')
  }
  const uiMode = params.string('ui_mode') ?? 'hosted_page'
  if (uiMode !== 'hosted_page') throw invalid(`StripeDouble only supports ui_mode=hosted_page.`, 'ui_mode')

  const created = nowSeconds()
  const lineItemForms = params.array('line_items')
  if (lineItemForms.length === 0) {
    throw invalid('You must provide at least one line item.', 'line_items', 'parameter_missing')
  }
  if (lineItemForms.length > 100) throw invalid('You may only specify up to 100 line items.', 'line_items')
  const lineItems = lineItemForms.map((item) => buildLineItem(item, created))
  const currency = lineItems[0]?.currency ?? 'usd'
  if (lineItems.some((item) => item.currency !== currency)) {
    throw invalid('All line items must use the same currency.', 'line_items')
  }
  const topCurrency = params.string('currency')
  if (topCurrency && topCurrency.toLowerCase() !== currency) {
    throw invalid(
      `The currency ${topCurrency} does not match the line items' currency ${currency}.`,
      'currency',
    )
  }
  const subtotal = lineItems.reduce((sum, item) => sum + item.amount_subtotal, 0)

  // Discounts: one coupon at most, exclusive with allow_promotion_codes (as in Stripe).
  const allowPromotionCodes = params.bool('allow_promotion_codes') ?? null
  const discountForms = params.array('discounts')
  if (discountForms.length > 1) throw invalid('You may only specify one discount.', 'discounts')
  if (discountForms.length > 0 && allowPromotionCodes) {
    throw invalid(
      'You may only specify one of these parameters: allow_promotion_codes, discounts.',
      'discounts',
    )
  }
  let discount = 0
  let coupon: Coupon | undefined
  const discounts: CheckoutSession['discounts'] = []
  for (const discountForm of discountForms) {
    discountForm.rejectUnknown(['coupon', 'promotion_code'])
    if (discountForm.has('promotion_code')) {
      throw invalid('StripeDouble does not support promotion codes.', discountForm.name('promotion_code'))
    }
    const couponId = discountForm.requiredString('coupon')
    coupon = state.couponStore.get(couponId)
    if (!coupon) throw missing('coupon', couponId, discountForm.name('coupon'), 400)
    if (coupon.amount_off !== null) {
      if (coupon.currency !== currency) {
        throw invalid(
          `The coupon ${couponId} is not valid for currency ${currency}.`,
          discountForm.name('coupon'),
        )
      }
      discount = Math.min(coupon.amount_off, subtotal)
    } else {
      discount = Math.round((subtotal * (coupon.percent_off ?? 0)) / 100)
    }
    discounts.push({ coupon: couponId, promotion_code: null })
  }
  allocateDiscount(lineItems, discount)
  const total = subtotal - discount
  const minimum = MINIMUM_AMOUNT[currency]
  if (total > 0 && minimum !== undefined && total < minimum) {
    throw invalid(
      `The Checkout Session's total amount due must add up to at least ${formatMoney(minimum, currency)}`,
      'line_items',
      'amount_too_small',
    )
  }
  if (total > MAXIMUM_AMOUNT) {
    throw invalid(
      `The Checkout Session's total amount due must be no more than ${formatMoney(MAXIMUM_AMOUNT, currency)}`,
      'line_items',
      'amount_too_large',
    )
  }

  const expiresAt = params.int('expires_at') ?? created + 24 * 3600
  if (expiresAt < created + 30 * 60 - 5 || expiresAt > created + 24 * 3600 + 5) {
    throw invalid(
      'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
      'expires_at',
    )
  }
  const customerEmail = params.string('customer_email') || null
  if (customerEmail !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(customerEmail)) {
    throw invalid(`Invalid email address: ${customerEmail}`, 'customer_email', 'email_invalid')
  }
  const customer = params.string('customer') || null
  if (customer && customerEmail) {
    throw invalid('You may only specify one of these parameters: customer, customer_email.', 'customer_email')
  }
  const successUrl = params.string('success_url') || null
  const cancelUrl = params.string('cancel_url') || null
  for (const [name, value] of [
    ['success_url', successUrl],
    ['cancel_url', cancelUrl],
  ] as const) {
    if (value !== null && !isHttpUrl(value)) throw invalid(`Not a valid URL`, name, 'url_invalid')
  }
  const clientReferenceId = params.string('client_reference_id') || null
  if (clientReferenceId && clientReferenceId.length > 200) {
    throw invalid('client_reference_id can have up to 200 characters.', 'client_reference_id')
  }
  const metadata = params.metadata()
  const paymentIntentData = params.object('payment_intent_data')
  paymentIntentData?.rejectUnknown(PAYMENT_INTENT_DATA_PARAMS)

  // The first shipping option is the one Checkout preselects; its fixed amount is part of the total
  // (discounts apply to the line items only, as at Stripe).
  const shippingRate = params.array('shipping_options')[0]?.object('shipping_rate_data')
  const shipping = shippingRate?.object('fixed_amount')?.int('amount', 0) ?? 0

  if (coupon) coupon.times_redeemed += 1
  const id = randomId('cs_test_', 58)
  const session: CheckoutSession = {
    id,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: allowPromotionCodes,
    amount_subtotal: subtotal,
    amount_total: total + shipping,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: params.string('billing_address_collection') ?? null,
    cancel_url: cancelUrl,
    client_reference_id: clientReferenceId,
    client_secret: null,
    created,
    currency,
    customer,
    customer_creation: customer ? null : (params.string('customer_creation') ?? 'if_required'),
    customer_details: null,
    customer_email: customerEmail,
    discounts,
    expires_at: expiresAt,
    invoice: null,
    livemode: false,
    locale: params.string('locale') ?? null,
    metadata,
    mode: 'payment',
    payment_intent: null,
    payment_link: null,
    payment_method_types: params.strings('allowed_payment_method_types').length
      ? params.strings('allowed_payment_method_types')
      : ['card'],
    payment_status: 'unpaid',
    setup_intent: null,
    status: 'open',
    submit_type: params.string('submit_type') ?? null,
    subscription: null,
    success_url: successUrl,
    total_details: { amount_discount: discount, amount_shipping: shipping, amount_tax: 0 },
    ui_mode: uiMode,
    url: `https://checkout.stripe.test/c/pay/${id}`,
  }
  state.sessionStore.set(id, {
    session,
    lineItems,
    paymentIntentData: {
      metadata: paymentIntentData?.metadata() ?? {},
      description: paymentIntentData?.string('description') ?? null,
      receiptEmail: paymentIntentData?.string('receipt_email') ?? customerEmail,
    },
  })
  return { object: session, expandable: true }
}

function buildLineItem(item: Form, created: number): LineItem {
  item.rejectUnknown(LINE_ITEM_PARAMS)
  const priceId = item.string('price')
  if (priceId) throw missing('price', priceId, item.name('price'), 400)
  const priceData = item.object('price_data')
  if (!priceData) {
    throw invalid(
      `Missing required param: ${item.name('price_data')}. StripeDouble only supports inline price_data.`,
      item.name('price_data'),
      'parameter_missing',
    )
  }
  priceData.rejectUnknown(PRICE_DATA_PARAMS)
  const currency = priceData.requiredString('currency').toLowerCase()
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalid(`Invalid currency: ${currency}`, priceData.name('currency'))
  }
  const unitAmount = priceData.int('unit_amount', 0)
  const unitAmountDecimal = priceData.number('unit_amount_decimal')
  if (unitAmount !== undefined && unitAmountDecimal !== undefined) {
    throw invalid(
      `You may only specify one of these parameters: ${priceData.name('unit_amount')}, ${priceData.name('unit_amount_decimal')}.`,
      priceData.name('unit_amount'),
    )
  }
  if (unitAmount === undefined && unitAmountDecimal === undefined) {
    throw invalid(
      `Missing required param: ${priceData.name('unit_amount')}.`,
      priceData.name('unit_amount'),
      'parameter_missing',
    )
  }
  if (priceData.has('recurring')) {
    throw invalid('StripeDouble does not support recurring prices.', priceData.name('recurring'))
  }
  let product = priceData.string('product') || null
  let description: string | null = null
  let productMetadata: Metadata = {}
  const productData = priceData.object('product_data')
  if (productData) {
    productData.rejectUnknown(PRODUCT_DATA_PARAMS)
    description = productData.requiredString('name')
    productMetadata = productData.metadata()
    product = randomId('prod_', 14)
  }
  if (!product) {
    throw invalid(
      `Missing required param: ${priceData.name('product_data')}.`,
      priceData.name('product_data'),
      'parameter_missing',
    )
  }
  const quantity = item.int('quantity', 1)
  if (quantity === undefined) {
    throw invalid(
      `Missing required param: ${item.name('quantity')}.`,
      item.name('quantity'),
      'parameter_missing',
    )
  }
  const unit = unitAmount ?? unitAmountDecimal ?? 0
  const amount = Math.round(unit * quantity)
  return {
    id: randomId('li_'),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency,
    description,
    metadata: item.metadata(),
    price: {
      id: randomId('price_'),
      object: 'price',
      active: false,
      billing_scheme: 'per_unit',
      created,
      currency,
      custom_unit_amount: null,
      livemode: false,
      lookup_key: null,
      metadata: productMetadata,
      nickname: null,
      product,
      recurring: null,
      tax_behavior: priceData.string('tax_behavior') ?? 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: 'one_time',
      unit_amount: unitAmount ?? null,
      unit_amount_decimal: String(unit),
    },
    quantity,
  }
}

/** Spreads a session-level discount over the line items proportionally (remainder on the last one). */
function allocateDiscount(lineItems: LineItem[], discount: number): void {
  const subtotal = lineItems.reduce((sum, item) => sum + item.amount_subtotal, 0)
  let left = discount
  lineItems.forEach((item, index) => {
    const share =
      index === lineItems.length - 1 || subtotal === 0
        ? left
        : Math.floor((discount * item.amount_subtotal) / subtotal)
    item.amount_discount = Math.min(share, item.amount_subtotal)
    item.amount_total = item.amount_subtotal - item.amount_discount
    left -= item.amount_discount
  })
}

export function expireSession(
  state: DoubleState,
  params: Form,
  id: string,
): { object: JsonObject; expandable: boolean } {
  params.rejectUnknown(['expand'])
  const session = state.apiSession(id).session
  if (session.status !== 'open') {
    throw invalid(
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
    )
  }
  session.status = 'expired'
  session.url = null
  return { object: session, expandable: true }
}

export function createRefund(state: DoubleState, params: Form): { object: JsonObject; expandable: boolean } {
  params.rejectUnknown(REFUND_PARAMS)
  const paymentIntentId = params.string('payment_intent') || null
  const chargeId = params.string('charge') || null
  if (!paymentIntentId && !chargeId) {
    throw invalid(
      'One of the following params should be provided for this request: payment_intent or charge.',
      undefined,
      'parameter_missing',
    )
  }
  let charge: Charge | undefined
  if (paymentIntentId) {
    const paymentIntent = state.paymentIntentStore.get(paymentIntentId)
    if (!paymentIntent) throw missing('payment_intent', paymentIntentId, 'payment_intent', 400)
    if (paymentIntent.status !== 'succeeded' || !paymentIntent.latest_charge) {
      throw invalid(
        `This PaymentIntent (${paymentIntentId}) does not have a successful charge to refund.`,
        'payment_intent',
      )
    }
    charge = state.chargeStore.get(paymentIntent.latest_charge)
    if (chargeId && charge?.id !== chargeId) {
      throw invalid(`Charge ${chargeId} does not belong to PaymentIntent ${paymentIntentId}.`, 'charge')
    }
  } else if (chargeId) {
    charge = state.chargeStore.get(chargeId)
    if (!charge) throw missing('charge', chargeId, 'charge', 400)
  }
  if (!charge || charge.status !== 'succeeded') {
    throw invalid(
      'This charge has not succeeded and cannot be refunded.',
      chargeId ? 'charge' : 'payment_intent',
    )
  }
  const remaining = charge.amount - charge.amount_refunded
  if (remaining <= 0) {
    throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded')
  }
  const amount = params.int('amount', 1) ?? remaining
  if (amount > remaining) {
    throw invalid(
      `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(remaining, charge.currency)})`,
      'amount',
      'amount_too_large',
    )
  }
  const reason = params.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer']) ?? null
  const refund: Refund = {
    id: randomId('re_'),
    object: 'refund',
    amount,
    balance_transaction: randomId('txn_'),
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    metadata: params.metadata(),
    payment_intent: charge.payment_intent,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  }
  state.refundStore.set(refund.id, refund)
  charge.amount_refunded += amount
  charge.refunded = charge.amount_refunded >= charge.amount
  return { object: refund, expandable: true }
}

export function createCoupon(state: DoubleState, params: Form): { object: JsonObject; expandable: boolean } {
  params.rejectUnknown(COUPON_PARAMS)
  const amountOff = params.int('amount_off', 1) ?? null
  const percentOff = params.number('percent_off') ?? null
  if ((amountOff === null) === (percentOff === null)) {
    throw invalid(
      'You must pass exactly one of amount_off or percent_off.',
      'amount_off',
      'parameter_missing',
    )
  }
  if (percentOff !== null && (percentOff <= 0 || percentOff > 100)) {
    throw invalid('percent_off must be greater than 0 and at most 100.', 'percent_off')
  }
  const currency = params.string('currency')?.toLowerCase() ?? null
  if (amountOff !== null && !currency) {
    throw invalid('You must pass currency when passing amount_off.', 'currency', 'parameter_missing')
  }
  const id = params.string('id') || randomId('', 8)
  if (state.couponStore.has(id)) throw invalid('Coupon already exists.', 'id', 'resource_already_exists')
  const coupon: Coupon = {
    id,
    object: 'coupon',
    amount_off: amountOff,
    created: nowSeconds(),
    currency: amountOff !== null ? currency : null,
    duration: params.oneOf('duration', ['forever', 'once', 'repeating']) ?? 'once',
    duration_in_months: params.int('duration_in_months', 1) ?? null,
    livemode: false,
    max_redemptions: params.int('max_redemptions', 1) ?? null,
    metadata: params.metadata(),
    name: params.string('name') || null,
    percent_off: percentOff,
    redeem_by: params.int('redeem_by') ?? null,
    times_redeemed: 0,
    valid: true,
  }
  state.couponStore.set(id, coupon)
  return { object: coupon, expandable: true }
}
