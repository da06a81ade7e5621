import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { lexicalEditor } from '@payloadcms/richtext-lexical'
import { buildConfig } from 'payload'
import sharp from 'sharp'

import { Addresses } from './collections/Addresses'
import { Brands } from './collections/Brands'
import { Carts } from './collections/Carts'
import { Categories } from './collections/Categories'
import { Coupons } from './collections/Coupons'
import { Media } from './collections/Media'
import { OrderEmails } from './collections/OrderEmails'
import { Orders } from './collections/Orders'
import { Products } from './collections/Products'
import { ShippingMethods } from './collections/ShippingMethods'
import { TaxRates } from './collections/TaxRates'
import { CouponUsages, Counters, IdempotencyKeys, StripeEvents } from './collections/system'
import { Users } from './collections/Users'
import { Variants } from './collections/Variants'
import { registrationMutations } from './collections/Users/registration'
import { checkoutEndpoint } from './endpoints/checkout'
import { health } from './endpoints/health'
import { docsEndpoints, openApiEndpoint } from './endpoints/openapi'
import { stripeWebhookEndpoint } from './endpoints/stripeWebhook'
import { ready } from './endpoints/ready'
import { broadcastEndpoint } from './endpoints/broadcast'
import { dashboardEndpoint } from './endpoints/dashboard'
import { databaseUnavailableIs503 } from './hooks/databaseUnavailable'
import { guardEveryCollection } from './hooks/everyCollection'
import { invalidateCatalogOnWrite } from './hooks/invalidateCatalog'
import { malformedBodyIs400 } from './hooks/malformedBody'
import { restrictPayloadCollections } from './src/access'
import { hideAuthInternals } from './src/access/authInternals'
import { keepStoredRelations } from './src/access/storedRelations'
import { env } from './src/config/env'
import { accessQuery } from './src/graphql/accessQuery'
import { GRAPHQL_MAX_COMPLEXITY, graphqlValidationRules } from './src/graphql/limits'
import { databaseAdapter } from './src/db/adapter'
import { wrapTransactions } from './src/db/afterCommit'
import { emailAdapter } from './src/email/adapter'
import { trustedOrigins } from './src/http/security'
import { logger } from './src/logger'

const dirname = path.dirname(fileURLToPath(import.meta.url))
// Refusals of what a client sent or may do: the request log records them (4xx); they are not
// server errors, so no error-level line with a stack. (Payload already lists Forbidden, NotFound,
// ValidationError, Locked, MissingFile.)
const clientErrorLevels: Record<string, 'info'> = {
  StoreError: 'info',
  UnverifiedEmail: 'info',
  AuthenticationError: 'info',
  LockedAuth: 'info',
  UnauthorizedError: 'info',
  QueryError: 'info',
  ClientRefusal: 'info',
}
const config = env()

export default buildConfig({
  serverURL: config.SERVER_URL,
  secret: config.PAYLOAD_SECRET,
  admin: {
    user: Users.slug,
    importMap: { baseDir: dirname },
    meta: { titleSuffix: ' · Store admin' },
    // The built-in icon: Gravatar would leak operators' email hashes and break the CSP.
    avatar: 'default',
    // The admin home is the store's dashboard (src/admin/dashboard), live from the admins' room.
    components: { views: { dashboard: { Component: '/src/admin/dashboard/DashboardView#DashboardView' } } },
  },
  collections: [
    Products,
    Variants,
    Categories,
    Brands,
    Media,
    Orders,
    OrderEmails,
    Carts,
    Coupons,
    ShippingMethods,
    TaxRates,
    Users,
    Addresses,
    Counters,
    CouponUsages,
    IdempotencyKeys,
    StripeEvents,
  ],
  endpoints: [
    health,
    ready,
    checkoutEndpoint,
    stripeWebhookEndpoint,
    broadcastEndpoint,
    openApiEndpoint,
    ...docsEndpoints,
    dashboardEndpoint,
  ],
  plugins: [guardEveryCollection, invalidateCatalogOnWrite],
  hooks: { afterError: [databaseUnavailableIs503, malformedBodyIs400] },
  // Work queued with afterCommit (real-time events, cache invalidation) runs when a commit lands.
  onInit: wrapTransactions,
  db: databaseAdapter(config.DATABASE_URI),
  editor: lexicalEditor(),
  email: emailAdapter(config),
  sharp,
  logger,
  // Cookie-authenticated requests are honoured only from these origins (CSRF).
  csrf: trustedOrigins(config),
  upload: {
    limits: { fileSize: config.MAX_UPLOAD_BYTES },
  },
  graphQL: {
    disablePlaygroundInProduction: true,
    maxComplexity: GRAPHQL_MAX_COMPLEXITY,
    queries: accessQuery,
    validationRules: graphqlValidationRules,
    mutations: registrationMutations,
  },
  telemetry: false,
  // Client errors the store raises on purpose (409 out of stock, …) are not server errors:
  // the request log already records them.
  loggingLevels: { ...clientErrorLevels },
  typescript: {
    outputFile: path.join(dirname, 'payload-types.ts'),
  },
})
  .then(restrictPayloadCollections)
  .then(hideAuthInternals)
  .then(keepStoredRelations)
