import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logLevel } from 'kafkajs';
import { routeKafkaLog } from './kafka-logger.js';

const COORDINATOR_LOADING = "The coordinator is loading and hence can't process requests for this group";
const GROUP_COORDINATOR_DOWN = 'The group coordinator is not available';
const REFUSED = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092';

describe('routeKafkaLog', () => {
  it('takes a booting broker\'s refusals as expected while the app starts', () => {
    assert.equal(routeKafkaLog(logLevel.ERROR, REFUSED, undefined, 'starting'), 'retrying');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Failed to connect to seed broker, trying another broker from the list: x', undefined, 'starting'), 'retrying');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', COORDINATOR_LOADING, 'starting'), 'retrying');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', GROUP_COORDINATOR_DOWN, 'starting'), 'retrying');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'This is not the correct controller for this cluster', 'starting'), 'retrying');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: This is not the correct coordinator for this group', undefined, 'starting'), 'retrying');
    assert.equal(routeKafkaLog(logLevel.ERROR, `Crash: KafkaJSProtocolError: ${COORDINATOR_LOADING}`, undefined, 'starting'), 'retrying');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Restarting the consumer in 5000ms', undefined, 'starting'), 'retrying');
  });

  it('keeps the same refusals errors once the app runs, and while it stops', () => {
    assert.equal(routeKafkaLog(logLevel.ERROR, REFUSED, undefined, 'running'), 'error');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', GROUP_COORDINATOR_DOWN, 'stopping'), 'error');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: This is not the correct coordinator for this group', undefined, 'running'), 'error');
  });

  it('keeps an error kafkajs does not retry an error, also while the app starts', () => {
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'Not authorized to access topics: [Topic authorization failed]', 'starting'), 'error');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Crash: KafkaJSNonRetriableError: x', undefined, 'starting'), 'error');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Crash: KafkaJSProtocolError: The group member needs to have a valid member id before actually entering a consumer group', undefined, 'starting'), 'error');
    assert.equal(routeKafkaLog(logLevel.WARN, 'something kafkajs warns about', undefined, 'starting'), 'warn');
  });

  it('keeps a CreateTopics answer with per-topic errors at debug: createTopics reads "already exists" as done, and throws otherwise', () => {
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'Topic creation errors', 'starting'), 'debug');
    assert.equal(routeKafkaLog(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'Topic creation errors', 'running'), 'debug');
  });

  it('keeps the idempotent producer\'s retry-limit warning at debug: the generator never resends a failed batch', () => {
    assert.equal(routeKafkaLog(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees', undefined, 'running'), 'debug');
  });
});
