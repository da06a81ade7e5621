import { commitTransaction, killTransaction } from 'payload'
import type { PayloadRequest } from 'payload'
import type Stripe from 'stripe'

import type { Order } from '../../payload-types'
import { announceStock } from '../cache'
import type { StockChange } from '../cache/stockOverlay'
import { linesOf } from '../cart/lines'
import { restoreLines } from '../cart/operations'
import { priceCart } from '../cart/pricing'
import type { PricedCart } from '../cart/pricing'
import { loadCart, writeCart } from '../cart/storage'
import type { LoadedCart } from '../cart/storage'
import { env } from '../config/env'
import { newRowId } from '../db/ids'
import { beginTransaction } from '../db/transaction'
import { publishToAdmins, realtime } from '../realtime/events'
import { createCheckoutSession } from '../stripe/checkoutSession'
import { inOrderChange } from '../orders/change'
import { openOrder } from '../orders/lifecycle'
import { recordPayment } from '../orders/payment'
import { abandonCardOrder } from '../payments/orderPayments'
import { stripe } from '../stripe/client'
import { checkCouponForOrder, takeCouponUses } from '../coupons/redemption'
import { StoreError } from '../errors'
import { logger } from '../logger'
import { returnStock, takeStock } from '../inventory/stock'
import type { StockLeft } from '../inventory/stock'
import { couponHolder } from '../coupons/usage'
import type { CouponHolder } from '../coupons/usage'
import { orderTokenFor } from '../guests/orderTokens'
import { buyerOf } from './buyer'
import type { Buyer } from './buyer'
import { formatOrderNumber, nextCounter } from './orderNumbers'

export type ShippingAddress = Order['shippingAddress']
export type CheckoutInput = {
  paymentMethod: 'cod' | 'card'
  shippingAddress: ShippingAddress
  /** A guest's email (required of a guest, not used for a customer: src/checkout/buyer.ts). */
  email?: string
}

/** Prices of one checkout before it answers 409: each miss means the cart changed meanwhile. */
const CLAIM_ATTEMPTS = 3

/**
 * Cart → order, all or nothing. The cart is priced again from the catalog. Its stock is taken
 * first, line by line, by conditional single-statement updates that commit at once (so no amount
 * of concurrency, on any number of instances, oversells, and a product on sale is locked for one
 * statement, not a whole checkout). Then, in a transaction where the adapter has them (PostgreSQL,
 * MongoDB), the cart is claimed: emptied by a write guarded by the revision that was priced, so
 * one cart's contents become at most one order whatever the concurrency (a cart that changed after
 * pricing is priced again); the order is written with a snapshot of its lines, and its coupon uses
 * are taken, last. A failure rolls the transaction back and gives the stock back; without
 * transactions (SQLite) every step taken is given back in reverse, the cart's lines too.
 */
export type CheckoutResult = { order: Order; checkoutUrl?: string }

export async function checkout(req: PayloadRequest, input: CheckoutInput): Promise<CheckoutResult> {
  const buyer = buyerOf(req, input.email)
  const payments = input.paymentMethod === 'card' ? stripe() : undefined
  if (input.paymentMethod === 'card' && !payments) {
    throw new StoreError(
      'PAYMENT_UNAVAILABLE',
      'Card payments are not configured on this store (STRIPE_SECRET_KEY is unset); choose cash on delivery.',
    )
  }

  // Reserved once, before any transaction: a counter row held until commit would serialise
  // checkouts. A checkout that then finds nothing to order leaves a gap.
  let orderNumber: string | undefined
  let order: Order | undefined
  let holder: CouponHolder | undefined
  for (let attempt = 1; !order; attempt++) {
    const cart = await loadCart(req)
    const priced = await priceCart(cart, req, { images: false })
    if (priced.coupon) holder ??= await couponHolder(req, buyer)
    const coupon = await checkCart(req, priced, holder)
    orderNumber ??= formatOrderNumber(await nextCounter(req, 'orders'))
    order =
      (await placeOrderRetrying({ req, cart, priced, coupon, buyer, holder, orderNumber, input })) ??
      undefined
    // Null: the cart changed after it was priced (another checkout took it, or the customer
    // changed it): price what it holds now, a few times at most.
    if (!order && attempt >= CLAIM_ATTEMPTS) {
      throw new StoreError('CONFLICT', 'Your cart changed while checking out; review it and try again.')
    }
  }
  if (!payments) return { order }
  return startCardPayment(req, payments, order, buyer.email)
}

/** What stops this priced cart from becoming an order, as a 4xx; else the coupon it uses. */
async function checkCart(
  req: PayloadRequest,
  priced: PricedCart,
  holder: CouponHolder | undefined,
): Promise<PricedCart['coupon']> {
  if (priced.lines.length === 0) throw new StoreError('BAD_REQUEST', 'Your cart is empty.')
  const blocked = priced.lines.filter((line) => line.issue !== null)
  if (blocked.length > 0) {
    throw new StoreError('CART_UNAVAILABLE', blocked.map((line) => line.issue).join(' '), {
      products: blocked.map((line) => ({ product: line.productId, issue: line.issue })),
    })
  }
  const coupon = priced.coupon
  if (coupon) {
    if (!holder) throw new Error('checkout: a coupon without its holder')
    await checkCouponForOrder(req, coupon, priced.couponIssue, holder)
  }
  return coupon
}

/** placeOrder, tried again when the database rolled it back for a conflict of its own. */
async function placeOrderRetrying(placement: Placement): Promise<Order | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await placeOrder(placement)
    } catch (error) {
      // MongoDB aborts one of two transactions writing the same document, PostgreSQL may pick a
      // deadlock victim: both were rolled back whole, so trying again is safe.
      if (attempt >= 3 || !isTransient(error)) throw error
      logger.warn({ attempt }, 'checkout: transaction conflict, retrying')
    }
  }
}

/** The order exists and holds its stock; now the Checkout Session. If Stripe fails, nothing is kept. */
async function startCardPayment(
  req: PayloadRequest,
  payments: Stripe,
  order: Order,
  email: string,
): Promise<CheckoutResult> {
  let session: Stripe.Checkout.Session
  try {
    session = await createCheckoutSession(payments, order, email)
  } catch (error) {
    logger.error({ err: error, order: order.id }, 'checkout: Stripe refused the Checkout Session')
    await abandonCardOrder(req, order.id, 'The Checkout Session could not be created.')
    throw new StoreError(
      'PAYMENT_PROVIDER_ERROR',
      'The payment provider is not answering; nothing was charged. Try again shortly.',
    )
  }
  const updated = await recordPayment(req, order.id, {
    stripeSessionId: session.id,
    expiresAt: new Date((session.expires_at ?? 0) * 1000).toISOString(),
  })
  return { order: updated, checkoutUrl: session.url ?? undefined }
}

type Placement = {
  req: PayloadRequest
  cart: LoadedCart
  priced: PricedCart
  coupon: PricedCart['coupon']
  buyer: Buyer
  /** Whose per-customer coupon uses the order takes (known whenever there is a coupon). */
  holder: CouponHolder | undefined
  orderNumber: string
  input: CheckoutInput
}

function isTransient(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const labels =
    'errorLabelSet' in error && error.errorLabelSet instanceof Set ? error.errorLabelSet : undefined
  const code = 'code' in error ? error.code : undefined
  if (labels?.has('TransientTransactionError') || code === 112 || code === '40001' || code === '40P01')
    return true
  // Drizzle wraps the driver's error.
  return 'cause' in error && error.cause !== error ? isTransient(error.cause) : false
}

/** Tells the admins, in real time, of each product this checkout left below the threshold. */
function announceLowStock(left: StockLeft[]): void {
  if (!realtime()) return
  const threshold = env().LOW_STOCK_THRESHOLD
  for (const product of left) {
    if (product.stock < threshold)
      publishToAdmins('product.low_stock', { id: product.id, title: product.title, stock: product.stock })
  }
}

/**
 * Takes every line's stock, in a fixed order (by product id), each line its own statement outside
 * any transaction (the caller gives it back if the checkout fails later); throws INSUFFICIENT_STOCK for the first line short of it. Each undo
 * step gives the line's stock back and records the stock it left in `returned`.
 */
async function takeAllStock(
  req: PayloadRequest,
  priced: PricedCart,
  undo: (() => Promise<void>)[],
  returned: StockChange[],
): Promise<StockLeft[]> {
  const lines = [...priced.lines].sort((a, b) => String(a.productId).localeCompare(String(b.productId)))
  const left: StockLeft[] = []
  for (const line of lines) {
    const taken = await takeStock(req, line.productId, line.quantity)
    if (!taken) {
      throw new StoreError(
        'INSUFFICIENT_STOCK',
        `${line.product?.title ?? 'A product'} is no longer in stock in that quantity.`,
        { product: line.productId },
      )
    }
    left.push(taken)
    undo.push(async () => {
      const change = await returnStock(req, line.productId, line.quantity)
      if (change) returned.push(change)
    })
  }
  return left
}

async function placeOrder({
  req,
  cart,
  priced,
  coupon,
  buyer,
  holder,
  orderNumber,
  input,
}: Placement): Promise<Order | null> {
  const undo: (() => Promise<void>)[] = []
  const returned: StockChange[] = []
  // Stock first, each line its own statement that commits at once, before the transaction opens:
  // the hot product's row is locked for that one UPDATE, not until COMMIT, so a sale is not
  // limited to one checkout at a time. It never oversells (the statement is the guard); what this
  // gives up is atomicity with the order, so every way out below gives the stock back.
  const left = await takeAllStock(req, priced, undo, returned).catch(async (error: unknown) => {
    await giveBack(req, undo, returned)
    throw error
  })
  const { shouldCommit, inTransaction } = await beginTransaction(req)
  const stockSteps = undo.length
  try {
    // The claim: the cart is emptied first, and only if it is still the revision that was priced.
    // Of concurrent checkouts of one cart exactly one matches (on PostgreSQL the others wait for
    // its commit and then match nothing; a rollback gives the cart back and lets the next one
    // claim it); a change made to the cart after pricing makes it miss too. Either way no order.
    const claimed = await writeCart(req, cart, { items: [], coupon: null })
    if (!claimed) {
      if (inTransaction) await killTransaction(req)
      await giveBack(req, undo, returned)
      return null
    }
    undo.push(() => restoreLines(req, linesOf(cart), cart.coupon))
    // One change: order.created goes out only once the whole checkout has succeeded (after the
    // commit; without a transaction, after the last step).
    const order = await inOrderChange(req, async () => {
      const placed = await openOrder(
        req,
        {
          orderNumber,
          customer: buyer.customer,
          email: buyer.email,
          // A guest's key to this order; the token itself goes only to the guest (endpoints/checkout.ts).
          orderTokenHash: buyer.guest ? orderTokenFor(req.payload.secret, orderNumber).hash : null,
          items: priced.lines.map((line) => ({
            id: newRowId(),
            product: line.productId,
            title: line.product?.title ?? '',
            sku: line.product?.sku ?? '',
            unitPrice: line.unitPrice,
            quantity: line.quantity,
            lineTotal: line.lineTotal,
          })),
          subtotal: priced.subtotal,
          discount: priced.discount,
          shipping: priced.shipping,
          total: priced.total,
          currency: priced.currency,
          couponCode: coupon?.code ?? null,
          coupon: coupon?.id ?? null,
          paymentMethod: input.paymentMethod,
          shippingAddress: input.shippingAddress,
        },
        buyer.customer,
      )
      undo.push(async () => {
        await req.payload.db.deleteOne({ collection: 'orders', where: { id: { equals: placed.id } }, req })
      })
      // A popular coupon's row is wanted by every concurrent checkout: on PostgreSQL it stays locked
      // from its guarded UPDATE until COMMIT, so it comes last.
      if (coupon) {
        if (!holder) throw new Error('checkout: a coupon without its holder')
        await takeCouponUses(req, coupon, holder, undo)
      }
      return placed
    })
    if (shouldCommit) await commitTransaction(req)
    await announceStock(req, left)
    announceLowStock(left)
    return order
  } catch (error) {
    if (inTransaction) {
      // Everything after the stock was rolled back; the stock was not in the transaction.
      await killTransaction(req)
      undo.length = stockSteps
    }
    await giveBack(req, undo, returned)
    throw error
  }
}

/**
 * Undoes the steps taken, newest first, and shows cached answers the stock given back: a read
 * between a step and its undo saw (and may have cached) stock taken for nothing.
 */
async function giveBack(
  req: PayloadRequest,
  undo: (() => Promise<void>)[],
  returned: StockChange[],
): Promise<void> {
  for (const step of undo.reverse()) {
    await step().catch((undoError: unknown) => logger.error({ err: undoError }, 'checkout: undo step failed'))
  }
  undo.length = 0
  await announceStock(req, returned)
}
