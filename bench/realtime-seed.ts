import { writeFile } from 'node:fs/promises'

import { loadConfigOrExit } from '../src/config/env'

// Seeding step of bench/realtime.ts, in its own process against the benchmark's database (already
// migrated by a running instance): BENCH_SEED_COUNT verified customers and a Payload token for
// each. Writes [{id, token}] as JSON to BENCH_SEED_OUT.
//
// Payload 3.90 hashes passwords with PBKDF2-SHA256 at 600,000 iterations: about 0.3 s of CPU per
// hash here, so a thousand payload.create + payload.login calls would take many minutes of the
// two cores. Instead:
// - users: the first is created with payload.create; the rest (same password) are inserted with
//   its hash and salt;
// - tokens: the first BENCH_SEED_LOGINS customers (or all, with "all") log in with payload.login;
//   the rest get their token from the steps payload.login takes after the password check —
//   addSessionToUser (a session row, as login writes it), getFieldsToSign and jwtSign, all
//   Payload's own — so the server verifies every token the same way, session included.

loadConfigOrExit()

const { createLocalReq, getFieldsToSign, getPayload, jwtSign } = await import('payload')
const { addSessionToUser } = await import('payload/shared')
const { default: config } = await import('../payload.config')

const count = Number(process.env.BENCH_SEED_COUNT)
const out = process.env.BENCH_SEED_OUT ?? ''
const password = process.env.BENCH_SEED_PASSWORD ?? ''
const prefix = process.env.BENCH_SEED_PREFIX ?? 'bench-rt'
const concurrency = Number(process.env.BENCH_SEED_CONCURRENCY ?? 8)
const logins = process.env.BENCH_SEED_LOGINS === 'all' ? count : Number(process.env.BENCH_SEED_LOGINS ?? 0)
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(logins) || !out || !password)
  throw new Error('bad seed arguments')

const payload = await getPayload({ config })
const email = (i: number) => `${prefix}-${i}@example.test`

const template = await payload.create({
  collection: 'users',
  data: { email: email(0), password, roles: ['customer'], _verified: true },
  disableVerificationEmail: true,
})
const secrets = (await payload.findByID({
  collection: 'users',
  id: template.id,
  showHiddenFields: true,
  depth: 0,
})) as unknown as { hash: string; salt: string }
const ids: (number | string)[] = [template.id]
for (let i = 1; i < count; i++) {
  const row = await payload.db.create({
    collection: 'users',
    data: {
      email: email(i),
      hash: secrets.hash,
      salt: secrets.salt,
      roles: ['customer'],
      _verified: true,
      loginAttempts: 0,
    },
  })
  ids.push(row.id as number | string)
}

const collectionConfig = payload.collections.users.config
const req = await createLocalReq({}, payload)

/** What payload.login does once the password is right: a session, then the signed token. */
async function issueToken(id: number | string): Promise<string> {
  const user = await payload.db.findOne({ collection: 'users', req, where: { id: { equals: id } } })
  if (!user) throw new Error(`no user ${id}`)
  const typed = user as Parameters<typeof addSessionToUser>[0]['user']
  const { sid } = await addSessionToUser({ collectionConfig, payload, req, user: typed })
  const fieldsToSign = getFieldsToSign({ collectionConfig, email: String(typed.email), sid, user: typed })
  const { token } = await jwtSign({
    fieldsToSign,
    secret: payload.secret,
    tokenExpiration: collectionConfig.auth.tokenExpiration,
  })
  return token
}

const tokens: string[] = new Array(count)
const loginStarted = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: Math.min(concurrency, logins) }, async () => {
    while (next < logins) {
      const i = next++
      const result = await payload.login({ collection: 'users', data: { email: email(i), password } })
      if (!result.token) throw new Error(`no token for ${email(i)}`)
      tokens[i] = result.token
    }
  }),
)
const loginSeconds = (performance.now() - loginStarted) / 1000
next = logins
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++
      tokens[i] = await issueToken(ids[i] as number | string)
    }
  }),
)
process.stdout.write(
  `  seed: ${logins} payload.login in ${loginSeconds.toFixed(1)} s` +
    `${logins ? ` (${((loginSeconds * 1000) / logins).toFixed(0)} ms each at ${Math.min(concurrency, logins)} in flight)` : ''}, ` +
    `${count - logins} tokens from Payload's session + jwtSign\n`,
)
await writeFile(out, JSON.stringify(ids.map((id, i) => ({ id, token: tokens[i] }))))
await payload.destroy()
process.exit(0)
