import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayEnv } from './gateway.config.js';
import { KafkaEnv } from './kafka.config.js';
import { parseSymbols } from './market.config.js';
import { ProcessorEnv, validateProcessorEnv } from './processor.config.js';
import { parseClusterNodes, RedisEnv } from './redis.config.js';
import { ConfigValidationError, validateEnv } from './validate-env.js';

describe('validateEnv', () => {
  it('applies defaults for unset or empty variables and converts numbers', () => {
    const env = validateEnv(GatewayEnv, { GATEWAY_PORT: '9000', WS_MAX_FRAME_BYTES: '' });
    assert.equal(env.GATEWAY_PORT, 9000);
    assert.equal(env.WS_MAX_FRAME_BYTES, 16_384);
  });

  it('names every invalid variable with its value', () => {
    assert.throws(
      () => validateEnv(KafkaEnv, { KAFKA_BROKERS: 'localhost', KAFKA_TOPIC_PARTITIONS: 'many' }),
      (err: Error) =>
        err instanceof ConfigValidationError &&
        /KAFKA_BROKERS="localhost"/.test(err.message) &&
        /KAFKA_TOPIC_PARTITIONS="many"/.test(err.message),
    );
  });
});

describe('ProcessorEnv', () => {
  it('takes a retry budget of at least one failed attempt', () => {
    assert.equal(validateEnv(ProcessorEnv, {}).PROCESSOR_RETRY_BUDGET, 5);
    assert.equal(validateEnv(ProcessorEnv, { PROCESSOR_RETRY_BUDGET: '1' }).PROCESSOR_RETRY_BUDGET, 1);
    for (const bad of ['0', '-3', '2.5', 'many', '101']) {
      assert.throws(() => validateEnv(ProcessorEnv, { PROCESSOR_RETRY_BUDGET: bad }), /PROCESSOR_RETRY_BUDGET=/, bad);
    }
  });
});

describe('validateProcessorEnv', () => {
  it('refuses a quote TTL shorter than the history it decides about, naming both', () => {
    assert.throws(
      () => validateProcessorEnv({ QUOTE_TTL_SECONDS: '60', HISTORY_MAX_AGE_SECONDS: '3600' }),
      (err: Error) => err instanceof ConfigValidationError && /QUOTE_TTL_SECONDS=60/.test(err.message) && /HISTORY_MAX_AGE_SECONDS \(3600\)/.test(err.message),
    );
    assert.throws(() => validateProcessorEnv({ HISTORY_MAX_AGE_SECONDS: String(2 * 86_400) }), /QUOTE_TTL_SECONDS=86400/);
  });

  it('takes a quote TTL equal to or longer than the history age', () => {
    assert.equal(validateProcessorEnv({ QUOTE_TTL_SECONDS: '3600', HISTORY_MAX_AGE_SECONDS: '3600' }).HISTORY_MAX_AGE_SECONDS, 3600);
    assert.equal(validateProcessorEnv({}).HISTORY_MAX_AGE_SECONDS, 3600);
  });
});

describe('parseSymbols', () => {
  it('reads symbols with optional base prices, upper-cased, keeping known volatilities', () => {
    const specs = parseSymbols('aapl, XYZ:12.5 ,AAPL:200');
    assert.deepEqual(
      specs.map((s) => [s.symbol, s.basePrice]),
      [
        ['AAPL', 200],
        ['XYZ', 12.5],
      ],
    );
    assert.equal(specs[0].volatility, 0.25);
  });

  it('rejects malformed entries and an empty list', () => {
    for (const bad of ['', ' , ', 'AAPL:0', 'AAPL:x', 'TOO-LONG-SYMBOL', 'A:1:2']) {
      assert.throws(() => parseSymbols(bad), ConfigValidationError, bad);
    }
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('reads a list of host:port as start-up nodes, and nothing as the single server', () => {
    assert.equal(parseClusterNodes(validateEnv(RedisEnv, {}).REDIS_CLUSTER_NODES), null);
    const env = validateEnv(RedisEnv, { REDIS_CLUSTER_NODES: '127.0.0.1:7001,redis-2.internal:7002' });
    assert.deepEqual(parseClusterNodes(env.REDIS_CLUSTER_NODES), [
      { host: '127.0.0.1', port: 7001 },
      { host: 'redis-2.internal', port: 7002 },
    ]);
  });

  it('refuses entries that are not host:port, naming the variable', () => {
    for (const bad of ['127.0.0.1', '127.0.0.1:', ':7001', 'a:7001,,b:7002', 'a:7001 b:7002']) {
      assert.throws(() => validateEnv(RedisEnv, { REDIS_CLUSTER_NODES: bad }), /REDIS_CLUSTER_NODES=/, bad);
    }
    for (const bad of ['a:0', 'a:70000', 'a_b:7001', 'redis://a:7001', Array.from({ length: 65 }, (_, i) => `h:${7000 + i}`).join(',')]) {
      assert.throws(() => parseClusterNodes(bad), (err: Error) => err instanceof ConfigValidationError && /REDIS_CLUSTER_NODES/.test(err.message), bad);
    }
  });
});
