import type { AddressInfo } from 'node:net'

import { simpleParser } from 'mailparser'
import type { ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export type Mail = { to: string; subject: string; text: string; html: string }

/** A real SMTP server on loopback that keeps every message nodemailer sends it. */
export class Mailbox {
  readonly messages: Mail[] = []
  /** Recipients refused so far (see refuseNext). */
  refused = 0
  private refusals = 0
  private waiters: { match: (mail: Mail) => boolean; resolve: (mail: Mail) => void }[] = []
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // A server that is down for a while, as a sender sees it: a temporary failure (451).
    onRcptTo: (_address, _session, callback) => {
      if (this.refusals <= 0) return callback()
      this.refusals--
      this.refused++
      callback(Object.assign(new Error('Temporarily unavailable, try again later'), { responseCode: 451 }))
    },
    onData: (stream, _session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          this.deliver(toMail(parsed))
          callback()
        })
        .catch((error: Error) => callback(error))
    },
  })

  port = 0

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.server.address() as AddressInfo).port
    return this
  }

  /** Refuses the next `count` recipients with a temporary error (451), then accepts again. */
  refuseNext(count: number): void {
    this.refusals = count
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  /** The first message (already received or still to come) matching the predicate. */
  waitFor(match: (mail: Mail) => boolean, timeoutMs = 10_000): Promise<Mail> {
    const found = this.messages.find(match)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching email arrived')), timeoutMs)
      this.waiters.push({
        match,
        resolve: (mail) => {
          clearTimeout(timer)
          resolve(mail)
        },
      })
    })
  }

  waitForTo(address: string, subject?: RegExp): Promise<Mail> {
    return this.waitFor((mail) => mail.to.includes(address) && (!subject || subject.test(mail.subject)))
  }

  private deliver(mail: Mail): void {
    this.messages.push(mail)
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(mail)) return true
      waiter.resolve(mail)
      return false
    })
  }
}

function toMail(parsed: ParsedMail): Mail {
  const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '')
  return {
    to,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
  }
}
