/** The calls the console makes, one function each; all throw {@link ApiError} on failure. */
import { client } from './client'
import { unwrap } from './errors'
import type {
  AssetCreate,
  AssetQuery,
  AssetUpdate,
  LoginBody,
  SharingRequest,
  WorkflowActionBody,
  WorkflowQuery,
} from './types'

export { ApiError } from './errors'
export type * from './types'

/** Plain links (downloads go through the browser with the session cookie). */
export const TEMPLATE_URL = '/api/catalog/import/template'
export const EXPORT_URL = '/api/catalog/export'

export const authApi = {
  login: (body: LoginBody) => unwrap(client.POST('/api/auth/login', { body })),
  logout: () => unwrap(client.POST('/api/auth/logout')),
  me: () => unwrap(client.GET('/api/auth/me')),
}

export const metaApi = {
  options: () => unwrap(client.GET('/api/meta/options')),
  organisations: (page_size = 100) =>
    unwrap(client.GET('/api/organisations', { params: { query: { page: 1, page_size } } })),
}

export const catalogApi = {
  list: (query: AssetQuery) => unwrap(client.GET('/api/catalog/assets', { params: { query } })),
  get: (id: number) => unwrap(client.GET('/api/catalog/assets/{card_id}', { params: { path: { card_id: id } } })),
  create: (body: AssetCreate) => unwrap(client.POST('/api/catalog/assets', { body })),
  update: (id: number, body: AssetUpdate) =>
    unwrap(client.PATCH('/api/catalog/assets/{card_id}', { params: { path: { card_id: id } }, body })),
  history: (id: number) => unwrap(client.GET('/api/catalog/assets/{card_id}/history', { params: { path: { card_id: id } } })),
  stats: () => unwrap(client.GET('/api/catalog/stats')),
  importFile: (file: File) =>
    unwrap(
      client.POST('/api/catalog/import', {
        // the generated type says `string` (format: binary); the serializer sends the File itself
        body: { file: file as unknown as string },
        bodySerializer: (body) => {
          const form = new FormData()
          form.append('file', body.file as unknown as Blob)
          return form
        },
      }),
    ),
}

/** Download link of an attachment (the browser sends the session cookie). */
export const fileUrl = (sha256: string): string => `/api/files/${sha256}`

export const sharingApi = {
  grants: (cardId: number) =>
    unwrap(client.GET('/api/catalog/assets/{card_id}/sharing', { params: { path: { card_id: cardId } } })),
  request: (cardId: number, body: SharingRequest) =>
    unwrap(client.POST('/api/catalog/assets/{card_id}/sharing-requests', { params: { path: { card_id: cardId } }, body })),
}

export const workflowApi = {
  inbox: (page = 1, page_size = 20) => unwrap(client.GET('/api/workflow/inbox', { params: { query: { page, page_size } } })),
  list: (query: WorkflowQuery) => unwrap(client.GET('/api/workflow/instances', { params: { query } })),
  get: (id: number) =>
    unwrap(client.GET('/api/workflow/instances/{instance_id}', { params: { path: { instance_id: id } } })),
  act: (id: number, body: WorkflowActionBody) =>
    unwrap(client.POST('/api/workflow/instances/{instance_id}/actions', { params: { path: { instance_id: id } }, body })),
}

export const filesApi = {
  upload: (file: File) =>
    unwrap(
      client.POST('/api/files', {
        // the generated type says `string` (format: binary); the serializer sends the File itself
        body: { file: file as unknown as string },
        bodySerializer: (body) => {
          const form = new FormData()
          form.append('file', body.file as unknown as Blob)
          return form
        },
      }),
    ),
}
