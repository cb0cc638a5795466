import type { Component } from 'vue'
import {
  Bell,
  DataAnalysis,
  DataBoard,
  DocumentAdd,
  DocumentChecked,
  Files,
  Histogram,
  Lock,
  Odometer,
  Upload,
  Warning,
} from '@element-plus/icons-vue'

export interface MenuEntry {
  path: string
  title: string
  icon: Component
  /** Shown only to users with this permission. */
  permission?: string
}

/** A group of entries under a heading (an el-sub-menu); `key` is its index. */
export interface MenuGroup {
  key: string
  title: string
  icon: Component
  children: MenuEntry[]
}

export type MenuItem = MenuEntry | MenuGroup

export function isGroup(item: MenuItem): item is MenuGroup {
  return 'children' in item
}

export const MENU: MenuItem[] = [
  { path: '/', title: 'nav.home', icon: DataAnalysis },
  { path: '/catalog', title: 'nav.catalog', icon: Files, permission: 'catalog.read' },
  { path: '/catalog/new', title: 'nav.create', icon: DocumentAdd, permission: 'catalog.write' },
  { path: '/catalog/import', title: 'nav.import', icon: Upload, permission: 'catalog.import' },
  { path: '/discovery', title: 'nav.discovery', icon: Histogram, permission: 'discovery.read' },
  {
    key: 'quality',
    title: 'nav.quality',
    icon: Odometer,
    children: [
      { path: '/quality', title: 'nav.qualityOverview', icon: DataBoard, permission: 'quality.read' },
      { path: '/quality/rules', title: 'nav.qualityRules', icon: DocumentChecked, permission: 'quality.read' },
      { path: '/quality/issues', title: 'nav.qualityIssues', icon: Warning, permission: 'quality.read' },
    ],
  },
  { path: '/workflow', title: 'nav.inbox', icon: Bell, permission: 'workflow.read' },
  { path: '/evidence', title: 'nav.evidence', icon: Lock },
]
