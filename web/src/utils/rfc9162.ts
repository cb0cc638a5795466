/**
 * RFC 9162 §2.1.3.2 inclusion-proof verification in the browser (Web Crypto SHA-256), recording
 * every step so the console can show how a leaf climbs to the signed root.
 */

export interface ProofStep {
  /** 0-based position in the audit path. */
  index: number
  /** The sibling hash taken from the proof. */
  sibling: string
  /** Whether the sibling sits to the left (hash = H(0x01 ‖ sibling ‖ r)) or right (H(0x01 ‖ r ‖ sibling)). */
  side: 'left' | 'right'
  /** The running hash after this step. */
  result: string
}

export interface InclusionCheck {
  leafHash: string
  steps: ProofStep[]
  computedRoot: string
  ok: boolean
  reason?: string
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`not hex: ${hex}`)
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64)
  return Uint8Array.from(bin, (c) => c.charCodeAt(0))
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>> {
  const total = parts.reduce((n, p) => n + p.length, 0)
  const buf = new Uint8Array(total)
  let offset = 0
  for (const p of parts) {
    buf.set(p, offset)
    offset += p.length
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf))
}

/** Leaf hash of the exact entry bytes: SHA-256(0x00 ‖ entry). */
export async function leafHash(entry: Uint8Array): Promise<string> {
  return bytesToHex(await sha256(new Uint8Array([0]), entry))
}

/** Verify that `leafHashHex` is leaf `leafIndex` of the tree of `treeSize` leaves with root `rootHex`. */
export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHashHex: string,
  auditPath: string[],
  rootHex: string,
): Promise<InclusionCheck> {
  const steps: ProofStep[] = []
  const fail = (reason: string, r: string): InclusionCheck => ({
    leafHash: leafHashHex, steps, computedRoot: r, ok: false, reason,
  })
  if (leafIndex >= treeSize) return fail('leaf index beyond tree size', leafHashHex)
  let fn = leafIndex
  let sn = treeSize - 1
  let r = hexToBytes(leafHashHex)
  const node = new Uint8Array([1])
  for (const [i, hex] of auditPath.entries()) {
    if (sn === 0) return fail('proof is longer than the tree is deep', bytesToHex(r))
    const p = hexToBytes(hex)
    let side: 'left' | 'right'
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(node, p, r)
      side = 'left'
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = await sha256(node, r, p)
      side = 'right'
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
    steps.push({ index: i, sibling: hex, side, result: bytesToHex(r) })
  }
  const computedRoot = bytesToHex(r)
  if (sn !== 0) return { ...fail('proof is shorter than the tree is deep', computedRoot) }
  const ok = computedRoot === rootHex.toLowerCase()
  return { leafHash: leafHashHex, steps, computedRoot, ok, reason: ok ? undefined : 'root mismatch' }
}

/**
 * Check a C2SP signed note (checkpoint) with the Ed25519 public key: the signature line
 * `— <name> <base64(keyhash[4] ‖ signature[64])>` signs the note body (everything before the
 * blank line, including its final newline). Returns null when the browser lacks Ed25519.
 */
export async function verifyCheckpointSignature(note: string, publicKeyB64: string): Promise<boolean | null> {
  const split = note.indexOf('\n\n')
  if (split < 0) return false
  const body = new TextEncoder().encode(note.slice(0, split + 1))
  const lines = note.slice(split + 2).split('\n').filter((l) => l.startsWith('\u2014 '))
  let key: CryptoKey
  try {
    key = await crypto.subtle.importKey('raw', base64ToBytes(publicKeyB64), { name: 'Ed25519' }, false, ['verify'])
  } catch {
    return null
  }
  for (const line of lines) {
    const sig = base64ToBytes(line.split(' ').pop() ?? '')
    if (sig.length !== 68) continue
    if (await crypto.subtle.verify({ name: 'Ed25519' }, key, sig.slice(4), body)) return true
  }
  return false
}
