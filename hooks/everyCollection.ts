import type { Config } from 'payload'

import { capPageSize } from './capPageSize'
import { rejectMalformedIds } from './rejectMalformedIds'
import { rejectInvalidWhere } from './rejectInvalidWhere'
import { validateInputShape } from './validateInputShape'

/** Guards every collection gets, in front of its own hooks. */
export const guardEveryCollection = (config: Config): Config => ({
  ...config,
  collections: (config.collections ?? []).map((collection) => ({
    ...collection,
    hooks: {
      ...collection.hooks,
      beforeOperation: [
        rejectMalformedIds,
        rejectInvalidWhere,
        validateInputShape,
        capPageSize,
        ...(collection.hooks?.beforeOperation ?? []),
      ],
    },
  })),
})
