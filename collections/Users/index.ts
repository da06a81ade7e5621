import type { CollectionConfig } from 'payload'

import { adminOnly, adminOnlyField, adminOrSelf, adminPanel, anyone, isAdmin } from '../../src/access'
import { forgotPasswordEmail, verifyEmail } from './emails'
import { answerTakenEmailAsCreated } from './registration'
import { ensureFirstUserIsAdmin } from './hooks/ensureFirstUserIsAdmin'
import { noVerificationMailForFirstRegister } from './hooks/noVerificationMailForFirstRegister'
import { rejectPrivilegedFields } from './hooks/rejectPrivilegedFields'
import { requireCurrentPassword } from './hooks/requireCurrentPassword'
import { announceEmailChange, reverifyNewEmail } from './hooks/reverifyNewEmail'
import { spendLoginWorkForUnknownAccounts } from './hooks/spendLoginWorkForUnknownAccounts'
import { requireStringCredentials } from './hooks/requireStringCredentials'
import { claimOrdersOnLogin, claimOrdersWhenVerified, verifyAndClaimOrders } from './verifyAndClaimOrders'

export const MAX_LOGIN_ATTEMPTS = 5
export const LOCK_TIME_MS = 10 * 60 * 1000

export const Users: CollectionConfig = {
  slug: 'users',
  admin: {
    useAsTitle: 'email',
    defaultColumns: ['email', 'name', 'roles', '_verified', 'createdAt'],
    group: 'Accounts',
  },
  auth: {
    verify: verifyEmail,
    forgotPassword: forgotPasswordEmail,
    maxLoginAttempts: MAX_LOGIN_ATTEMPTS,
    lockTime: LOCK_TIME_MS,
    tokenExpiration: 2 * 60 * 60,
    cookies: { sameSite: 'Lax', secure: process.env.NODE_ENV === 'production' },
  },
  endpoints: [verifyAndClaimOrders],
  access: {
    admin: adminPanel,
    create: anyone,
    read: adminOrSelf,
    update: adminOrSelf,
    delete: adminOnly,
    unlock: adminOnly,
  },
  hooks: {
    beforeOperation: [
      requireStringCredentials,
      rejectPrivilegedFields,
      spendLoginWorkForUnknownAccounts,
      noVerificationMailForFirstRegister,
    ],
    beforeChange: [requireCurrentPassword, reverifyNewEmail],
    afterChange: [announceEmailChange, claimOrdersWhenVerified],
    afterLogin: [claimOrdersOnLogin],
    afterError: [answerTakenEmailAsCreated],
  },
  fields: [
    { name: 'name', type: 'text', maxLength: 120 },
    {
      // Proof for a change of email or password (hooks/requireCurrentPassword): never stored,
      // never answered.
      name: 'currentPassword',
      type: 'text',
      virtual: true,
      access: { read: () => false },
      admin: { description: 'Needed to change the email or password of your own account.' },
    },
    {
      name: 'roles',
      type: 'select',
      hasMany: true,
      required: true,
      defaultValue: ['customer'],
      saveToJWT: true,
      options: [
        { label: 'Admin', value: 'admin' },
        { label: 'Customer', value: 'customer' },
      ],
      access: { create: adminOnlyField, update: adminOnlyField },
      hooks: { beforeChange: [ensureFirstUserIsAdmin] },
    },
    {
      // Written only by the address book (src/addresses/defaults.ts): one value, so one default.
      name: 'defaultAddress',
      type: 'relationship',
      relationTo: 'addresses',
      access: { create: () => false, update: () => false },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'avatar',
      type: 'upload',
      relationTo: 'media',
      // A customer may only point at an image they uploaded themself.
      filterOptions: ({ req }) => {
        if (isAdmin(req)) return true
        return req.user ? { owner: { equals: req.user.id } } : false
      },
    },
  ],
}
