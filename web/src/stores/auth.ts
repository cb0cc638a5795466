import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { ApiError, authApi, type LoginBody, type Me } from '@/api'

/** The logged-in user (from the httpOnly session cookie, read through /api/auth/me). */
export const useAuthStore = defineStore('auth', () => {
  const user = ref<Me | null>(null)
  let loading: Promise<Me | null> | null = null

  const permissions = computed(() => new Set<string>(user.value?.permissions ?? []))
  const isPlatformAdmin = computed(() => (user.value?.roles ?? []).some((r) => String(r) === 'platform_admin'))

  function can(permission: string | undefined): boolean {
    return !permission || permissions.value.has(permission)
  }

  /** Ask the server who we are, once; later calls reuse the answer. */
  function ensureLoaded(): Promise<Me | null> {
    loading ??= authApi.me().then(
      (me) => (user.value = me),
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return (user.value = null)
        loading = null // a network error: try again on the next navigation
        throw err
      },
    )
    return loading
  }

  async function login(body: LoginBody): Promise<Me> {
    const result = await authApi.login(body)
    user.value = result.user
    loading = Promise.resolve(result.user)
    return result.user
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } finally {
      forget()
    }
  }

  /** Drop the session locally (after logout, or when the server says it expired). */
  function forget(): void {
    user.value = null
    loading = Promise.resolve(null)
  }

  return { user, permissions, isPlatformAdmin, can, ensureLoaded, login, logout, forget }
})
