// The store's environment, built in one place for every way tests and benchmarks start it: in
// this process (inProcess.ts), as a second process of the same test store (instance.ts), as
// `npm start` runs it (production.ts) and as a benchmark's child (process.ts, startStore).

/** A variable set to undefined in a layer removes it (so a test can unset one the defaults set). */
export type EnvLayer = Record<string, string | undefined>

export const STOREFRONT = 'http://storefront.test'
export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789'
export const PRODUCTION_SECRET = 'production-test-secret-0123456789abcdef'
export const BENCH_SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * Every test and benchmark talks from 127.0.0.1 and signs in, registers and checks out far more
 * often than the production limits allow: they run without them unless they set their own.
 */
export const UNLIMITED = {
  RATE_LIMIT_AUTH_MAX: '1000000',
  RATE_LIMIT_CHECKOUT_MAX: '1000000',
  RATE_LIMIT_COUPON_MAX: '1000000',
  RATE_LIMIT_GRAPHQL_MAX: '1000000',
}

export type StoreEnvOptions = {
  /** NODE_ENV: `test` pushes the schema, `production` runs the committed migrations. */
  nodeEnv: 'test' | 'production'
  secret?: string
  databaseUri?: string
  logLevel?: string
  host?: string
  serverUrl?: string
  mediaDir?: string
  /** Empty: no Redis (in-process cache, rate limits and socket adapter). */
  redisUrl?: string
  /** false: the API only, no admin UI. */
  admin?: boolean
  storefront?: string
  /** Email to an SMTP server on 127.0.0.1:port; null: no email at all. */
  smtpPort?: number | null
}

/** The store's own variables for `options`; what an option leaves unset is left out, not cleared. */
export function storeEnv(options: StoreEnvOptions): Record<string, string> {
  const smtp =
    options.smtpPort === null
      ? { SMTP_HOST: '' }
      : options.smtpPort === undefined
        ? {}
        : {
            SMTP_HOST: '127.0.0.1',
            SMTP_PORT: String(options.smtpPort),
            SMTP_SECURE: 'false',
            EMAIL_FROM: 'Test Store <store@example.test>',
          }
  return definedOnly({
    NODE_ENV: options.nodeEnv,
    PAYLOAD_SECRET: options.secret,
    DATABASE_URI: options.databaseUri,
    LOG_LEVEL: options.logLevel,
    HOST: options.host,
    SERVER_URL: options.serverUrl,
    MEDIA_DIR: options.mediaDir,
    REDIS_URL: options.redisUrl,
    SERVE_ADMIN: options.admin === false ? 'false' : undefined,
    STOREFRONT_URL: options.storefront,
    ...smtp,
  })
}

/** `layers` laid over each other in order, for a child's environment. */
export function layerEnv(...layers: EnvLayer[]): NodeJS.ProcessEnv {
  return definedOnly(Object.assign({}, ...layers) as EnvLayer) as NodeJS.ProcessEnv
}

function definedOnly(env: EnvLayer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}
