import type { Endpoint } from 'payload'
import { z } from 'zod'

import { isAdmin } from '../src/access'
import { StoreError } from '../src/errors'
import { parseBody, requireUser } from '../src/http/input'
import { documented } from '../src/openapi/describe'
import { PUBLIC_ROOM, broadcast } from '../src/realtime/events'

const schema = z.object({
  message: z.string().min(1).max(500),
  room: z.string().regex(PUBLIC_ROOM, 'must be a public room (public:…)').optional(),
})

/** POST /api/notifications/broadcast — admin only: a `notification` to every socket, or one public room. */
export const broadcastEndpoint: Endpoint = documented(
  {
    path: '/notifications/broadcast',
    method: 'post',
    handler: async (req) => {
      requireUser(req)
      if (!isAdmin(req)) throw new StoreError('FORBIDDEN', 'Only admins may broadcast.')
      const { message, room } = await parseBody(req, schema)
      broadcast('notification', { message, at: new Date().toISOString() }, room)
      return Response.json({ delivered: true })
    },
  },
  {
    summary: 'Send a notification over Socket.IO',
    description: 'Emits `notification` `{message, at}` to every socket, or to one public room.',
    tag: 'Real-time',
    audience: 'admin',
    body: schema,
    responses: { 200: { description: 'emitted', body: z.object({ delivered: z.literal(true) }) } },
  },
)
