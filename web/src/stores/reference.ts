import { ref } from 'vue'
import { defineStore } from 'pinia'
import { metaApi, type OptionItem, type OptionKind, type Organisation } from '@/api'
import { currentLocale } from '@/i18n'
import { useAuthStore } from './auth'

/** Enumerations (with zh/en labels) and organisations, loaded once per session. */
export const useReferenceStore = defineStore('reference', () => {
  const options = ref<Partial<Record<OptionKind, OptionItem[]>>>({})
  const organisations = ref<Organisation[]>([])
  let optionsLoading: Promise<void> | null = null
  let organisationsLoading: Promise<void> | null = null

  function loadOptions(): Promise<void> {
    optionsLoading ??= metaApi.options().then(
      (data) => {
        options.value = data as Partial<Record<OptionKind, OptionItem[]>>
      },
      (err: unknown) => {
        optionsLoading = null
        throw err
      },
    )
    return optionsLoading
  }

  /** Organisations the user may see; without `organisation.read`, just the user's own. */
  function loadOrganisations(): Promise<void> {
    const auth = useAuthStore()
    if (!auth.can('organisation.read')) {
      const own = auth.user?.organisation
      organisations.value = own ? [{ ...own } as unknown as Organisation] : []
      return Promise.resolve()
    }
    organisationsLoading ??= metaApi.organisations().then(
      (page) => {
        organisations.value = page.items
      },
      (err: unknown) => {
        organisationsLoading = null
        throw err
      },
    )
    return organisationsLoading
  }

  function list(kind: OptionKind): OptionItem[] {
    return options.value[kind] ?? []
  }

  function optionLabel(item: OptionItem): string {
    return currentLocale.value === 'en-US' ? item.label_en || item.label_zh : item.label_zh
  }

  /** Label of an enumeration value in the current language (the raw value if unknown). */
  function label(kind: OptionKind, value: string | null | undefined): string {
    if (value === null || value === undefined || value === '') return ''
    const item = list(kind).find((o) => o.value === value)
    return item ? optionLabel(item) : String(value)
  }

  function reset(): void {
    organisations.value = []
    organisationsLoading = null
  }

  return { options, organisations, loadOptions, loadOrganisations, list, label, optionLabel, reset }
})
