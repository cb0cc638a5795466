/** The choices of a data source's settings, in display order. */
import type { SourceSchedule, SourceTemplate } from '@/api'

export const TEMPLATES: SourceTemplate[] = ['general', 'finance', 'industry']
export const SCHEDULES: SourceSchedule[] = ['none', 'daily', 'weekly', 'monthly']
