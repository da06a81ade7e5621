export type ApiResponse<T = Record<string, unknown>> = {
  status: number
  body: T
  headers: Headers
  text: string
}

export type ApiOptions = {
  method?: string
  token?: string
  json?: unknown
  body?: BodyInit
  headers?: Record<string, string>
}

/** A thin HTTP client for the tests: real requests, parsed answers, nothing else. */
export function client(baseUrl: string) {
  return async function api<T = Record<string, unknown>>(
    path: string,
    options: ApiOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers.Authorization = `JWT ${options.token}`
    let body = options.body
    if (options.json !== undefined) {
      headers['Content-Type'] ??= 'application/json'
      body = JSON.stringify(options.json)
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
    })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : {}
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers, text }
  }
}

export type Api = ReturnType<typeof client>

export function tokenFrom(mailText: string): string {
  const match = /\/verify\/([\w%-]+)|token=([\w%-]+)/.exec(mailText)
  const token = match?.[1] ?? match?.[2]
  if (!token) throw new Error(`no token in email: ${mailText}`)
  return decodeURIComponent(token)
}
