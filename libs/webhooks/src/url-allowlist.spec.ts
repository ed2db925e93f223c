import { parseUrlAllowlist } from '../../config/src';
import { UrlAllowlist } from './url-allowlist';

const verdict = (entries: string, url: string) => new UrlAllowlist(parseUrlAllowlist(entries)).verdict(new URL(url));

describe('WEBHOOK_URL_ALLOWLIST', () => {
  it('allows every URL when empty', () => {
    expect(verdict('', 'http://169.254.169.254/')).toBe('allowed');
    expect(new UrlAllowlist([]).allowsAll).toBe(true);
  });

  it('matches URL prefixes on the normalised URL (a host prefix cannot be extended)', () => {
    expect(verdict('https://hooks.example.com', 'https://hooks.example.com/any')).toBe('allowed');
    expect(verdict('https://hooks.example.com', 'https://hooks.example.com.evil.test/')).toBe('denied');
    expect(verdict('https://hooks.example.com/in/', 'https://hooks.example.com/in/x')).toBe('allowed');
    expect(verdict('https://hooks.example.com/in/', 'https://hooks.example.com/out')).toBe('denied');
    expect(verdict('https://hooks.example.com/', 'http://hooks.example.com/')).toBe('denied');
  });

  it('matches hostnames exactly and *.domain for subdomains, case-insensitively', () => {
    expect(verdict('hooks.example.com', 'https://HOOKS.example.com:8443/x')).toBe('allowed');
    expect(verdict('hooks.example.com', 'https://a.hooks.example.com/')).toBe('denied');
    expect(verdict('*.example.com', 'https://a.b.example.com/')).toBe('allowed');
    expect(verdict('*.example.com', 'https://example.com/')).toBe('denied');
    expect(verdict('*.example.com', 'https://evilexample.com/')).toBe('denied');
  });

  it('checks IP literals against IPs and CIDRs (IPv4-mapped IPv6 as IPv4); names then depend on their addresses', () => {
    const list = '10.0.0.0/8,192.168.1.5,fd00::/8';
    expect(verdict(list, 'http://10.20.30.40/')).toBe('allowed');
    expect(verdict(list, 'http://11.0.0.1/')).toBe('denied');
    expect(verdict(list, 'http://192.168.1.5/')).toBe('allowed');
    expect(verdict(list, 'http://192.168.1.6/')).toBe('denied');
    expect(verdict(list, 'http://[fd12::1]/')).toBe('allowed');
    expect(verdict(list, 'http://[::1]/')).toBe('denied');
    expect(verdict(list, 'http://[::ffff:10.0.0.1]/')).toBe('allowed');
    expect(verdict(list, 'http://hooks.internal/')).toBe('check-address');
    expect(verdict('hooks.example.com', 'http://other.example.com/')).toBe('denied');
    const allowlist = new UrlAllowlist(parseUrlAllowlist(list));
    expect(allowlist.allowsAddress('10.1.1.1')).toBe(true);
    expect(allowlist.allowsAddress('127.0.0.1')).toBe(false);
    expect(allowlist.allowsAddress('::ffff:10.1.1.1')).toBe(true);
    expect(allowlist.allowsAddress('not-an-ip')).toBe(false);
  });

  it('refuses malformed entries at start-up, naming them', () => {
    expect(() => parseUrlAllowlist('10.0.0.0/33')).toThrow(/10\.0\.0\.0\/33/);
    expect(() => parseUrlAllowlist('https://')).toThrow(/not a valid URL prefix/);
    expect(() => parseUrlAllowlist('ftp://x')).toThrow(/WEBHOOK_URL_ALLOWLIST/);
    expect(() => parseUrlAllowlist('host name')).toThrow(/host name/);
    expect(parseUrlAllowlist(' a.example.com , 10.0.0.0/8 ,')).toEqual(['a.example.com', '10.0.0.0/8']);
  });
});
