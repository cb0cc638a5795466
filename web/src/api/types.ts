/**
 * Domain types, derived from the generated `paths` (not from schema names, which may change).
 */
import type { paths } from './schema'

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never
type Operation<P extends keyof paths, M extends keyof paths[P]> = NonNullable<paths[P][M]>
type Responses<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { responses: infer R } ? R : never

/** JSON body of the 200 (or 201) answer of an operation. */
export type ResponseJson<P extends keyof paths, M extends keyof paths[P]> =
  | JsonOf<Responses<P, M>[200 & keyof Responses<P, M>]>
  | JsonOf<Responses<P, M>[201 & keyof Responses<P, M>]>

/** JSON request body of an operation. */
export type BodyJson<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never

export type QueryOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never

export type Me = ResponseJson<'/api/auth/me', 'get'>
export type LoginBody = BodyJson<'/api/auth/login', 'post'>

export type Options = ResponseJson<'/api/meta/options', 'get'>
export type OptionKind =
  | 'industries'
  | 'organisation_kinds'
  | 'roles'
  | 'stages'
  | 'security_grades'
  | 'sharing_types'
  | 'acquisition_methods'
  | 'update_frequencies'
  | 'data_formats'
  | 'registration_statuses'
  | 'accounting_statuses'
export interface OptionItem {
  value: string
  label_zh: string
  label_en: string
}

export type AssetQuery = QueryOf<'/api/catalog/assets', 'get'>
export type AssetPage = ResponseJson<'/api/catalog/assets', 'get'>
export type AssetSummary = AssetPage['items'][number]
export type AssetCard = ResponseJson<'/api/catalog/assets/{card_id}', 'get'>
export type AssetCreate = BodyJson<'/api/catalog/assets', 'post'>
export type AssetUpdate = BodyJson<'/api/catalog/assets/{card_id}', 'patch'>
export type HistoryEntry = ResponseJson<'/api/catalog/assets/{card_id}/history', 'get'>[number]
export type CatalogStats = ResponseJson<'/api/catalog/stats', 'get'>
export type ImportResult = ResponseJson<'/api/catalog/import', 'post'>

export type OrganisationPage = ResponseJson<'/api/organisations', 'get'>
export type Organisation = OrganisationPage['items'][number]

export type SharingGrant = ResponseJson<'/api/catalog/assets/{card_id}/sharing', 'get'>[number]
export type SharingRequest = BodyJson<'/api/catalog/assets/{card_id}/sharing-requests', 'post'>

export type WorkflowInbox = ResponseJson<'/api/workflow/inbox', 'get'>
export type WorkflowSummary = WorkflowInbox['items'][number]
export type WorkflowQuery = QueryOf<'/api/workflow/instances', 'get'>
export type WorkflowPage = ResponseJson<'/api/workflow/instances', 'get'>
export type WorkflowInstance = ResponseJson<'/api/workflow/instances/{instance_id}', 'get'>
export type WorkflowAction = WorkflowInstance['timeline'][number]
export type WorkflowStep = WorkflowInstance['steps'][number]
export type WorkflowActionBody = BodyJson<'/api/workflow/instances/{instance_id}/actions', 'post'>
export type WorkflowActionKind = WorkflowActionBody['action']
export type WorkflowStatus = WorkflowInstance['status']
export type StoredFile = ResponseJson<'/api/files', 'post'>

export type DataSource = ResponseJson<'/api/discovery/sources', 'get'>[number]
export type DataSourceCreate = BodyJson<'/api/discovery/sources', 'post'>
export type DataSourceUpdate = BodyJson<'/api/discovery/sources/{source_id}', 'patch'>
export type SourceTemplate = DataSource['template']
export type SourceSchedule = DataSource['schedule']
export type ConnectionTest = ResponseJson<'/api/discovery/sources/{source_id}/test', 'post'>
export type ScanRequest = BodyJson<'/api/discovery/sources/{source_id}/scans', 'post'>
export type ScanBrief = ResponseJson<'/api/discovery/scans', 'get'>[number]
export type ScanStatus = ScanBrief['status']
export type Scan = ResponseJson<'/api/discovery/scans/{scan_id}', 'get'>
export type ScanTableBrief = Scan['tables'][number]
export type ScanTable = ResponseJson<'/api/discovery/tables/{table_id}', 'get'>
export type ScanColumn = ScanTable['columns'][number]
export type GradeOverride = BodyJson<'/api/discovery/columns/{column_id}/override', 'post'>
export type SecurityGradeValue = ScanColumn['grade']
export type CardAlert = NonNullable<AssetCard['management']['alerts']>[number]

/** The form fields that go with an uploaded data file. */
export interface UploadFields {
  name: string
  industry: DataSource['industry']
  template: SourceTemplate
  schedule: SourceSchedule
  sample_rows?: number | null
}

export type CheckType = ResponseJson<'/api/quality/check-types', 'get'>[number]
export type DimensionCode = CheckType['dimension']
export type RuleSet = ResponseJson<'/api/quality/rule-sets/{rule_set_id}', 'get'>
export type RuleSetCreate = BodyJson<'/api/quality/rule-sets', 'post'>
export type RuleSetUpdate = BodyJson<'/api/quality/rule-sets/{rule_set_id}', 'patch'>
export type RuleSchedule = RuleSet['schedule']
export type RulesValidate = BodyJson<'/api/quality/rule-sets/validate', 'post'>
export type RulesValidation = ResponseJson<'/api/quality/rule-sets/validate', 'post'>
export type RuleProblem = NonNullable<RulesValidation['problems']>[number]
export type CheckSummary = NonNullable<RulesValidation['checks']>[number]
export type RuleSuggestion = ResponseJson<'/api/quality/tables/{table_id}/suggestions', 'get'>
/** A run without its per-check results (the 202 of 立即检查, a rule set's last run). */
export type QualityRunBrief = NonNullable<RuleSet['last_run']>
export type QualityRun = ResponseJson<'/api/quality/runs/{run_id}', 'get'>
export type QualityRunStatus = QualityRun['status']
export type CardQuality = ResponseJson<'/api/quality/cards/{card_id}', 'get'>
export type QualityIssue = ResponseJson<'/api/quality/issues/{issue_id}', 'get'>
export type QualityIssueStatus = QualityIssue['status']
export type QualityIssueEvent = NonNullable<QualityIssue['events']>[number]
export type QualityIssueQuery = QueryOf<'/api/quality/issues', 'get'>
export type QualityInbox = ResponseJson<'/api/quality/inbox', 'get'>
export type OrganisationQuality = ResponseJson<'/api/quality/organisations', 'get'>[number]
export type QualitySettings = ResponseJson<'/api/quality/settings', 'get'>
export type QualitySettingsUpdate = BodyJson<'/api/quality/settings', 'put'>
export type IssueRectify = BodyJson<'/api/quality/issues/{issue_id}/rectify', 'post'>
export type IssueAssign = BodyJson<'/api/quality/issues/{issue_id}/assign', 'post'>

/** One check's result in a run (`RunRead.checks[]`; the API types it as a plain object). */
export interface CheckResult {
  key: string
  check: string
  title: string
  dimension: DimensionCode
  column: string | null
  columns: string[]
  line: number
  weight: number
  checked: number
  passed: number
  failed: number
  /** 0–1; null when the check could not run. */
  score: number | null
  detail: string
  error: string | null
  /** Failing rows (sensitive values masked), each with its row number in `__row`. */
  examples: Record<string, unknown>[]
}

/** One point of a card's score trend (`CardQuality.trend[]`). */
export interface TrendPoint {
  run_id: number
  finished_at: string | null
  overall: number | null
  dimensions: Record<string, number>
  rule_set_id: number
}
