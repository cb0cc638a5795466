import { useI18n } from 'vue-i18n'
import type { OptionKind } from '@/api'
import { useReferenceStore } from '@/stores/reference'
import { formatAmount, formatBytes, formatInteger, toNumber } from '@/utils/format'
import { formatScore } from '@/utils/quality'

/** Card fields whose values are enumeration values, by dotted path. */
export const ENUM_FIELDS: Record<string, OptionKind> = {
  stage: 'stages',
  'basic.industry': 'industries',
  'basic.data_format': 'data_formats',
  'basic.update_frequency': 'update_frequencies',
  'rights.acquisition_method': 'acquisition_methods',
  'usage.sharing_type': 'sharing_types',
  'management.security_grade': 'security_grades',
  'management.accounting_status': 'accounting_statuses',
  'management.registration_status': 'registration_statuses',
}

/** Labels and display text for asset-card fields addressed by dotted path (`basic.name`). */
export function useFieldDisplay() {
  const { t, te, locale } = useI18n()
  const reference = useReferenceStore()

  function fieldLabel(path: string): string {
    return te(`field.${path}`) ? t(`field.${path}`) : path
  }

  function displayValue(path: string, value: unknown): string {
    if (value === null || value === undefined || value === '') return t('common.none')
    const kind = ENUM_FIELDS[path]
    if (Array.isArray(value)) {
      if (!value.length) return t('common.none')
      return value.map((v) => (kind ? reference.label(kind, String(v)) : String(v))).join(locale.value === 'zh-CN' ? '、' : ', ')
    }
    if (kind) return reference.label(kind, String(value))
    if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no')
    if (path === 'management.value_amount') {
      const amount = formatAmount(value as string | number)
      return amount ? t(`amount.${amount.unit}`, { v: amount.text }) : String(value)
    }
    if (path === 'management.quality_score') {
      const score = toNumber(value as string | number)
      return score === null ? String(value) : t('quality.score', { v: formatScore(score) })
    }
    if (path === 'basic.volume_bytes' && typeof value === 'number') return formatBytes(value)
    if (path === 'basic.volume_rows' && typeof value === 'number') return formatInteger(value)
    if (typeof value === 'object') return JSON.stringify(value)
    return String(value)
  }

  return { fieldLabel, displayValue }
}
