import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'

import { audienceOf } from './audience'
import { cacheablePath, normalisedUrl } from './key'
import type { CachedResponse, CatalogStore } from './store'

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

export type CacheLayerOptions = {
  store: CatalogStore
  /** Payload's signing key, to tell admins (who bypass the cache) from everyone else. */
  secret: Uint8Array
  /** The rest of the server: Express with Payload behind it. */
  app: RequestListener
  /** Run on hits too, so a hit is logged and gets CORS headers like any other answer. */
  requestLog: Middleware
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

/**
 * Answers catalog reads from the cache before Express, Next or Payload do any work. Misses go
 * through the whole server once per key (concurrent requests for the same key wait for that one,
 * on this instance and across instances), and a successful answer is kept for everyone after.
 */
export function catalogCacheLayer(options: CacheLayerOptions): RequestListener {
  const { store, secret, app, requestLog, cors } = options
  const filling = new Map<string, Promise<CachedResponse | undefined>>()

  const serveHit = (req: IncomingMessage, res: ServerResponse, entry: CachedResponse): void => {
    requestLog(req, res, () => undefined)
    cors(req, res, () => {
      for (const [name, value] of Object.entries(entry.headers)) res.setHeader(name, value)
      res.setHeader('X-Cache', 'HIT')
      res.setHeader('Vary', 'Origin, Authorization, Cookie')
      res.setHeader('Content-Length', entry.body.length)
      res.writeHead(entry.status)
      res.end(req.method === 'HEAD' ? undefined : entry.body)
    })
  }

  const passThrough = (req: IncomingMessage, res: ServerResponse, state: 'MISS' | 'BYPASS'): void => {
    res.setHeader('X-Cache', state)
    app(req, res)
  }

  /** This request fills the entry: it goes through the server, and its answer is stored. */
  const fill = async (
    req: IncomingMessage,
    res: ServerResponse,
    fullKey: string,
  ): Promise<CachedResponse | undefined> => {
    const shared = await store.getShared(fullKey)
    if (shared) {
      serveHit(req, res, shared)
      return shared
    }
    const claimed = await store.claimFill(fullKey)
    if (!claimed) {
      // Another instance is filling it: wait a little for its answer before doing the work too.
      for (let waited = 0; waited < WAIT_FOR_OTHER_INSTANCE_MS; waited += 25) {
        await sleep(25)
        const filled = await store.getShared(fullKey)
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
    if (entry) await store.set(fullKey, entry)
    if (claimed) await store.releaseFill(fullKey)
    return entry
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return app(req, res)
    const { pathname, key } = normalisedUrl(req)
    if (!cacheablePath(pathname)) return app(req, res)
    const audience = await audienceOf(req, secret)
    if (audience === 'admin') return passThrough(req, res, 'BYPASS')
    if (!store.enabled) return passThrough(req, res, 'MISS')

    const fullKey = store.versioned(`${audience}:${req.method}:${key}`)
    const local = store.getLocal(fullKey)
    if (local) return serveHit(req, res, local)

    const pending = filling.get(fullKey)
    if (pending) {
      const entry = await pending
      return entry ? serveHit(req, res, entry) : passThrough(req, res, 'MISS')
    }
    const work = fill(req, res, fullKey).finally(() => filling.delete(fullKey))
    filling.set(fullKey, work)
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
