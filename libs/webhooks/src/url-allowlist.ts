import { BlockList, isIP } from 'node:net';

/** What the allowlist says about a URL before any connection. */
export type UrlVerdict =
  /** Allowed: no allowlist, or a URL prefix, hostname or IP entry matches. */
  | 'allowed'
  /** Not allowed by any entry. */
  | 'denied'
  /** A hostname that only CIDR/IP entries could allow: the addresses it resolves to decide (at connection time). */
  | 'check-address';

const unbracket = (hostname: string) => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname);

/** `::ffff:10.0.0.1` is 10.0.0.1: IPv4-mapped IPv6 addresses are checked as IPv4. */
function normalizeAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1] : address;
  const family = isIP(plain);
  return family === 0 ? undefined : { address: plain, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * WEBHOOK_URL_ALLOWLIST (parsed and validated by libs/config): URL prefixes, hostnames (`*.example.com` for
 * subdomains), IP addresses and CIDRs. Empty allows every http(s) URL (a self-hosted install usually targets its
 * own network). Hostname and prefix entries trust DNS; IP/CIDR entries are checked against the address actually
 * connected to, so a name that resolves into a denied range is refused at delivery time too.
 */
export class UrlAllowlist {
  private readonly prefixes: string[] = [];
  private readonly hostnames: string[] = [];
  private readonly suffixes: string[] = [];
  private readonly addresses = new BlockList();
  private readonly hasAddressEntries: boolean;

  constructor(readonly entries: readonly string[]) {
    let addressEntries = 0;
    for (const entry of entries) {
      if (/^https?:\/\//i.test(entry)) {
        this.prefixes.push(new URL(entry).href);
        continue;
      }
      const [address, prefix] = entry.split('/');
      const normalized = normalizeAddress(address);
      if (normalized) {
        addressEntries++;
        if (prefix === undefined) this.addresses.addAddress(normalized.address, normalized.family);
        else this.addresses.addSubnet(normalized.address, Number(prefix), normalized.family);
      } else if (entry.startsWith('*.')) {
        this.suffixes.push(entry.slice(1).toLowerCase());
      } else {
        this.hostnames.push(entry.toLowerCase());
      }
    }
    this.hasAddressEntries = addressEntries > 0;
  }

  get allowsAll(): boolean {
    return this.entries.length === 0;
  }

  verdict(url: URL): UrlVerdict {
    if (this.allowsAll) return 'allowed';
    if (this.prefixes.some((prefix) => url.href.startsWith(prefix))) return 'allowed';
    const hostname = unbracket(url.hostname).toLowerCase();
    if (normalizeAddress(hostname)) return this.allowsAddress(hostname) ? 'allowed' : 'denied';
    if (this.hostnames.includes(hostname) || this.suffixes.some((suffix) => hostname.endsWith(suffix))) return 'allowed';
    return this.hasAddressEntries ? 'check-address' : 'denied';
  }

  allowsAddress(address: string): boolean {
    const normalized = normalizeAddress(address);
    return normalized !== undefined && this.addresses.check(normalized.address, normalized.family);
  }
}
