import type { Api } from './http'

export type Doc = { id: number | string; [key: string]: unknown }
type Created = { doc: Doc; errors?: { message: string; data?: { errors?: { path: string }[] } }[] }

let sequence = 0
export const uniqueSku = (prefix = 'SKU'): string => `${prefix}-${Date.now().toString(36)}-${++sequence}`

/** Creates through REST as the given admin and fails loudly when the API refuses. */
export async function create(
  api: Api,
  token: string,
  collection: string,
  data: Record<string, unknown>,
): Promise<Doc> {
  const res = await api<Created>(`/api/${collection}`, { token, json: data })
  if (res.status !== 201) throw new Error(`create ${collection} failed: ${res.status} ${res.text}`)
  return res.body.doc
}

export function product(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: `Product ${++sequence}`,
    sku: uniqueSku(),
    price: 1999,
    stock: 10,
    status: 'published',
    ...overrides,
  }
}

/** The paths a Payload ValidationError names. */
export function invalidPaths(body: unknown): string[] {
  const errors = (body as Created).errors ?? []
  return errors.flatMap((error) => error.data?.errors?.map((entry) => entry.path) ?? [])
}
