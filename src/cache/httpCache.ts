import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'

import { audienceOf } from './audience'
import { cacheablePath, normalisedUrl, scopeOf } from './key'
import type { CacheScope, CachedResponse, CatalogStore, StoreKey } from './store'
import { splice } from './stockTemplate'

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

export type CacheLayerOptions = {
  store: CatalogStore
  /** Payload's signing key, to tell admins (who bypass the cache) from everyone else. */
  secret: Uint8Array
  /** The rest of the server: Express with Payload behind it. */
  app: RequestListener
  /** Run on hits too when they would be logged, so a hit is logged like any other answer. */
  requestLog: Middleware
  /** False when successful answers are not logged (LOG_LEVEL above info): hits then skip the logger. */
  logsSuccess: boolean
  /** The X-Request-Id a hit echoes when the logger (which assigns it otherwise) is skipped. */
  requestId: (req: IncomingMessage) => string
  /** Run on hits from browsers (an Origin header); without one, CORS adds nothing. */
  cors: Middleware
}

// Headers that belong to one exchange, never to a stored answer.
const PER_RESPONSE = new Set([
  'connection',
  'content-length',
  'date',
  'keep-alive',
  'set-cookie',
  'transfer-encoding',
  'vary',
  'x-cache',
  'x-request-id',
])
const MAX_CACHED_BODY = 4 * 1024 * 1024
const WAIT_FOR_OTHER_INSTANCE_MS = 2000

function storableHeaders(res: ServerResponse): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value === undefined || PER_RESPONSE.has(name) || name.startsWith('access-control-')) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return headers
}

/** Lets the response through untouched while keeping a copy of its body. */
function recordBody(res: ServerResponse): () => Buffer | undefined {
  const chunks: Buffer[] = []
  let size = 0
  const keep = (chunk: unknown, encoding?: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > MAX_CACHED_BODY) return
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk)
        : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    size += buffer.length
    chunks.push(buffer)
  }
  const write = res.write.bind(res) as (...args: unknown[]) => boolean
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1])
    return write(...args)
  }) as ServerResponse['write']
  res.end = ((...args: unknown[]) => {
    keep(args[0], args[1])
    return end(...args)
  }) as ServerResponse['end']
  return () => (size > MAX_CACHED_BODY ? undefined : Buffer.concat(chunks))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// A hit is the hottest path of the server: its headers are flattened once per stored entry, so
// serving one is a single writeHead of a ready array.
const rawHeaderCache = new WeakMap<CachedResponse, string[]>()
function rawHeadersOf(entry: CachedResponse): string[] {
  let raw = rawHeaderCache.get(entry)
  if (!raw) {
    raw = Object.entries(entry.headers).flat()
    raw.push(
      'X-Cache',
      'HIT',
      'Vary',
      'Origin, Authorization, Cookie',
      'Content-Length',
      String(entry.body.length),
    )
    rawHeaderCache.set(entry, raw)
  }
  return raw
}

/** A validator of the stored bytes no longer describes spliced ones. */
function withoutEtag(headers: Record<string, string>): Record<string, string> {
  if (!('etag' in headers)) return headers
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'etag'))
}

// Storefronts repeat the same few URLs: remember their normalised form rather than parse each time.
const URL_MEMO_MAX = 2000
type Route = { pathname: string; key: string; scope: CacheScope }
const urlMemo = new Map<string, Route>()
function memoisedUrl(req: IncomingMessage): Route {
  const url = req.url ?? '/'
  const known = urlMemo.get(url)
  if (known) return known
  const { pathname, key } = normalisedUrl(req)
  const normalised = { pathname, key, scope: scopeOf(pathname, key) }
  if (cacheablePath(normalised.pathname)) {
    if (urlMemo.size >= URL_MEMO_MAX) urlMemo.clear()
    urlMemo.set(url, normalised)
  }
  return normalised
}

/**
 * Answers catalog reads from the cache before Express, Next or Payload do any work. Misses go
 * through the whole server once per key (concurrent requests for the same key wait for that one,
 * on this instance and across instances), and a successful answer is kept for everyone after.
 */
export function catalogCacheLayer(options: CacheLayerOptions): RequestListener {
  const { store, secret, app, requestLog, logsSuccess, requestId, cors } = options
  const filling = new Map<string, Promise<CachedResponse | undefined>>()

  // An overlaid answer as it must be served now: as stored while no product it shows has changed
  // stock since (one comparison per hit while the overlay is unchanged), else with the current
  // stock spliced in, kept until the overlay changes again.
  const overlaid = new WeakMap<CachedResponse, { generation: number; entry: CachedResponse }>()
  const current = (entry: CachedResponse): CachedResponse => {
    const template = entry.stock
    if (!template || template.slots.length === 0) return entry
    const { generation } = store.stock
    const known = overlaid.get(entry)
    if (known?.generation === generation) return known.entry
    const values = store.stock.current(template.slots)
    const served = values
      ? { status: entry.status, headers: withoutEtag(entry.headers), body: splice(template.parts, values) }
      : entry
    overlaid.set(entry, { generation, entry: served })
    return served
  }

  /** `id` when nothing else set headers on `res`: Node then writes the array as it is. */
  const writeHit = (req: IncomingMessage, res: ServerResponse, stored: CachedResponse, id?: string): void => {
    const entry = current(stored)
    const raw = rawHeadersOf(entry)
    res.writeHead(entry.status, id === undefined ? raw : [...raw, 'X-Request-Id', id])
    res.end(req.method === 'HEAD' ? undefined : entry.body)
  }

  const serveHit = (req: IncomingMessage, res: ServerResponse, entry: CachedResponse): void => {
    if (!logsSuccess && req.headers.origin === undefined) return writeHit(req, res, entry, requestId(req))
    if (logsSuccess) requestLog(req, res, () => undefined)
    else res.setHeader('X-Request-Id', requestId(req))
    cors(req, res, () => writeHit(req, res, entry))
  }

  const passThrough = (req: IncomingMessage, res: ServerResponse, state: 'MISS' | 'BYPASS'): void => {
    res.setHeader('X-Cache', state)
    app(req, res)
  }

  /** This request fills the entry: it goes through the server, and its answer is stored. */
  const fill = async (
    req: IncomingMessage,
    res: ServerResponse,
    key: StoreKey,
  ): Promise<CachedResponse | undefined> => {
    const shared = await store.getShared(key)
    if (shared) {
      serveHit(req, res, shared)
      return shared
    }
    const claimed = await store.claimFill(key)
    if (!claimed) {
      // Another instance is filling it: wait a little for its answer before doing the work too.
      for (let waited = 0; waited < WAIT_FOR_OTHER_INSTANCE_MS; waited += 25) {
        await sleep(25)
        const filled = await store.getShared(key)
        if (filled) {
          serveHit(req, res, filled)
          return filled
        }
      }
    }
    const body = recordBody(res)
    const finished = new Promise<void>((resolve) => {
      res.once('finish', resolve)
      res.once('close', resolve)
    })
    passThrough(req, res, 'MISS')
    await finished
    const bytes = body()
    const entry: CachedResponse | undefined =
      res.statusCode === 200 && bytes && res.writableFinished
        ? { status: 200, headers: storableHeaders(res), body: bytes }
        : undefined
    // Stored before the fill lock is released: another instance waiting on the lock then finds it.
    const kept = entry && (await store.set(key, entry))
    if (claimed) await store.releaseFill(key)
    return kept
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return app(req, res)
    const { pathname, key, scope } = memoisedUrl(req)
    if (!cacheablePath(pathname)) return app(req, res)
    const judged = audienceOf(req, secret)
    const audience = typeof judged === 'string' ? judged : await judged
    if (audience === 'admin') return passThrough(req, res, 'BYPASS')
    if (!store.enabled) return passThrough(req, res, 'MISS')

    // HEAD is answered from GET's entry, but never fills one: its answer carries no body to keep.
    const stored = store.versioned(`${audience}:${key}`, scope)
    const local = store.getLocal(stored)
    if (local) return serveHit(req, res, local)
    if (req.method === 'HEAD') {
      const shared = await store.getShared(stored)
      return shared ? serveHit(req, res, shared) : passThrough(req, res, 'MISS')
    }

    const pending = filling.get(stored.full)
    if (pending) {
      const entry = await pending
      return entry ? serveHit(req, res, entry) : passThrough(req, res, 'MISS')
    }
    const work = fill(req, res, stored).finally(() => filling.delete(stored.full))
    filling.set(stored.full, work)
    await work
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The cache must never be why a read fails: answer without it.
      if (!res.headersSent) app(req, res)
      else res.destroy(error instanceof Error ? error : undefined)
    })
  }
}
