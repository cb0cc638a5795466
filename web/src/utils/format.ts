/** Display formatting: amounts in 元/万元, times in Asia/Shanghai, sizes and counts. */

export const TIME_ZONE = 'Asia/Shanghai'
const WAN = 10_000

/** A number from an API decimal (sent as a string, sometimes as a number); null when absent or not numeric. */
export function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const n = typeof value === 'number' ? value : Number(value)
  return Number.isFinite(n) ? n : null
}

function grouped(n: number, fractionDigits: number): string {
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(n)
}

export interface Amount {
  /** Formatted number, with thousands separators. */
  text: string
  unit: 'yuan' | 'wan'
  /** The full amount in 元, for a tooltip. */
  full: string
}

/** 元 amounts: 2 decimals with separators; 万元 (4 decimals trimmed to 2) from 10,000 元 up. */
export function formatAmount(value: string | number | null | undefined): Amount | null {
  const n = toNumber(value)
  if (n === null) return null
  const full = grouped(n, 2)
  if (Math.abs(n) >= WAN) return { text: grouped(n / WAN, 2), unit: 'wan', full }
  return { text: full, unit: 'yuan', full }
}

export function formatInteger(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : new Intl.NumberFormat('en-US').format(value)
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']

export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let n = value
  let i = 0
  while (Math.abs(n) >= 1024 && i < BYTE_UNITS.length - 1) {
    n /= 1024
    i += 1
  }
  return `${i === 0 ? n : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)} ${BYTE_UNITS[i]}`
}

/** Parse an API timestamp; one without an offset is taken as UTC. */
export function parseTimestamp(value: string): Date {
  const hasZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value)
  return new Date(hasZone || !value.includes('T') ? value : `${value}Z`)
}

const dateTimeParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** `YYYY-MM-DD HH:mm[:ss]` in Beijing time, whatever the browser's zone. */
export function formatDateTime(value: string | null | undefined, withSeconds = false): string {
  if (!value) return ''
  const date = parseTimestamp(value)
  if (Number.isNaN(date.getTime())) return value
  const p = Object.fromEntries(dateTimeParts.formatToParts(date).map((x) => [x.type, x.value]))
  const time = withSeconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`
  return `${p.year}-${p.month}-${p.day} ${time}`
}
