/** Error bodies of the API: `{code, message (Chinese), errors?}` (docs/api.md, "Errors"). */

export interface FieldError {
  loc?: (string | number)[]
  field?: string
  message?: string
}

export interface ImportRowError {
  row: number
  column: string
  reason: string
}

export interface ErrorBody {
  code: string
  message: string
  errors?: unknown[]
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly errors: unknown[]

  constructor(status: number, code: string, message: string, errors: unknown[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.errors = errors
  }

  /** 422 validation errors keyed by dotted field path (`basic.name`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const raw of this.errors) {
      const e = raw as FieldError
      const path = e.field ?? (e.loc ?? []).filter((p) => p !== 'body').join('.')
      if (path && e.message && !(path in out)) out[path] = e.message
    }
    return out
  }

  /** Row errors of a rejected Excel import (`code: import_invalid`). */
  importErrors(): ImportRowError[] {
    return this.errors
      .filter((e): e is ImportRowError => typeof e === 'object' && e !== null && 'row' in e)
      .map((e) => ({ row: Number(e.row), column: String(e.column ?? ''), reason: String(e.reason ?? '') }))
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ErrorBody).code === 'string'
}

interface Result<T> {
  data?: T
  error?: unknown
  response: Response
}

/**
 * Await an openapi-fetch call and return its data, or throw an {@link ApiError}.
 * `message` is the server's Chinese message when it sent one, else empty (callers translate by status).
 */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>
  try {
    result = await call
  } catch (cause) {
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : '')
  }
  const { data, error, response } = result
  if (response.ok) return data as T
  if (isErrorBody(error)) {
    throw new ApiError(response.status, error.code, error.message ?? '', Array.isArray(error.errors) ? error.errors : [])
  }
  throw new ApiError(response.status, `http_${response.status}`, '')
}
