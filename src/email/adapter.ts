import type { EmailAdapter } from 'payload'
import { nodemailerAdapter } from '@payloadcms/email-nodemailer'
import nodemailer from 'nodemailer'
import type { Transport } from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport'

import type { Env } from '../config/env'
import { logger } from '../logger'

function parseFrom(from: string): { name: string; address: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from)
  return match ? { name: match[1] ?? '', address: match[2] ?? from } : { name: '', address: from }
}

/** Without SMTP settings the message is written to the log, links included, so a developer can follow them. */
const logTransport: Transport<SMTPTransport.SentMessageInfo> = {
  name: 'log',
  version: '1',
  send(mail, done) {
    const { to, subject, text, html } = mail.data
    logger.info({ email: { to, subject, body: text ?? html } }, 'email (SMTP_HOST unset, not sent)')
    done(null, {
      envelope: mail.message.getEnvelope(),
      messageId: mail.message.messageId(),
      accepted: [],
      rejected: [],
      pending: [],
      response: 'logged',
    })
  },
}

export function emailAdapter(config: Env): Promise<EmailAdapter> {
  const { name, address } = parseFrom(config.EMAIL_FROM)
  const transport = config.SMTP_HOST
    ? nodemailer.createTransport({
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: config.SMTP_SECURE,
        auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASS } : undefined,
      })
    : nodemailer.createTransport(logTransport)
  return nodemailerAdapter({
    defaultFromAddress: address,
    defaultFromName: name || 'Store',
    transport,
    // Verifying the transport at boot would make start-up depend on the SMTP server.
    skipVerify: true,
  })
}
