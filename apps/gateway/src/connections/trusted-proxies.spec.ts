import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTrustedProxies } from '#app/config';
import { fakeRequest } from '../../../../test/support/fake-request.js';
import { TrustedProxies } from './trusted-proxies.js';

const proxies = (list: string) => new TrustedProxies({ trustedProxies: parseTrustedProxies(list).networks });
const xff = (value: string | string[]) => ({ 'x-forwarded-for': value });

describe('TrustedProxies', () => {
  it('uses the peer address and ignores X-Forwarded-For when no proxy is trusted', () => {
    assert.equal(proxies('').clientAddress(fakeRequest('198.51.100.9', xff('203.0.113.7'))), '198.51.100.9');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    assert.equal(proxies('10.0.0.0/8').clientAddress(fakeRequest('198.51.100.9', xff('203.0.113.7'))), '198.51.100.9');
  });

  it('believes X-Forwarded-For from a trusted proxy', () => {
    assert.equal(proxies('10.0.0.1').clientAddress(fakeRequest('10.0.0.1', xff('203.0.113.7'))), '203.0.113.7');
  });

  it('takes the right-most untrusted hop, so an address the client wrote itself is not believed', () => {
    const trusted = proxies('10.0.0.0/8, 192.168.1.1');
    const chain = xff('6.6.6.6, 203.0.113.7, 10.1.2.3, 192.168.1.1');
    assert.equal(trusted.clientAddress(fakeRequest('10.0.0.1', chain)), '203.0.113.7');
  });

  it('reads repeated X-Forwarded-For headers as one chain', () => {
    assert.equal(proxies('10.0.0.1').clientAddress(fakeRequest('10.0.0.1', xff(['6.6.6.6', '203.0.113.7']))), '203.0.113.7');
  });

  it('falls back to the left-most hop when every hop is trusted, and to the proxy without the header', () => {
    assert.equal(proxies('10.0.0.0/8').clientAddress(fakeRequest('10.0.0.1', xff('10.9.9.9, 10.0.0.2'))), '10.9.9.9');
    assert.equal(proxies('10.0.0.0/8').clientAddress(fakeRequest('10.0.0.1')), '10.0.0.1');
  });

  it('stops at a hop that is not an address and keeps the last proxy it could read', () => {
    assert.equal(proxies('10.0.0.0/8').clientAddress(fakeRequest('10.0.0.1', xff('203.0.113.7, unknown, 10.0.0.2'))), '10.0.0.2');
  });

  it('spells an address one way: ports dropped, IPv4-mapped IPv6 as IPv4, IPv6 compressed and lower-case', () => {
    const trusted = proxies('127.0.0.1, ::1');
    assert.equal(trusted.clientAddress(fakeRequest('::ffff:127.0.0.1', xff('203.0.113.7:51234'))), '203.0.113.7');
    assert.equal(trusted.clientAddress(fakeRequest('::1', xff('[2001:DB8:0:0::1]:443'))), '2001:db8::1');
    assert.equal(proxies('').clientAddress(fakeRequest('::ffff:198.51.100.9')), '198.51.100.9');
  });

  it('matches IPv6 networks', () => {
    assert.equal(proxies('fd00::/8').clientAddress(fakeRequest('fd12::5', xff('2001:db8::7'))), '2001:db8::7');
  });
});
