import crypto from 'node:crypto'

// Payload checks a password inside its login operation only (authenticateLocalStrategy, not
// exported). This is the same check, for the places that need a password proved without logging
// in: a current password on an email or password change, and the dummy work of a login for an
// unknown address. Keep it in step with payload/src/auth/strategies/local: hashes written since
// 3.90 are `pbkdf2-sha256-v1:` + 32 bytes from 600,000 iterations; older ones are bare hex, 512
// bytes from 25,000 iterations.
const CURRENT_PREFIX = 'pbkdf2-sha256-v1:'
const CURRENT = { iterations: 600_000, keyLength: 32 }
const LEGACY = { iterations: 25_000, keyLength: 512 }

type Stored = { hash?: unknown; salt?: unknown }

const pbkdf2 = (password: string, salt: string, iterations: number, keyLength: number): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    crypto.pbkdf2(password, salt, iterations, keyLength, 'sha256', (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )

/** Whether `password` is the one `stored` (an account read with its hidden fields) was set with. */
export async function passwordMatches(stored: Stored, password: string): Promise<boolean> {
  const { hash, salt } = stored
  if (typeof hash !== 'string' || typeof salt !== 'string') return false
  const current = hash.startsWith(CURRENT_PREFIX)
  const { iterations, keyLength } = current ? CURRENT : LEGACY
  const expected = Buffer.from(current ? hash.slice(CURRENT_PREFIX.length) : hash, 'hex')
  const actual = await pbkdf2(password, salt, iterations, keyLength)
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected)
}

/** The work of checking a password against a current hash, for an account that does not exist. */
export async function spendPasswordCheck(password: string): Promise<void> {
  await pbkdf2(password, 'no-such-account', CURRENT.iterations, CURRENT.keyLength)
}
