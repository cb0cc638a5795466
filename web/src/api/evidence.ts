/** The evidence log's public API (hashes, proofs, signed checkpoints) and its entry browser. */
import { client } from './client'
import { unwrap } from './errors'

export const evidenceApi = {
  checkpoint: () => unwrap(client.GET('/api/evidence/checkpoint')),
  entries: (query: { subject_type?: string; subject_id?: string; page: number; page_size: number }) =>
    unwrap(client.GET('/api/evidence/entries', { params: { query } })),
  entry: (index: number) => unwrap(client.GET('/api/evidence/entries/{index}', { params: { path: { index } } })),
  inclusion: (index: number, tree_size: number) =>
    unwrap(client.GET('/api/evidence/proof/inclusion', { params: { query: { index, tree_size } } })),
}
