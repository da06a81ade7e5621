import { env } from '../../src/config/env'

type EmailArgs = { token?: string; user?: { email?: string | null } }

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

function linkEmail(intro: string, url: string, action: string): string {
  const safeUrl = escapeHtml(url)
  return [
    `<p>${escapeHtml(intro)}</p>`,
    `<p><a href="${safeUrl}">${escapeHtml(action)}</a></p>`,
    `<p>If the button does not work, open this address: ${safeUrl}</p>`,
  ].join('\n')
}

// Links point at the storefront, which calls the API with the token; see README "Users".
export const verifyEmail = {
  generateEmailSubject: (): string => 'Verify your email address',
  generateEmailHTML: ({ token = '' }: EmailArgs = {}): string =>
    linkEmail(
      'Welcome! Please confirm your email address to activate your account.',
      `${env().STOREFRONT_URL}/verify/${encodeURIComponent(token)}`,
      'Verify my email',
    ),
}

export const forgotPasswordEmail = {
  generateEmailSubject: (): string => 'Reset your password',
  generateEmailHTML: ({ token = '' }: EmailArgs = {}): string =>
    linkEmail(
      'Someone asked to reset the password of your account. If it was not you, ignore this email.',
      `${env().STOREFRONT_URL}/reset-password?token=${encodeURIComponent(token)}`,
      'Choose a new password',
    ),
}

// To the old address after a change: the owner learns of a takeover they did not make.
export const emailChangedNotice = {
  generateEmailSubject: (): string => 'The email address of your account was changed',
  generateEmailHTML: ({ to }: { to: string }): string =>
    [
      `<p>${escapeHtml(`The email address of your account was changed to ${to}. Sign-in now uses that address once it is verified.`)}</p>`,
      `<p>${escapeHtml('If you did not make this change, contact the store right away.')}</p>`,
    ].join('\n'),
}

// To an existing account's address when someone registers with it: the answer to the registrant
// is the same as for a new address, so the owner is the one told.
export const registrationAttemptNotice = {
  generateEmailSubject: (): string => 'Someone tried to register with your email address',
  generateEmailHTML: (): string =>
    linkEmail(
      'Someone tried to create an account with this email address, which already has one. If it was you, sign in or reset your password. If not, you can ignore this email.',
      `${env().STOREFRONT_URL}/reset-password`,
      'Reset my password',
    ),
}
