import { onBeforeUnmount, ref } from 'vue'
import type { QualityRun } from '@/api'
import { qualityApi } from '@/api/quality'
import { isRunActive } from '@/utils/quality'

/**
 * Follow a quality run (立即检查, 复核): GET /api/quality/runs/{id} every second while it is queued or
 * running; `onDone` gets the finished run (succeeded or failed). Stops when the component unmounts.
 */
export function useRunPoller(onDone: (run: QualityRun) => void, intervalMs = 1000) {
  const run = ref<QualityRun | null>(null)
  const error = ref<unknown>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  let alive = true
  let following: number | null = null

  async function tick(id: number): Promise<void> {
    try {
      const current = await qualityApi.run(id)
      if (!alive || following !== id) return
      run.value = current
      error.value = null
      if (isRunActive(current.status)) {
        timer = setTimeout(() => void tick(id), intervalMs)
      } else {
        following = null
        onDone(current)
      }
    } catch (err) {
      if (!alive || following !== id) return
      error.value = err
      timer = setTimeout(() => void tick(id), intervalMs * 2) // a blip: keep following
    }
  }

  /** Start following a run (replaces any run followed before). */
  function follow(id: number): void {
    clearTimeout(timer)
    following = id
    void tick(id)
  }

  function stop(): void {
    clearTimeout(timer)
    following = null
  }

  const active = () => following !== null

  onBeforeUnmount(() => {
    alive = false
    clearTimeout(timer)
  })

  return { run, error, follow, stop, active }
}
