/**
 * The editable asset card, as the create/edit form holds it, and its conversion to the API bodies.
 * Enumeration fields are plain strings here; the generated types may narrow them to literal unions,
 * so the bodies are assembled loosely and typed at the API boundary (`catalogApi.create/update`).
 */
import type { AssetCard, AssetCreate, AssetUpdate } from '@/api'

export interface AssetForm {
  organisation_id: number | null
  stage: string | null
  is_public: boolean
  basic: {
    name: string
    description: string
    industry: string | null
    source_systems: string[]
    data_format: string | null
    volume_rows: number | null
    volume_bytes: number | null
    update_frequency: string | null
    time_span_start: string | null
    time_span_end: string | null
    owning_department: string
    contact_name: string
    contact_phone: string
  }
  rights: {
    holding_right_holder: string
    use_right_holder: string
    operation_right_holder: string
    acquisition_method: string | null
    legal_basis: string
  }
  usage: {
    scenarios: string[]
    sharing_type: string | null
    services_provided: string
  }
  management: {
    security_grade: string | null
    security_level: number | null
    responsible_person: string
  }
}

export type FormSection = 'basic' | 'rights' | 'usage' | 'management'
export const SECTIONS: FormSection[] = ['basic', 'rights', 'usage', 'management']

export function emptyAssetForm(organisationId: number | null = null): AssetForm {
  return {
    organisation_id: organisationId,
    stage: null,
    is_public: false,
    basic: {
      name: '',
      description: '',
      industry: null,
      source_systems: [],
      data_format: null,
      volume_rows: null,
      volume_bytes: null,
      update_frequency: null,
      time_span_start: null,
      time_span_end: null,
      owning_department: '',
      contact_name: '',
      contact_phone: '',
    },
    rights: {
      holding_right_holder: '',
      use_right_holder: '',
      operation_right_holder: '',
      acquisition_method: null,
      legal_basis: '',
    },
    usage: { scenarios: [], sharing_type: null, services_provided: '' },
    management: { security_grade: null, security_level: null, responsible_person: '' },
  }
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v))
const opt = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v))
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null)
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [])

export function formFromCard(card: AssetCard): AssetForm {
  const { basic: b, rights: r, usage: u, management: m } = card
  return {
    organisation_id: card.organisation.id,
    stage: opt(card.stage),
    is_public: Boolean(card.is_public),
    basic: {
      name: str(b.name),
      description: str(b.description),
      industry: opt(b.industry),
      source_systems: list(b.source_systems),
      data_format: opt(b.data_format),
      volume_rows: num(b.volume_rows),
      volume_bytes: num(b.volume_bytes),
      update_frequency: opt(b.update_frequency),
      time_span_start: opt(b.time_span_start),
      time_span_end: opt(b.time_span_end),
      owning_department: str(b.owning_department),
      contact_name: str(b.contact_name),
      contact_phone: str(b.contact_phone),
    },
    rights: {
      holding_right_holder: str(r.holding_right_holder),
      use_right_holder: str(r.use_right_holder),
      operation_right_holder: str(r.operation_right_holder),
      acquisition_method: opt(r.acquisition_method),
      legal_basis: str(r.legal_basis),
    },
    usage: {
      scenarios: list(u.scenarios),
      sharing_type: opt(u.sharing_type),
      services_provided: str(u.services_provided),
    },
    management: {
      security_grade: opt(m.security_grade),
      security_level: num(m.security_level),
      responsible_person: str(m.responsible_person),
    },
  }
}

/** Trimmed copy of the form; empty optional selects become null and are left to the server's defaults. */
function clean(form: AssetForm): AssetForm {
  const copy = JSON.parse(JSON.stringify(form)) as AssetForm // also unwraps reactive proxies
  for (const section of SECTIONS) {
    const values = copy[section] as Record<string, unknown>
    for (const [key, value] of Object.entries(values)) {
      if (typeof value === 'string') values[key] = value.trim()
    }
  }
  return copy
}

/** Drop null/empty-list fields so that the server applies its defaults. */
function present<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>
}

export function toCreateBody(form: AssetForm, includeOrganisation: boolean): AssetCreate {
  const f = clean(form)
  const body: Record<string, unknown> = {
    basic: present(f.basic),
    rights: present(f.rights),
    usage: present(f.usage),
    management: present(f.management),
    is_public: f.is_public,
  }
  if (f.stage) body.stage = f.stage
  if (includeOrganisation && f.organisation_id) body.organisation_id = f.organisation_id
  return body as AssetCreate
}

function changed<T extends object>(before: T, after: T): Partial<T> | undefined {
  const out: Partial<T> = {}
  let any = false
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      out[key] = after[key]
      any = true
    }
  }
  return any ? out : undefined
}

/** A PATCH body holding only what the user changed, plus the version they edited; null if nothing changed. */
export function toUpdateBody(original: AssetForm, form: AssetForm, version: number): AssetUpdate | null {
  const before = clean(original)
  const after = clean(form)
  const body: Record<string, unknown> = { version }
  let any = false
  if (after.stage !== before.stage && after.stage) {
    body.stage = after.stage
    any = true
  }
  if (after.is_public !== before.is_public) {
    body.is_public = after.is_public
    any = true
  }
  for (const section of SECTIONS) {
    const diff = changed(before[section], after[section])
    if (diff) {
      body[section] = diff
      any = true
    }
  }
  return any ? (body as AssetUpdate) : null
}
