import { useI18n } from 'vue-i18n'
import { ApiError } from '@/api'

/** The text to show for a failed request: the server's Chinese message, else a generic one. */
export function useErrorText() {
  const { t } = useI18n()
  return (err: unknown): string => {
    if (err instanceof ApiError) {
      if (err.status === 0) return t('errors.network')
      return err.message || t('errors.status', { status: err.status })
    }
    return err instanceof Error ? err.message : String(err)
  }
}
