import dns from 'node:dns';
import net from 'node:net';

/**
 * Address guards for outbound calls. The cloud metadata service hands out instance credentials,
 * so it is refused whatever allowedHosts says; with `denyPrivateNetworks` loopback, private,
 * link-local and unique-local targets are refused too. Both checks run on the literal host
 * before a request and again on every address DNS returns, so a hostname that resolves to a
 * refused address (or is re-pointed at one later) is caught at connect time.
 */
export type RefusalReason = 'metadata' | 'private';

const metadata = new net.BlockList();
metadata.addAddress('169.254.169.254', 'ipv4');
metadata.addAddress('fd00:ec2::254', 'ipv6');

const privateRanges = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
privateRanges.addAddress('::', 'ipv6');
privateRanges.addAddress('::1', 'ipv6');
privateRanges.addSubnet('fc00::', 7, 'ipv6');
privateRanges.addSubnet('fe80::', 10, 'ipv6');

/** Thrown from the DNS hook and the literal check; the client maps it to `host_not_allowed`. */
export class RefusedAddressError extends Error {
  readonly code = 'CB_ADDRESS_REFUSED';
  readonly hostname: string;
  readonly address: string;
  readonly reason: RefusalReason;

  constructor(hostname: string, address: string, reason: RefusalReason) {
    const what = reason === 'metadata' ? 'the cloud metadata address' : 'a private network address';
    const via = hostname === address ? '' : ` (resolved from "${hostname}")`;
    super(`target address ${address}${via} is refused: it is ${what}`);
    this.name = 'RefusedAddressError';
    this.hostname = hostname;
    this.address = address;
    this.reason = reason;
  }
}

/**
 * Returns the IP a host names, in canonical form, or undefined for a DNS name. Numeric IPv4
 * spellings (`2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376`) are what the WHATWG URL parser
 * and getaddrinfo both accept, so they are normalised the same way here.
 */
export function literalAddress(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIP(bare) !== 0) return bare.toLowerCase();
  try {
    const parsed = new URL(`http://${host}/`).hostname;
    const unbracketed = parsed.startsWith('[') ? parsed.slice(1, -1) : parsed;
    return net.isIP(unbracketed) !== 0 ? unbracketed : undefined;
  } catch {
    return undefined;
  }
}

/** IPv4 addresses embedded in IPv6 forms (mapped, compatible, NAT64) are checked as IPv4 too. */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const lastTwo = (): string => {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  };
  const zeroUntil = (n: number): boolean => groups.slice(0, n).every((g) => g === 0);
  if (zeroUntil(5) && groups[5] === 0xffff) return lastTwo();
  if (zeroUntil(6) && ((groups[6] ?? 0) !== 0 || (groups[7] ?? 0) > 1)) return lastTwo();
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    return lastTwo();
  return undefined;
}

function expandIpv6(address: string): number[] | undefined {
  if (net.isIPv6(address) === false) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill =
    tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...fill, ...tailGroups].map((g) => parseInt(g, 16));
  return groups.length === 8 ? groups : undefined;
}

/** Why an address is refused, or undefined when it may be called. */
export function refusalFor(address: string, denyPrivateNetworks: boolean): RefusalReason | undefined {
  const family = net.isIP(address);
  if (family === 0) return undefined;
  const candidates: Array<[string, 'ipv4' | 'ipv6']> = [[address, family === 4 ? 'ipv4' : 'ipv6']];
  const embedded = family === 6 ? embeddedIpv4(address) : undefined;
  if (embedded) candidates.push([embedded, 'ipv4']);
  if (candidates.some(([a, f]) => metadata.check(a, f))) return 'metadata';
  if (denyPrivateNetworks && candidates.some(([a, f]) => privateRanges.check(a, f))) return 'private';
  return undefined;
}

/** The resolver the guard wraps (node:dns `lookup`, or a stand-in in tests). */
export type Resolver = typeof dns.lookup;
type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/tls.connect that resolves as usual and then refuses the connection when any
 * returned address is refused: one bad record is enough to distrust the name (DNS rebinding).
 */
export function guardedLookup(
  denyPrivateNetworks: boolean,
  resolve: Resolver = dns.lookup,
): net.LookupFunction {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(
      hostname,
      { ...options },
      (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => {
        if (error) return callback(error, address, family);
        const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
        for (const resolved of addresses) {
          const reason = refusalFor(resolved, denyPrivateNetworks);
          if (reason) return callback(new RefusedAddressError(hostname, resolved, reason), address, family);
        }
        return callback(null, address, family);
      },
    );
  };
}
