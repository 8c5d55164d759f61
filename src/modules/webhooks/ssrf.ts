import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIPv4, isIPv6 } from 'node:net'

/** A webhook URL Tasklane will not call: bad scheme, unresolvable, or an internal address. */
export class UnsafeUrlError extends Error {
  override name = 'UnsafeUrlError'
}

export interface ResolvedTarget {
  url: URL
  /** the checked address the request must connect to (pinned: no second DNS answer can switch it) */
  address: string
  family: 4 | 6
}

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

const internal = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  internal.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, deprecated IPv4-compatible
  ['100::', 64], // discard
  ['2001::', 32], // Teredo: tunnels to an address we cannot see
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  internal.addSubnet(net, prefix, 'ipv6')
}

/** The 16 bytes of an IPv6 address in any textual form (`::`, embedded dotted IPv4). */
function ipv6Bytes(ip: string): number[] {
  let text = ip.replace(/%.*$/, '')
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/)
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  return groups.flatMap((g) => {
    const n = Number.parseInt(g || '0', 16)
    return [n >> 8, n & 0xff]
  })
}

const v4 = (bytes: number[]) => bytes.join('.')

/** The IPv4 address an IPv6 address carries and routes to (mapped, NAT64, 6to4), if any. */
function embeddedIpv4(ip: string): string | null {
  const b = ipv6Bytes(ip)
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0)
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(b.slice(12)) // ::ffff:a.b.c.d
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4(b.slice(12)) // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return v4(b.slice(2, 6)) // 2002::/16 (6to4)
  return null
}

/** True for an address on the public internet; false for loopback, private, link-local, metadata, reserved. */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return !internal.check(ip, 'ipv4')
  if (!isIPv6(ip)) return false
  const inner = embeddedIpv4(ip)
  if (inner && internal.check(inner, 'ipv4')) return false
  return !internal.check(ip, 'ipv6')
}

/**
 * Checks a webhook URL and resolves it: http(s) only, every address its host resolves to public
 * (unless `allowPrivate`). The WHATWG parser has already turned decimal, octal, hex and short
 * IPv4 spellings (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`) into dotted form.
 */
export async function resolveTarget(
  raw: string,
  opts: { allowPrivate: boolean; lookup?: LookupAll },
): Promise<ResolvedTarget> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UnsafeUrlError('not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrlError('only http and https URLs')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!host) throw new UnsafeUrlError('the URL has no host')
  let addresses: { address: string; family: number }[]
  if (isIPv4(host)) addresses = [{ address: host, family: 4 }]
  else if (isIPv6(host)) addresses = [{ address: host, family: 6 }]
  else {
    try {
      addresses = await (opts.lookup ?? defaultLookup)(host)
    } catch {
      throw new UnsafeUrlError(`the host ${host} does not resolve`)
    }
    if (!addresses.length) throw new UnsafeUrlError(`the host ${host} does not resolve`)
  }
  // every answer must be public: a host with one public and one internal address is refused
  if (!opts.allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a.address))
    if (bad) throw new UnsafeUrlError(`the host resolves to an internal address (${bad.address})`)
  }
  const first = addresses[0]!
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 }
}
