import type { Payload } from 'payload'

export type SeedResult = { admin: 'created' | 'updated' | 'unchanged' | 'skipped'; email?: string }

async function passwordMatches(payload: Payload, email: string, password: string): Promise<boolean> {
  try {
    await payload.login({ collection: 'users', data: { email, password } })
    return true
  } catch {
    return false
  }
}

/**
 * The operator account from ADMIN_EMAIL / ADMIN_PASSWORD: created when missing, made an admin and
 * given that password when present. A second run with the same values changes nothing.
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
  if (user.roles.includes('admin') && user._verified && (await passwordMatches(payload, email, password))) {
    return { admin: 'unchanged', email }
  }
  const roles = user.roles.includes('admin') ? user.roles : [...user.roles, 'admin' as const]
  await payload.update({ collection: 'users', id: user.id, data: { password, roles, _verified: true } })
  return { admin: 'updated', email }
}
