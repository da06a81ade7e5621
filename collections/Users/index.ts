import type { CollectionConfig } from 'payload'

import { adminOnly, adminOnlyField, adminOrSelf, adminPanel, anyone, isAdmin } from '../../src/access'
import { forgotPasswordEmail, verifyEmail } from './emails'
import { ensureFirstUserIsAdmin } from './hooks/ensureFirstUserIsAdmin'
import { rejectPrivilegedFields } from './hooks/rejectPrivilegedFields'
import { requireStringCredentials } from './hooks/requireStringCredentials'

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
  access: {
    admin: adminPanel,
    create: anyone,
    read: adminOrSelf,
    update: adminOrSelf,
    delete: adminOnly,
    unlock: adminOnly,
  },
  hooks: {
    beforeOperation: [requireStringCredentials, rejectPrivilegedFields],
  },
  fields: [
    { name: 'name', type: 'text', maxLength: 120 },
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
