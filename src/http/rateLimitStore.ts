import { createHash } from 'node:crypto'

import { MemoryStore } from 'express-rate-limit'
import type { IncrementResponse, Options, Store } from 'express-rate-limit'
import type { Redis } from 'ioredis'
import { RedisStore } from 'rate-limit-redis'
import type { RedisReply } from 'rate-limit-redis'

import { logger } from '../logger'

/**
 * rate-limit-redis loads its Lua scripts once, in `init`, and keeps the promise: a load sent
 * while Redis is still connecting (always the case at start-up, there is no offline queue)
 * would leave it failing forever. SCRIPT LOAD answers the script's SHA1, so when Redis cannot be
 * asked the SHA1 is computed here instead; the first EVALSHA then gets NOSCRIPT and the store
 * loads the script for real, as it does after a Redis restart.
 */
async function send(connection: Redis, command: string, args: string[]): Promise<RedisReply> {
  try {
    return (await connection.call(command, ...args)) as RedisReply
  } catch (error) {
    const [sub, script] = args
    if (command.toUpperCase() === 'SCRIPT' && sub?.toUpperCase() === 'LOAD' && script !== undefined)
      return createHash('sha1').update(script).digest('hex')
    throw error
  }
}

/**
 * Hit counts in Redis, so every instance shares one budget per client. While Redis is
 * unreachable the counts move to this process's memory (each instance then limits on its own)
 * rather than failing the request: limits never turn a Redis outage into errors. One log line
 * when that starts and one when Redis is back.
 */
export class SharedStore implements Store {
  readonly prefix: string
  readonly localKeys = false
  private readonly shared: RedisStore
  private readonly local = new MemoryStore()
  private degraded = false

  constructor(
    private readonly connection: Redis,
    private readonly name: string,
  ) {
    this.prefix = `store:ratelimit:${name}:`
    this.shared = new RedisStore({
      prefix: this.prefix,
      sendCommand: (command: string, ...args: string[]) => send(connection, command, args),
    })
  }

  async init(options: Options): Promise<void> {
    this.local.init(options)
    await this.shared.init(options)
  }

  async increment(key: string): Promise<IncrementResponse> {
    if (this.connection.status === 'ready') {
      try {
        const counted = await this.shared.increment(key)
        if (this.degraded) {
          this.degraded = false
          logger.info({ limiter: this.name }, 'rate limits shared through Redis again')
        }
        return counted
      } catch (error) {
        this.degrade(error)
      }
    } else {
      this.degrade(new Error(`redis ${this.connection.status}`))
    }
    return this.local.increment(key)
  }

  private degrade(error: unknown): void {
    if (this.degraded) return
    this.degraded = true
    logger.warn(
      { err: error, limiter: this.name },
      'rate limits counted per instance while Redis is unavailable',
    )
  }

  async decrement(key: string): Promise<void> {
    await Promise.all([this.shared.decrement(key).catch(() => undefined), this.local.decrement(key)])
  }

  async resetKey(key: string): Promise<void> {
    await Promise.all([this.shared.resetKey(key).catch(() => undefined), this.local.resetKey(key)])
  }
}
