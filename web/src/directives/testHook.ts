import type { Directive } from 'vue'

/**
 * `v-test-hook="{ selector: 'tr.el-table__row', name: 'asset-row' }"` sets `data-test="asset-row"` on
 * the elements matching `selector` inside a component whose inner markup we do not render ourselves
 * (el-table rows, el-upload's file input), and keeps it set as they re-render.
 * Stable hooks for the browser tests.
 */
export interface TestHook {
  selector: string
  name: string
}

interface HookedElement extends HTMLElement {
  __testHook?: { observer: MutationObserver; hook: TestHook }
}

function apply(el: HTMLElement, hook: TestHook): void {
  el.querySelectorAll<HTMLElement>(hook.selector).forEach((node) => {
    if (node.dataset.test !== hook.name) node.dataset.test = hook.name
  })
}

export const vTestHook: Directive<HookedElement, TestHook> = {
  mounted(el, binding) {
    const state = { hook: binding.value, observer: new MutationObserver(() => apply(el, state.hook)) }
    apply(el, state.hook)
    state.observer.observe(el, { childList: true, subtree: true })
    el.__testHook = state
  },
  updated(el, binding) {
    if (el.__testHook) el.__testHook.hook = binding.value
    apply(el, binding.value)
  },
  beforeUnmount(el) {
    el.__testHook?.observer.disconnect()
  },
}
