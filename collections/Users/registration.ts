import crypto from 'node:crypto'

import { isolateObjectProperty } from 'payload'
import type { CollectionAfterErrorHook, Config, PayloadRequest } from 'payload'

import { isAdmin } from '../../src/access'
import { registrationAttemptNotice } from './emails'
import { spendPasswordCheck } from './password'
import { normalizeEmail } from './hooks/requireCurrentPassword'

// Registering an address that already has an account must not say so (that enumerates
// accounts). Payload refuses it with a ValidationError only once every other field has passed
// validation, so that error alone means "valid registration, address taken": the registrant gets
// the answer a new registration gets (201, the same shape, the same work: a password hash and an
// email), and the owner of the address is mailed instead. Admins get Payload's answer.

type Registration = { email?: unknown; password?: unknown; name?: unknown }

function isTakenEmail(error: unknown, req: PayloadRequest): boolean {
  if (!(error instanceof Error) || error.name !== 'ValidationError') return false
  const errors: unknown = (error as { data?: { errors?: unknown } }).data?.errors
  return (
    Array.isArray(errors) &&
    errors.length === 1 &&
    (errors[0] as { path?: unknown }).path === 'email' &&
    (errors[0] as { message?: unknown }).message === req.t('error:userEmailAlreadyRegistered')
  )
}

// The id is not an account's: the one the next account would get (or a fresh ObjectId-like
// text on MongoDB). Nothing can be done with it: reading an account needs a login.
async function unusedId(req: PayloadRequest): Promise<number | string> {
  const { docs } = await req.payload.find({
    collection: 'users',
    sort: '-id',
    limit: 1,
    depth: 0,
    pagination: false,
    select: {},
  })
  const last = docs[0]?.id
  return typeof last === 'number' ? last + 1 : crypto.randomBytes(12).toString('hex')
}

/** The work and the document of a new registration, for one whose address is taken. */
async function answerForTakenEmail(
  req: PayloadRequest,
  data: Registration,
): Promise<Record<string, unknown>> {
  const email = typeof data.email === 'string' ? normalizeEmail(data.email) : ''
  await spendPasswordCheck(typeof data.password === 'string' ? data.password : '')
  await req.payload.sendEmail({
    to: email,
    subject: registrationAttemptNotice.generateEmailSubject(),
    html: registrationAttemptNotice.generateEmailHTML(),
  })
  const now = new Date().toISOString()
  return {
    id: await unusedId(req),
    name: typeof data.name === 'string' ? data.name : null,
    roles: ['customer'],
    avatar: null,
    defaultAddress: null,
    updatedAt: now,
    createdAt: now,
    email,
    collection: 'users',
  }
}

const isPublicRegistration = (req: PayloadRequest): boolean =>
  !isAdmin(req) && req.method === 'POST' && new URL(req.url ?? '', 'http://x').pathname === '/api/users'

/** REST `POST /api/users`. */
export const answerTakenEmailAsCreated: CollectionAfterErrorHook = async ({ collection, error, req }) => {
  if (!isPublicRegistration(req) || !isTakenEmail(error, req)) return
  const label = typeof collection.labels.singular === 'string' ? collection.labels.singular : 'User'
  const data = (req.data ?? {}) as Registration
  return {
    response: {
      doc: await answerForTakenEmail(req, data),
      message: req.t('general:successfullyCreated', { label }),
    },
    status: 201,
  }
}

type Mutations = NonNullable<NonNullable<Config['graphQL']>['mutations']>
type Resolver = (
  source: unknown,
  args: { data?: Registration },
  context: { req: PayloadRequest },
  info: unknown,
) => unknown

/** GraphQL `createUser`: the same, through a wrapper of Payload's own resolver. */
export const registrationMutations: Mutations = (_graphQL, { Mutation }) => {
  const fields = Mutation.fields as Record<string, { resolve: Resolver }>
  const createUser = fields.createUser
  if (!createUser) return {}
  return {
    createUser: {
      ...createUser,
      resolve: async (
        source: unknown,
        args: { data?: Registration },
        context: { req: PayloadRequest },
        info: unknown,
      ) => {
        try {
          return await createUser.resolve(source, args, context, info)
        } catch (error) {
          const req = context.req
          if (isAdmin(req) || !isTakenEmail(error, req)) throw error
          return answerForTakenEmail(isolateObjectProperty(req, 'transactionID'), args.data ?? {})
        }
      },
    },
  }
}
