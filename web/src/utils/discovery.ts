/** Helpers of the discovery pages: scan progress and durations. */
import type { ScanBrief, ScanStatus } from '@/api'
import { parseTimestamp } from './format'

/** A scan that has not finished yet (the pages poll it). */
export function isActive(status: ScanStatus | undefined | null): boolean {
  return status === 'queued' || status === 'running'
}

/** Percent done, or null while nothing tells how much there is. */
export function scanPercentage(scan: ScanBrief): number | null {
  if (scan.status === 'succeeded') return 100
  if (scan.rows_total) return Math.min(99, Math.floor((scan.rows_scanned / scan.rows_total) * 100))
  if (scan.tables_total) return Math.min(99, Math.floor((scan.tables_done / scan.tables_total) * 100))
  return null
}

/** Seconds a scan has run (until now while running). */
export function elapsedSeconds(scan: ScanBrief, now: number = Date.now()): number | null {
  if (!scan.started_at) return null
  const start = parseTimestamp(scan.started_at).getTime()
  const end = scan.finished_at ? parseTimestamp(scan.finished_at).getTime() : now
  return Math.max(0, Math.round((end - start) / 1000))
}

/** `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return ''
  const s = Math.floor(seconds % 60)
  const m = Math.floor(seconds / 60) % 60
  const h = Math.floor(seconds / 3600)
  const pad = (n: number) => String(n).padStart(2, '0')
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`
}

/** A share as a percentage with at most one decimal. */
export function formatPercent(part: number, whole: number): string {
  if (!whole) return '0%'
  const p = (part / whole) * 100
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`
}
