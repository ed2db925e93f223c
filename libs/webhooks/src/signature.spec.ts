import { createHmac } from 'node:crypto';
import { signatureHeader, verifySignature } from './signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"e-1","type":"ImportContainerCreated"}';

  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, as a receiver recomputes it with node:crypto', () => {
    const header = signatureHeader(secret, 1_764_000_000, body);
    const expected = createHmac('sha256', secret).update(`1764000000.${body}`).digest('hex');
    expect(header).toBe(`t=1764000000,v1=${expected}`);
  });

  it('verifies the right secret, body and a recent timestamp only', () => {
    const header = signatureHeader(secret, 1000, body);
    expect(verifySignature(secret, body, header, 1000)).toBe(true);
    expect(verifySignature(secret, body, header, 1299)).toBe(true);
    expect(verifySignature(secret, body, header, 1301)).toBe(false);
    expect(verifySignature('other', body, header, 1000)).toBe(false);
    expect(verifySignature(secret, `${body} `, header, 1000)).toBe(false);
    expect(verifySignature(secret, body, header.replace('t=1000', 't=1001'), 1000)).toBe(false);
    expect(verifySignature(secret, body, 'garbage', 1000)).toBe(false);
    expect(verifySignature(secret, body, 't=1000,v1=abc', 1000)).toBe(false);
  });

  it('accepts any of several v1 signatures (secret rotation on the receiver side)', () => {
    const good = signatureHeader(secret, 1000, body).split(',')[1];
    expect(verifySignature(secret, body, `t=1000,v1=${'0'.repeat(64)},${good}`, 1000)).toBe(true);
  });
});
