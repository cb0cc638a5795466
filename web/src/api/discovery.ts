/** Discovery (盘点/清查): data sources, background scans with progress, results per table and column. */
import { client } from './client'
import { unwrap } from './errors'
import type { DataSourceCreate, DataSourceUpdate, GradeOverride, ScanRequest, UploadFields } from './types'

export const discoveryApi = {
  sources: () => unwrap(client.GET('/api/discovery/sources')),
  source: (id: number) =>
    unwrap(client.GET('/api/discovery/sources/{source_id}', { params: { path: { source_id: id } } })),
  /** A PostgreSQL or MySQL source; the password in the URL is stored encrypted and never sent back. */
  create: (body: DataSourceCreate) => unwrap(client.POST('/api/discovery/sources', { body })),
  /** A data file (CSV, .xlsx, Parquet, JSON Lines, SQLite) with its form fields. */
  upload: (file: File, fields: UploadFields) =>
    unwrap(
      client.POST('/api/discovery/uploads', {
        // the generated type says `string` (format: binary); the serializer sends the File itself
        body: { ...fields, file: file as unknown as string, sample_rows: fields.sample_rows ?? null },
        bodySerializer: (body) => {
          const form = new FormData()
          form.append('file', body.file as unknown as Blob)
          form.append('name', body.name)
          form.append('industry', body.industry)
          form.append('template', body.template)
          form.append('schedule', body.schedule)
          if (body.sample_rows) form.append('sample_rows', String(body.sample_rows))
          return form
        },
      }),
    ),
  update: (id: number, body: DataSourceUpdate) =>
    unwrap(client.PATCH('/api/discovery/sources/{source_id}', { params: { path: { source_id: id } }, body })),
  remove: (id: number) =>
    unwrap(client.DELETE('/api/discovery/sources/{source_id}', { params: { path: { source_id: id } } })),
  test: (id: number) =>
    unwrap(client.POST('/api/discovery/sources/{source_id}/test', { params: { path: { source_id: id } } })),
  scan: (id: number, body: ScanRequest = {}) =>
    unwrap(client.POST('/api/discovery/sources/{source_id}/scans', { params: { path: { source_id: id } }, body })),
  scans: (source_id?: number) => unwrap(client.GET('/api/discovery/scans', { params: { query: { source_id } } })),
  getScan: (id: number) => unwrap(client.GET('/api/discovery/scans/{scan_id}', { params: { path: { scan_id: id } } })),
  cancel: (id: number) =>
    unwrap(client.POST('/api/discovery/scans/{scan_id}/cancel', { params: { path: { scan_id: id } } })),
  table: (id: number) =>
    unwrap(client.GET('/api/discovery/tables/{table_id}', { params: { path: { table_id: id } } })),
  /** The latest discovery result behind an asset card; null for cards not made by a scan. */
  card: (cardId: number) =>
    unwrap(client.GET('/api/discovery/cards/{card_id}', { params: { path: { card_id: cardId } } })),
  override: (columnId: number, body: GradeOverride) =>
    unwrap(
      client.POST('/api/discovery/columns/{column_id}/override', { params: { path: { column_id: columnId } }, body }),
    ),
}
