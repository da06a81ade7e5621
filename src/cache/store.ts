import type { Redis } from 'ioredis'

import { logger } from '../logger'

export type CachedResponse = { status: number; headers: Record<string, string>; body: Buffer }

const PREFIX = 'store:catalog'
const VERSION_KEY = `${PREFIX}:version`
const CHANNEL = `${PREFIX}:invalidate`
const L1_MAX_ENTRIES = 5000
const RAISE_VERSION = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if current < floor then redis.call('SET', KEYS[1], ARGV[1]) return floor end
return current`
export const BASE_TTL_MS = 5 * 60 * 1000

/** ±10 % so entries written together do not all expire together. */
export const jitteredTtl = (base = BASE_TTL_MS): number => Math.round(base * (0.9 + Math.random() * 0.2))

/**
 * Two levels: this process's memory (L1), and Redis (L2) shared by every instance. Entries live
 * under the catalog's version; a write bumps the version in Redis and publishes it, so every
 * instance stops serving older entries at once. When Redis is configured but unreachable, the
 * cache steps aside (every read goes to the database) rather than risk a stale answer, and it
 * comes back by itself, resynchronised, when Redis does.
 */
export class CatalogStore {
  private l1 = new Map<string, { value: CachedResponse; expires: number }>()
  private version = 0
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
      if (channel !== CHANNEL) return
      const version = Number(message)
      if (Number.isFinite(version) && version > this.version) this.version = version
      this.l1.clear()
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
      await this.subscriber.subscribe(CHANNEL)
      // The shared counter never goes backwards, even after Redis lost it (a restart without
      // persistence): otherwise instances that remember a higher version would ignore every
      // later invalidation.
      const stored = await this.redis.eval(RAISE_VERSION, 1, VERSION_KEY, String(this.version))
      this.version = Math.max(this.version, Number(stored))
      this.l1.clear()
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

  private fullKey(key: string): string {
    return `${PREFIX}:${this.version}:${key}`
  }

  /** The current version's key for a request key: fills must store under the version they read at. */
  versioned(key: string): string {
    return this.fullKey(key)
  }

  getLocal(fullKey: string): CachedResponse | undefined {
    const entry = this.l1.get(fullKey)
    if (!entry) return undefined
    if (entry.expires < Date.now()) {
      this.l1.delete(fullKey)
      return undefined
    }
    return entry.value
  }

  private setLocal(fullKey: string, value: CachedResponse, ttl: number): void {
    if (this.l1.size >= L1_MAX_ENTRIES) {
      const oldest = this.l1.keys().next().value
      if (oldest !== undefined) this.l1.delete(oldest)
    }
    this.l1.set(fullKey, { value, expires: Date.now() + ttl })
  }

  async getShared(fullKey: string): Promise<CachedResponse | undefined> {
    if (!this.redis) return undefined
    try {
      const raw = await this.redis.getBuffer(fullKey)
      if (!raw) return undefined
      const value = decode(raw)
      this.setLocal(fullKey, value, jitteredTtl())
      return value
    } catch {
      return undefined
    }
  }

  async set(fullKey: string, value: CachedResponse): Promise<void> {
    // A write that bumped the version meanwhile makes this entry unreachable; do not keep it.
    if (!fullKey.startsWith(`${PREFIX}:${this.version}:`)) return
    const ttl = jitteredTtl()
    this.setLocal(fullKey, value, ttl)
    if (!this.redis) return
    try {
      await this.redis.set(fullKey, encode(value), 'PX', ttl)
    } catch {
      // Redis away: the entry stays local until the next invalidation or its TTL.
    }
  }

  /** Cross-instance single flight: true for the one instance that should fill `fullKey`. */
  async claimFill(fullKey: string, ms = 5000): Promise<boolean> {
    if (!this.redis) return true
    try {
      return (await this.redis.set(`${fullKey}:fill`, '1', 'PX', ms, 'NX')) === 'OK'
    } catch {
      return true
    }
  }

  async releaseFill(fullKey: string): Promise<void> {
    await this.redis?.del(`${fullKey}:fill`).catch(() => undefined)
  }

  /** Every cached catalog answer is stale from now on, on every instance. */
  async invalidate(): Promise<void> {
    this.l1.clear()
    if (!this.redis) {
      this.version++
      return
    }
    try {
      const version = await this.redis.incr(VERSION_KEY)
      this.version = Math.max(this.version, version)
      await this.redis.publish(CHANNEL, String(version))
    } catch (error) {
      // Other instances cannot be told now: they are told as soon as Redis answers again (see
      // resync). Until then this instance serves nothing from its cache.
      this.version++
      this.synced = false
      this.missedInvalidation = true
      logger.warn({ err: error }, 'catalog invalidation could not reach Redis')
    }
  }
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
