import { pino } from 'pino'

import { env } from './config/env'

// One pino instance for Payload and the request log. Secrets are redacted by path so that
// no code path (Payload's own error logs included) can print them.
export const logger = pino({
  level: env().LOG_LEVEL,
  base: undefined,
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers.cookie',
      'res.headers["set-cookie"]',
      '*.password',
      '*.token',
      '*.secret',
      'password',
      'token',
    ],
    censor: '[redacted]',
  },
})
