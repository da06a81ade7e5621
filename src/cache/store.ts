import type { Redis } from 'ioredis'

import { logger } from '../logger'
import { StockOverlay } from './stockOverlay'
import type { StockChange } from './stockOverlay'
import { stockTemplate } from './stockTemplate'
import type { StockTemplate } from './stockTemplate'

export type CachedResponse = {
  status: number
  headers: Record<string, string>
  body: Buffer
  /** Overlaid product answers: where the body shows stock (never stored in Redis, derived from the body). */
  stock?: StockTemplate
}

const PREFIX = 'store:catalog'
const VERSION_KEY = `${PREFIX}:version`
const CHANNEL = `${PREFIX}:invalidate`
const PRODUCTS_VERSION_KEY = `${PREFIX}:version:products`
const PRODUCTS_CHANNEL = `${PREFIX}:invalidate:products`
const STOCK_KEY = `${PREFIX}:stock`
const STOCK_CHANNEL = `${PREFIX}:stock`
const L1_MAX_ENTRIES = 5000
const RAISE_VERSION = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if current < floor then redis.call('SET', KEYS[1], ARGV[1]) return floor end
return current`
// One round trip for a stock change: the shared record of each product's latest stock (highest
// revision wins, so an instance that (re)connects later finds it), the answers that query stock
// made stale, and both announced. ARGV: the message, then id, revision, stock per product.
const ANNOUNCE_STOCK = `
for i = 2, #ARGV, 3 do
  local known = redis.call('HGET', KEYS[1], ARGV[i])
  local revision = known and tonumber(string.match(known, '^(%d+):')) or -1
  if revision < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. ':' .. ARGV[i + 2])
  end
end
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', KEYS[3], ARGV[1])
redis.call('PUBLISH', KEYS[4], tostring(version))
return version`
export const BASE_TTL_MS = 5 * 60 * 1000

/** ±10 % so entries written together do not all expire together. */
export const jitteredTtl = (base = BASE_TTL_MS): number => Math.round(base * (0.9 + Math.random() * 0.2))

/**
 * What an entry depends on. Brand and category answers never show a product: only catalog writes
 * make them stale. Product answers show stock, which every checkout and cancellation changes:
 * those whose query involves stock ('products': a filter or sort on it) are dropped by every
 * stock change; the others ('overlaid') are not, their stock is overlaid when served (see
 * StockOverlay).
 */
export type CacheScope = 'catalog' | 'products' | 'overlaid'

/** A request's key under the versions current when it was made, with the scope they belong to. */
export type StoreKey = { readonly full: string; readonly scope: CacheScope }

/**
 * Two levels: this process's memory (L1), and Redis (L2) shared by every instance. Entries live
 * under the catalog's version (product answers also under the products' version); a write bumps
 * a version in Redis and publishes it, so every instance stops serving older entries at once.
 * When Redis is configured but unreachable, the cache steps aside (every read goes to the
 * database) rather than risk a stale answer, and it comes back by itself, resynchronised, when
 * Redis does.
 */
export class CatalogStore {
  private l1: Record<CacheScope, Map<string, { value: CachedResponse; expires: number }>> = {
    catalog: new Map(),
    products: new Map(),
    overlaid: new Map(),
  }
  /** Each product's latest stock known here, from this instance's writes and the others'. */
  readonly stock = new StockOverlay()
  private version = 0
  private productsVersion = 0
  private synced: boolean
  private missedInvalidation = false

  constructor(
    private readonly redis: Redis | undefined,
    private readonly subscriber: Redis | undefined,
  ) {
    this.synced = !redis
  }

  /** True when answers may come from the cache. */
  get enabled(): boolean {
    if (!this.redis) return true
    return this.synced && this.redis.status === 'ready' && this.subscriber?.status === 'ready'
  }

  async start(): Promise<void> {
    if (!this.redis || !this.subscriber) return
    const subscriber = this.subscriber
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === STOCK_CHANNEL) return this.stock.applyMessage(message)
      const version = Number(message)
      if (!Number.isFinite(version)) return
      if (channel === CHANNEL) {
        this.version = Math.max(this.version, version)
        this.clearLocal('catalog')
      } else if (channel === PRODUCTS_CHANNEL) {
        this.productsVersion = Math.max(this.productsVersion, version)
        this.clearLocal('products')
      }
    })
    // Invalidations may have been missed while disconnected: resynchronise on every (re)connect.
    subscriber.on('ready', () => void this.resync())
    subscriber.on('close', () => {
      this.synced = false
    })
    this.redis.on('close', () => {
      this.synced = false
    })
    this.redis.on('ready', () => void this.resync())
    if (subscriber.status === 'ready') await this.resync()
  }

  private async resync(): Promise<void> {
    if (!this.redis || !this.subscriber) return
    try {
      await this.subscriber.subscribe(CHANNEL, PRODUCTS_CHANNEL, STOCK_CHANNEL)
      // Subscribed first: a change announced from now on arrives as a message, one announced
      // earlier (maybe while this instance was away) is in the shared record.
      this.stock.applyRecord(await this.redis.hgetall(STOCK_KEY))
      // The shared counters never go backwards, even after Redis lost them (a restart without
      // persistence): otherwise instances that remember a higher version would ignore every
      // later invalidation.
      const stored = await this.redis.eval(RAISE_VERSION, 1, VERSION_KEY, String(this.version))
      this.version = Math.max(this.version, Number(stored))
      const products = await this.redis.eval(
        RAISE_VERSION,
        1,
        PRODUCTS_VERSION_KEY,
        String(this.productsVersion),
      )
      this.productsVersion = Math.max(this.productsVersion, Number(products))
      this.clearLocal('catalog')
      this.synced = true
      if (this.missedInvalidation) {
        this.missedInvalidation = false
        await this.invalidate()
      }
    } catch (error) {
      this.synced = false
      logger.debug({ err: error }, 'catalog cache not synchronised yet')
    }
  }

  private prefix(scope: CacheScope): string {
    if (scope === 'products') return `${PREFIX}:${this.version}.${this.productsVersion}:`
    return scope === 'overlaid' ? `${PREFIX}:${this.version}:overlaid:` : `${PREFIX}:${this.version}:`
  }

  /** The current versions' key for a request key: fills must store under the versions they read at. */
  versioned(key: string, scope: CacheScope): StoreKey {
    return { full: this.prefix(scope) + key, scope }
  }

  getLocal({ full, scope }: StoreKey): CachedResponse | undefined {
    const local = this.l1[scope]
    const entry = local.get(full)
    if (!entry) return undefined
    if (entry.expires < Date.now()) {
      local.delete(full)
      return undefined
    }
    return entry.value
  }

  private setLocal({ full, scope }: StoreKey, value: CachedResponse, ttl: number): void {
    const local = this.l1[scope]
    if (local.size >= L1_MAX_ENTRIES) {
      const oldest = local.keys().next().value
      if (oldest !== undefined) local.delete(oldest)
    }
    local.set(full, { value, expires: Date.now() + ttl })
  }

  /** 'catalog' empties all: every key holds the catalog's version. */
  private clearLocal(scope: CacheScope): void {
    this.l1.products.clear()
    if (scope === 'products') return
    this.l1.overlaid.clear()
    this.l1.catalog.clear()
  }

  async getShared(key: StoreKey): Promise<CachedResponse | undefined> {
    if (!this.redis) return undefined
    try {
      const raw = await this.redis.getBuffer(key.full)
      if (!raw) return undefined
      const value = withTemplate(key, decode(raw))
      if (value) this.setLocal(key, value, jitteredTtl())
      return value
    } catch {
      return undefined
    }
  }

  /** Keeps `answer`: what is kept (to serve like a hit), or undefined when it cannot be. */
  async set(key: StoreKey, answer: CachedResponse): Promise<CachedResponse | undefined> {
    // A write that bumped a version meanwhile makes this entry unreachable; do not keep it.
    if (!key.full.startsWith(this.prefix(key.scope))) return undefined
    const value = withTemplate(key, answer)
    if (!value) return undefined
    const ttl = jitteredTtl()
    this.setLocal(key, value, ttl)
    if (!this.redis) return value
    try {
      await this.redis.set(key.full, encode(value), 'PX', ttl)
    } catch {
      // Redis away: the entry stays local until the next invalidation or its TTL.
    }
    return value
  }

  /** Cross-instance single flight: true for the one instance that should fill `key`. */
  async claimFill(key: StoreKey, ms = 5000): Promise<boolean> {
    if (!this.redis) return true
    try {
      return (await this.redis.set(`${key.full}:fill`, '1', 'PX', ms, 'NX')) === 'OK'
    } catch {
      return true
    }
  }

  async releaseFill(key: StoreKey): Promise<void> {
    await this.redis?.del(`${key.full}:fill`).catch(() => undefined)
  }

  /**
   * The cached answers of `scope` are stale from now on, on every instance: 'catalog' is every
   * answer, 'products' the product answers only (a change of stock and nothing else).
   */
  async invalidate(scope: Exclude<CacheScope, 'overlaid'> = 'catalog'): Promise<void> {
    this.clearLocal(scope)
    if (!this.redis) {
      this.bumpLocally(scope)
      return
    }
    try {
      const [key, channel] =
        scope === 'products' ? [PRODUCTS_VERSION_KEY, PRODUCTS_CHANNEL] : [VERSION_KEY, CHANNEL]
      const version = await this.redis.incr(key)
      if (scope === 'products') this.productsVersion = Math.max(this.productsVersion, version)
      else this.version = Math.max(this.version, version)
      await this.redis.publish(channel, String(version))
    } catch (error) {
      this.missedAnnouncement(error, scope)
    }
  }

  /**
   * These products' stock changed (and nothing else, `changes` being what the guarded writes
   * returned): this instance shows it at once, the others once told; answers whose query
   * involves stock are stale, on every instance.
   */
  async announceStock(rows: readonly StockChange[]): Promise<void> {
    const changes = rows.map(({ id, stock, stockRevision }) => ({ id, stock, stockRevision }))
    this.stock.apply(changes)
    this.clearLocal('products')
    if (!this.redis) {
      this.bumpLocally('products')
      return
    }
    try {
      const version = await this.redis.eval(
        ANNOUNCE_STOCK,
        4,
        STOCK_KEY,
        PRODUCTS_VERSION_KEY,
        STOCK_CHANNEL,
        PRODUCTS_CHANNEL,
        JSON.stringify(changes),
        ...changes.flatMap(({ id, stockRevision, stock }) => [
          String(id),
          String(stockRevision),
          String(stock),
        ]),
      )
      this.productsVersion = Math.max(this.productsVersion, Number(version))
    } catch (error) {
      this.missedAnnouncement(error, 'products')
    }
  }

  private missedAnnouncement(error: unknown, scope: CacheScope): void {
    // Other instances cannot be told now: they are told as soon as Redis answers again (see
    // resync, which then invalidates everything). Until then this instance serves nothing from
    // its cache.
    this.bumpLocally(scope)
    this.synced = false
    this.missedInvalidation = true
    logger.warn({ err: error }, 'catalog invalidation could not reach Redis')
  }

  private bumpLocally(scope: CacheScope): void {
    if (scope === 'products') this.productsVersion++
    else this.version++
  }
}

/** An overlaid answer with its template; undefined when its stock cannot be overlaid. */
function withTemplate(key: StoreKey, value: CachedResponse): CachedResponse | undefined {
  if (key.scope !== 'overlaid') return value
  const stock = stockTemplate(value.body)
  if (stock) return { ...value, stock }
  logger.warn({ key: key.full }, 'catalog cache: a product answer whose stock cannot be overlaid is not kept')
  return undefined
}

// Stored as one buffer: a JSON head line, then the body bytes untouched.
function encode(value: CachedResponse): Buffer {
  const head = Buffer.from(JSON.stringify({ status: value.status, headers: value.headers }) + '\n')
  return Buffer.concat([head, value.body])
}

function decode(raw: Buffer): CachedResponse {
  const newline = raw.indexOf(10)
  const head = JSON.parse(raw.subarray(0, newline).toString()) as Omit<CachedResponse, 'body'>
  return { ...head, body: raw.subarray(newline + 1) }
}
