import { env, loadConfigOrExit } from '../config/env'

// `npm run seed`: the operator account, the demo catalog, shipping methods and tax rates. Idempotent.
loadConfigOrExit()

const { getPayload } = await import('payload')
const { default: config } = await import('../../payload.config')
const { seedAdmin } = await import('./admin')
const { seedCatalog } = await import('./catalog')
const { seedShipping } = await import('./shipping')

const payload = await getPayload({ config })
const settings = env()
const result = await seedAdmin(payload, settings.ADMIN_EMAIL, settings.ADMIN_PASSWORD)
if (result.admin === 'skipped') {
  payload.logger.warn('ADMIN_EMAIL and ADMIN_PASSWORD are not set: no admin account seeded')
} else {
  payload.logger.info(`admin ${result.email} ${result.admin}`)
}
const started = Date.now()
const catalog = await seedCatalog(payload)
payload.logger.info(
  `demo catalog: ${catalog.brands} brands, ${catalog.categories} categories, ${catalog.products} products, ` +
    `${catalog.variants} variants, ` +
    `${catalog.images} images; ${catalog.created} documents created in ${Date.now() - started} ms`,
)
const shipping = await seedShipping(payload)
payload.logger.info(
  `shipping: ${shipping.methods} methods, ${shipping.rates} tax rates; ${shipping.created} documents created`,
)
await payload.destroy()
process.exit(0)
