import type { Api } from './http'

export const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'gb',
}

export type CartView = {
  id: number | string
  items: {
    product: {
      id: number | string
      title?: string
      price?: number
      stock?: number
      mainImage?: { url: string | null } | number | string | null
    }
    quantity: number
    unitPrice: number
    lineTotal: number
    available: boolean
    issue: string | null
  }[]
  coupon: { code: string; type: string; value: number } | null
  couponIssue: string | null
  subtotal: number
  discount: number
  shipping: number
  total: number
  currency: string
}

export type OrderView = {
  id: number | string
  orderNumber: string
  /** null for a guest's order. */
  customer: number | string | null
  email?: string
  status: string
  paymentStatus: string
  paymentMethod: string
  total: number
  subtotal: number
  discount: number
  shipping: number
  couponCode: string | null
  items: {
    product: number | string
    title: string
    sku: string
    unitPrice: number
    quantity: number
    lineTotal: number
  }[]
  statusHistory: { from: string | null; to: string; by: number | string | null; at: string }[]
}

export type Errors = { errors: { message: string; data?: { code?: string } }[] }

export async function addToCart(api: Api, token: string, product: number | string, quantity = 1) {
  return api<CartView & Errors>('/api/carts/mine/items', { token, json: { product, quantity } })
}

export async function checkoutCod(api: Api, token: string, headers: Record<string, string> = {}) {
  return api<{ order: OrderView } & Errors>('/api/checkout', {
    token,
    headers,
    json: { paymentMethod: 'cod', shippingAddress: ADDRESS },
  })
}
