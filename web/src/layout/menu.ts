import type { Component } from 'vue'
import { Bell, DataAnalysis, DocumentAdd, Files, Upload, Lock, Histogram } from '@element-plus/icons-vue'

export interface MenuEntry {
  path: string
  title: string
  icon: Component
  /** Shown only to users with this permission. */
  permission?: string
}

export const MENU: MenuEntry[] = [
  { path: '/', title: 'nav.home', icon: DataAnalysis },
  { path: '/catalog', title: 'nav.catalog', icon: Files, permission: 'catalog.read' },
  { path: '/catalog/new', title: 'nav.create', icon: DocumentAdd, permission: 'catalog.write' },
  { path: '/catalog/import', title: 'nav.import', icon: Upload, permission: 'catalog.import' },
  { path: '/discovery', title: 'nav.discovery', icon: Histogram, permission: 'discovery.read' },
  { path: '/workflow', title: 'nav.inbox', icon: Bell, permission: 'workflow.read' },
  { path: '/evidence', title: 'nav.evidence', icon: Lock },
]
