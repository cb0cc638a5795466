import { ref, watch } from 'vue'
import { useRoute, useRouter, type LocationQuery, type LocationQueryRaw } from 'vue-router'
import type { AssetQuery } from '@/api'

export const DEFAULT_PAGE_SIZE = 20

export interface CatalogFilters {
  q: string
  organisation_id: number | null
  industry: string | null
  security_grade: string | null
  stage: string | null
  page: number
  page_size: number
}

function text(value: LocationQuery[string]): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v : ''
}

function positive(value: LocationQuery[string], fallback: number | null): number | null {
  const n = Number.parseInt(text(value), 10)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

export function filtersFromQuery(query: LocationQuery): CatalogFilters {
  return {
    q: text(query.q),
    organisation_id: positive(query.organisation_id, null),
    industry: text(query.industry) || null,
    security_grade: text(query.security_grade) || null,
    stage: text(query.stage) || null,
    page: positive(query.page, 1) ?? 1,
    page_size: positive(query.page_size, DEFAULT_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
  }
}

/** The URL query for these filters: empty values and defaults left out, so URLs stay short. */
export function filtersToQuery(f: CatalogFilters): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (f.q.trim()) query.q = f.q.trim()
  if (f.organisation_id) query.organisation_id = String(f.organisation_id)
  if (f.industry) query.industry = f.industry
  if (f.security_grade) query.security_grade = f.security_grade
  if (f.stage) query.stage = f.stage
  if (f.page > 1) query.page = String(f.page)
  if (f.page_size !== DEFAULT_PAGE_SIZE) query.page_size = String(f.page_size)
  return query
}

/** The API query for these filters. */
export function filtersToApi(f: CatalogFilters): AssetQuery {
  const query: Record<string, string | number> = { page: f.page, page_size: f.page_size }
  if (f.q.trim()) query.q = f.q.trim()
  if (f.organisation_id) query.organisation_id = f.organisation_id
  if (f.industry) query.industry = f.industry
  if (f.security_grade) query.security_grade = f.security_grade
  if (f.stage) query.stage = f.stage
  return query as AssetQuery
}

/** Catalog filters kept in the URL query string (shareable, survives reload and back). */
export function useCatalogQuery() {
  const route = useRoute()
  const router = useRouter()
  const ownRoute = route.name
  const current = ref<CatalogFilters>(filtersFromQuery(route.query))

  // Follow the URL while this page is shown (not while navigating away from it), and only on real changes.
  watch(
    () => route.query,
    (query) => {
      if (route.name !== ownRoute) return
      const next = filtersFromQuery(query)
      if (JSON.stringify(next) !== JSON.stringify(current.value)) current.value = next
    },
  )

  /** Put these filters in the URL; false when they are the ones already shown (nothing navigates). */
  async function apply(filters: CatalogFilters): Promise<boolean> {
    const query = filtersToQuery(filters)
    if (JSON.stringify(filtersFromQuery(query as LocationQuery)) === JSON.stringify(current.value)) return false
    await router.push({ query })
    return true
  }

  return { current, apply }
}
