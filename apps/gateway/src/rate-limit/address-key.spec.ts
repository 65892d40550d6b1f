import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey } from './address-key.js';

describe('addressKey', () => {
  it('keeps an IPv4 address as it is', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('127.0.0.1'), '127.0.0.1');
  });

  it('keys an IPv6 address on its /64, so one host rotating addresses in its /64 gets one key', () => {
    const host = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:a:b:c:d', '2001:0DB8:0001:0002:0000:0000:0000:0009'];
    assert.deepEqual(new Set(host.map(addressKey)), new Set(['2001:db8:1:2::/64']));
    assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'), 'the next /64 is another key');
  });

  it('expands compressed forms wherever the :: is', () => {
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('::'), '0:0:0:0::/64');
    assert.equal(addressKey('2001:db8:1:2:3::'), '2001:db8:1:2::/64');
    assert.equal(addressKey('fe80::'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('1:2:3:4:5:6:7:8'), '1:2:3:4::/64');
  });

  it('turns an IPv4-mapped IPv6 address into the IPv4 address, dotted or in hex', () => {
    assert.equal(addressKey('::ffff:1.2.3.4'), '1.2.3.4');
    assert.equal(addressKey('::FFFF:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:102:304'), '1.2.3.4');
    assert.equal(addressKey('0:0:0:0:0:ffff:cb00:7107'), '203.0.113.7');
    assert.equal(addressKey('64:ff9b::1.2.3.4'), '64:ff9b:0:0::/64', 'a NAT64 address is IPv6, not mapped');
  });

  it('drops a zone index', () => {
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('fe80::2%2'), addressKey('fe80::1%eth0'));
  });

  it('keeps what is not an address as it is', () => {
    assert.equal(addressKey('unknown'), 'unknown');
    assert.equal(addressKey(''), '');
    assert.equal(addressKey('2001:db8::1::2'), '2001:db8::1::2');
  });
});
