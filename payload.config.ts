import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { lexicalEditor } from '@payloadcms/richtext-lexical'
import { buildConfig } from 'payload'
import sharp from 'sharp'

import { Brands } from './collections/Brands'
import { Categories } from './collections/Categories'
import { Media } from './collections/Media'
import { Products } from './collections/Products'
import { Users } from './collections/Users'
import { health } from './endpoints/health'
import { ready } from './endpoints/ready'
import { guardEveryCollection } from './hooks/everyCollection'
import { env } from './src/config/env'
import { databaseAdapter } from './src/db/adapter'
import { emailAdapter } from './src/email/adapter'
import { logger } from './src/logger'

const dirname = path.dirname(fileURLToPath(import.meta.url))
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
  },
  collections: [Products, Categories, Brands, Media, Users],
  endpoints: [health, ready],
  plugins: [guardEveryCollection],
  db: databaseAdapter(config.DATABASE_URI),
  editor: lexicalEditor(),
  email: emailAdapter(config),
  sharp,
  logger,
  // Cookie-authenticated requests are honoured only from these origins (CSRF).
  csrf: [...new Set([config.SERVER_URL, config.STOREFRONT_URL, ...config.CORS_ORIGINS])],
  upload: {
    limits: { fileSize: config.MAX_UPLOAD_BYTES },
  },
  graphQL: {
    disablePlaygroundInProduction: true,
  },
  telemetry: false,
  typescript: {
    outputFile: path.join(dirname, 'payload-types.ts'),
  },
})
