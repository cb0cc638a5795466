/** Quality (数据质量, GB/T 36344): rule sets, runs with progress, per-card scores, reports, the issue loop. */
import { client } from './client'
import { unwrap } from './errors'
import type {
  IssueAssign,
  IssueRectify,
  QualityIssueQuery,
  QualitySettingsUpdate,
  RuleSetCreate,
  RuleSetUpdate,
  RulesValidate,
} from './types'

/** Plain links: the browser downloads them with the session cookie. */
export const qualityReportUrl = (cardId: number, format: 'xlsx' | 'pdf'): string =>
  `/api/quality/cards/${cardId}/report.${format}`

export const qualityApi = {
  checkTypes: () => unwrap(client.GET('/api/quality/check-types')),
  ruleSets: (query: { card_id?: number; source_id?: number } = {}) =>
    unwrap(client.GET('/api/quality/rule-sets', { params: { query } })),
  ruleSet: (id: number) =>
    unwrap(client.GET('/api/quality/rule-sets/{rule_set_id}', { params: { path: { rule_set_id: id } } })),
  create: (body: RuleSetCreate) => unwrap(client.POST('/api/quality/rule-sets', { body })),
  update: (id: number, body: RuleSetUpdate) =>
    unwrap(client.PATCH('/api/quality/rule-sets/{rule_set_id}', { params: { path: { rule_set_id: id } }, body })),
  remove: (id: number) =>
    unwrap(client.DELETE('/api/quality/rule-sets/{rule_set_id}', { params: { path: { rule_set_id: id } } })),
  /** Parse the YAML against the table's scanned columns, without saving. */
  validate: (body: RulesValidate, signal?: AbortSignal) =>
    unwrap(client.POST('/api/quality/rule-sets/validate', { body, signal })),
  /** Suggested rules from a discovery scan table's profile. */
  suggestions: (tableId: number) =>
    unwrap(client.GET('/api/quality/tables/{table_id}/suggestions', { params: { path: { table_id: tableId } } })),
  /** 立即检查: a background run (202); poll {@link qualityApi.run}. */
  startRun: (ruleSetId: number) =>
    unwrap(client.POST('/api/quality/rule-sets/{rule_set_id}/runs', { params: { path: { rule_set_id: ruleSetId } } })),
  runs: (query: { rule_set_id?: number; card_id?: number } = {}) =>
    unwrap(client.GET('/api/quality/runs', { params: { query } })),
  run: (id: number) => unwrap(client.GET('/api/quality/runs/{run_id}', { params: { path: { run_id: id } } })),
  card: (cardId: number) =>
    unwrap(client.GET('/api/quality/cards/{card_id}', { params: { path: { card_id: cardId } } })),
  issues: (query: QualityIssueQuery = {}) => unwrap(client.GET('/api/quality/issues', { params: { query } })),
  issue: (id: number) => unwrap(client.GET('/api/quality/issues/{issue_id}', { params: { path: { issue_id: id } } })),
  rectify: (id: number, body: IssueRectify) =>
    unwrap(client.POST('/api/quality/issues/{issue_id}/rectify', { params: { path: { issue_id: id } }, body })),
  recheck: (id: number) =>
    unwrap(client.POST('/api/quality/issues/{issue_id}/recheck', { params: { path: { issue_id: id } } })),
  assign: (id: number, body: IssueAssign) =>
    unwrap(client.POST('/api/quality/issues/{issue_id}/assign', { params: { path: { issue_id: id } }, body })),
  comment: (id: number, comment: string) =>
    unwrap(
      client.POST('/api/quality/issues/{issue_id}/comments', { params: { path: { issue_id: id } }, body: { comment } }),
    ),
  inbox: () => unwrap(client.GET('/api/quality/inbox')),
  organisations: () => unwrap(client.GET('/api/quality/organisations')),
  settings: (organisation_id?: number) =>
    unwrap(client.GET('/api/quality/settings', { params: { query: { organisation_id } } })),
  saveSettings: (body: QualitySettingsUpdate) => unwrap(client.PUT('/api/quality/settings', { body })),
}
