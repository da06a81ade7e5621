import type { Payload } from 'payload'

export type SeedResult = { admin: 'created' | 'updated' | 'skipped'; email?: string }

/**
 * The operator account from ADMIN_EMAIL / ADMIN_PASSWORD: created when missing, made an admin and
 * given that password when present. Running it twice changes nothing the second time.
 */
export async function seedAdmin(payload: Payload, email?: string, password?: string): Promise<SeedResult> {
  if (!email || !password) return { admin: 'skipped' }
  const existing = await payload.find({
    collection: 'users',
    where: { email: { equals: email.toLowerCase() } },
    limit: 1,
    depth: 0,
  })
  const user = existing.docs[0]
  if (!user) {
    await payload.create({
      collection: 'users',
      data: { email, password, roles: ['admin'], _verified: true },
      disableVerificationEmail: true,
    })
    return { admin: 'created', email }
  }
  const roles = user.roles.includes('admin') ? user.roles : [...user.roles, 'admin' as const]
  await payload.update({ collection: 'users', id: user.id, data: { password, roles, _verified: true } })
  return { admin: 'updated', email }
}
