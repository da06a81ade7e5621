import { existsSync } from 'node:fs'

import { z } from 'zod'

// Every setting of the store, parsed once at start-up: a wrong value stops the
// process with the variable named instead of failing later in a request.

const DEV_SECRET = 'dev-only-secret-change-me-0123456789'

const emptyAsUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value

const optionalString = z.preprocess(emptyAsUndefined, z.string().optional())
const optionalUrl = z.preprocess(emptyAsUndefined, z.url().optional())
const int = (fallback: number, min = 0) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).default(fallback))
const bool = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => ['true', '1', 'yes'].includes(value)),
  )

/** `true`/`false` or a hop count, as a hop count. */
const proxyHops = (value: unknown): unknown => {
  const text = emptyAsUndefined(value)
  if (typeof text !== 'string') return text
  const word = text.trim().toLowerCase()
  if (word === 'true' || word === 'yes') return 1
  if (word === 'false' || word === 'no') return 0
  return word
}

const databaseUri = z.string().refine((uri) => /^(mongodb(\+srv)?:\/\/|postgres(ql)?:\/\/|file:)/.test(uri), {
  message: 'must start with mongodb://, postgres:// or file:',
})

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(3000, 0).pipe(z.number().max(65535)),
    HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
    DATABASE_URI: z.preprocess(emptyAsUndefined, databaseUri.default('file:./data/store.db')),
    PAYLOAD_SECRET: optionalString,
    REDIS_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
        .optional(),
    ),
    SERVER_URL: optionalUrl,
    STOREFRONT_URL: optionalUrl,
    SMTP_HOST: optionalString,
    SMTP_PORT: int(587, 1).pipe(z.number().max(65535)),
    SMTP_USER: optionalString,
    SMTP_PASS: optionalString,
    SMTP_SECURE: bool(false),
    EMAIL_FROM: z.preprocess(emptyAsUndefined, z.string().default('Store <no-reply@localhost>')),
    // Order emails (src/email/outbox): the first retry after this, each next one twice as late
    // (at most an hour); after EMAIL_MAX_ATTEMPTS sends that failed the email is `failed`.
    EMAIL_RETRY_BASE_MS: int(30_000, 100),
    EMAIL_MAX_ATTEMPTS: int(10, 1),
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    STRIPE_API_URL: optionalUrl,
    STRIPE_SWEEP_INTERVAL_S: int(300, 1),
    STRIPE_SWEEP_AFTER_S: int(900, 1),
    // Stripe accepts Checkout Session lifetimes of 30 minutes to 24 hours.
    STRIPE_SESSION_TTL_S: int(1800, 1800).pipe(z.number().max(86_400)),
    SHIPPING_FLAT_FEE: int(0),
    TAX_MODE: z.preprocess(emptyAsUndefined, z.enum(['exclusive', 'inclusive']).default('exclusive')),
    MAX_UPLOAD_BYTES: int(5_242_880, 1),
    MEDIA_DIR: z.preprocess(emptyAsUndefined, z.string().default('media')),
    CURRENCY: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 code such as usd')
        .default('usd'),
    ),
    CORS_ORIGINS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .transform((value) =>
          (value ?? '')
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.url())),
    ),
    LOW_STOCK_THRESHOLD: int(5),
    RATE_LIMIT_WINDOW_S: int(60, 1),
    RATE_LIMIT_AUTH_MAX: int(10, 1),
    RATE_LIMIT_CHECKOUT_MAX: int(30, 1),
    // A guest cart unchanged this long is removed (30 days), checked every interval.
    GUEST_CART_TTL_S: int(2_592_000, 1),
    GUEST_CART_SWEEP_INTERVAL_S: int(3600, 1),
    RATE_LIMIT_COUPON_MAX: int(10, 1),
    RATE_LIMIT_GRAPHQL_MAX: int(300, 1),
    ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.email().optional()),
    ADMIN_PASSWORD: optionalString,
    LOG_LEVEL: z.preprocess(
      emptyAsUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    // Proxies in front whose X-Forwarded-For entries are believed: `true` is the one reverse
    // proxy in front. Trusting every hop would let a client pick its own address (and so dodge
    // the per-IP rate limits) by sending the header itself.
    TRUST_PROXY: z.preprocess(proxyHops, z.coerce.number().int().min(0).max(32).default(0)),
    SERVE_ADMIN: bool(true),
    CATALOG_CACHE: bool(true),
  })
  .superRefine((env, ctx) => {
    const building = process.env.NEXT_PHASE === 'phase-production-build'
    if (env.NODE_ENV === 'production' && !building) {
      if (!env.PAYLOAD_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['PAYLOAD_SECRET'],
          message: 'is required when NODE_ENV=production',
        })
      } else if (env.PAYLOAD_SECRET.length < 32 || env.PAYLOAD_SECRET === DEV_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['PAYLOAD_SECRET'],
          message: 'must be at least 32 random characters in production',
        })
      }
    }
    if (env.SMTP_HOST && Boolean(env.SMTP_USER) !== Boolean(env.SMTP_PASS)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.SMTP_USER ? 'SMTP_PASS' : 'SMTP_USER'],
        message: 'SMTP_USER and SMTP_PASS go together',
      })
    }
  })

type Parsed = z.infer<typeof schema>

export type Env = Omit<Parsed, 'PAYLOAD_SECRET' | 'SERVER_URL' | 'STOREFRONT_URL'> & {
  PAYLOAD_SECRET: string
  SERVER_URL: string
  STOREFRONT_URL: string
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source)
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`),
    )
  }
  const parsed = result.data
  const serverUrl = (parsed.SERVER_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, '')
  return {
    ...parsed,
    PAYLOAD_SECRET: parsed.PAYLOAD_SECRET ?? DEV_SECRET,
    SERVER_URL: serverUrl,
    STOREFRONT_URL: (parsed.STOREFRONT_URL ?? serverUrl).replace(/\/$/, ''),
  }
}

/** Reads `.env` from the working directory when present; variables already set win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file)
}

/**
 * For entry points (server, seed): `.env`, then the whole configuration checked before anything
 * else loads, so a bad value stops the process with the variable named rather than a stack trace.
 */
export function loadConfigOrExit(): void {
  loadDotEnv()
  try {
    parseEnv()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
}

let cached: Env | undefined

/** The process's configuration; parsed on first use. */
export function env(): Env {
  cached ??= parseEnv()
  return cached
}
