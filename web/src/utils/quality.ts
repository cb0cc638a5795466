/** Helpers of the quality pages: dimensions in their GB/T 36344 order, scores, runs. */
import type { CheckResult, DimensionCode, QualityIssue, QualityRun, QualityRunStatus } from '@/api'
import { formatInteger } from './format'

/** The six dimensions of GB/T 36344, in the standard's order. */
export const DIMENSIONS: DimensionCode[] = [
  'conformity',
  'completeness',
  'accuracy',
  'consistency',
  'timeliness',
  'accessibility',
]

/** A run that has not finished yet (the pages poll it). */
export function isRunActive(status: QualityRunStatus | undefined | null): boolean {
  return status === 'queued' || status === 'running'
}

/** An overall or dimension score (0–100) with at most one decimal: `97.9`. */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const rounded = Math.round(value * 10) / 10
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1)
}

/** A check's score (0–1) as a percentage: `87.4%`. */
export function formatRatio(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const p = value * 100
  return `${p === 100 || p === 0 ? p.toFixed(0) : p >= 99.95 ? '99.9' : p.toFixed(1)}%`
}

/** el-tag / text colour of a score (0–100). */
export function scoreType(value: number | null | undefined): 'success' | 'warning' | 'danger' | 'info' {
  if (value === null || value === undefined) return 'info'
  if (value >= 90) return 'success'
  if (value >= 70) return 'warning'
  return 'danger'
}

/** Percent done of a run, or null while nothing tells how much there is. */
export function runPercentage(run: Pick<QualityRun, 'status' | 'checks_done' | 'checks_total'>): number | null {
  if (run.status === 'succeeded') return 100
  if (run.checks_total) return Math.min(99, Math.floor((run.checks_done / run.checks_total) * 100))
  return null
}

/** The dimensions present in a score map, in the standard's order. */
export function presentDimensions(scores: Record<string, number> | null | undefined): DimensionCode[] {
  return DIMENSIONS.filter((d) => scores && typeof scores[d] === 'number')
}

/** `failed / checked` with separators. */
export function failedOf(item: Pick<QualityIssue, 'failed' | 'checked'>): string {
  return `${formatInteger(item.failed)} / ${formatInteger(item.checked)}`
}

/** The run's per-check results, typed. */
export function checkResults(run: Pick<QualityRun, 'checks'> | null | undefined): CheckResult[] {
  return (run?.checks ?? []) as unknown as CheckResult[]
}

/** The columns to show for a check's failing examples: the checked ones first, then the rest. */
export function exampleColumns(check: CheckResult): string[] {
  const seen = new Set<string>(['__row'])
  const out: string[] = []
  for (const c of [...(check.columns ?? []), ...check.examples.flatMap((e) => Object.keys(e))]) {
    if (!seen.has(c)) {
      seen.add(c)
      out.push(c)
    }
  }
  return out
}
