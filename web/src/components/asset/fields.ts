import type { OptionKind } from '@/api'
import type { FormSection } from '@/composables/assetForm'

export type FieldKind = 'text' | 'textarea' | 'select' | 'tags' | 'integer' | 'date' | 'phone'

export interface FieldDef {
  key: string
  kind: FieldKind
  /** Enumeration for `select` fields. */
  options?: OptionKind
  required?: boolean
  /** Columns out of 24 (default 12). */
  span?: number
  /** Length limits for text, value limits for integers (as the API validates them). */
  max?: number
  min?: number
}

/** The editable fields of an asset card, per section, in display order. */
export const FORM_FIELDS: Record<FormSection, FieldDef[]> = {
  basic: [
    { key: 'name', kind: 'text', required: true, min: 2, max: 200 },
    { key: 'industry', kind: 'select', options: 'industries', required: true },
    { key: 'description', kind: 'textarea', span: 24, max: 4000 },
    { key: 'source_systems', kind: 'tags' },
    { key: 'data_format', kind: 'select', options: 'data_formats' },
    { key: 'volume_rows', kind: 'integer', min: 0 },
    { key: 'volume_bytes', kind: 'integer', min: 0 },
    { key: 'update_frequency', kind: 'select', options: 'update_frequencies' },
    { key: 'owning_department', kind: 'text', max: 100 },
    { key: 'time_span_start', kind: 'date' },
    { key: 'time_span_end', kind: 'date' },
    { key: 'contact_name', kind: 'text', max: 50 },
    { key: 'contact_phone', kind: 'phone', max: 32 },
  ],
  rights: [
    { key: 'holding_right_holder', kind: 'text', max: 200 },
    { key: 'use_right_holder', kind: 'text', max: 200 },
    { key: 'operation_right_holder', kind: 'text', max: 200 },
    { key: 'acquisition_method', kind: 'select', options: 'acquisition_methods' },
    { key: 'legal_basis', kind: 'textarea', span: 24, max: 2000 },
  ],
  usage: [
    { key: 'scenarios', kind: 'tags' },
    { key: 'sharing_type', kind: 'select', options: 'sharing_types' },
    { key: 'services_provided', kind: 'textarea', span: 24, max: 2000 },
  ],
  management: [
    { key: 'security_grade', kind: 'select', options: 'security_grades' },
    { key: 'security_level', kind: 'integer', min: 1, max: 5 },
    { key: 'responsible_person', kind: 'text', max: 50 },
  ],
}
