import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Admin, ITopicMetadata } from 'kafkajs';
import { kafkaConfig } from '#app/config';
import { KafkaAdmin } from './kafka-admin.js';

/** An admin client whose metadata answers come from a script: an error, or partitions with their leaders. */
function adminAnswering(answers: Array<Error | Array<{ leader: number; partitionErrorCode?: number }>>, existing = ['ticks']) {
  const calls = { created: 0, metadata: 0 };
  const fake = {
    connect: async () => undefined,
    listTopics: async () => existing,
    createTopics: async () => {
      calls.created++;
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> => {
      const answer = answers[Math.min(calls.metadata++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return {
        topics: topics.map((name) => ({
          name,
          partitions: answer.map((p, i) => ({ partitionId: i, leader: p.leader, partitionErrorCode: p.partitionErrorCode ?? 0, replicas: [1], isr: [1] })),
        })),
      };
    },
  } as unknown as Admin;
  const kafkaAdmin = new KafkaAdmin(kafkaConfig());
  Object.assign(kafkaAdmin, { admin: fake });
  return { kafkaAdmin, calls };
}

const TICKS = [{ topic: 'ticks', numPartitions: 2 }];

describe('KafkaAdmin.ensureTopics', () => {
  it('waits while an existing topic has partitions without a leader (another app just created it), then resolves', async () => {
    const { kafkaAdmin, calls } = adminAnswering([
      new Error('This server does not host this topic-partition'),
      [{ leader: -1, partitionErrorCode: 5 }, { leader: 1 }],
      [{ leader: 1 }, { leader: 1 }],
    ]);
    await kafkaAdmin.ensureTopics(TICKS);
    assert.equal(calls.metadata, 3);
    assert.equal(calls.created, 0, 'the topic existed');
  });

  it('creates a missing topic and resolves at once when its partitions have leaders', async () => {
    const { kafkaAdmin, calls } = adminAnswering([[{ leader: 1 }, { leader: 1 }]], []);
    await kafkaAdmin.ensureTopics(TICKS);
    assert.equal(calls.created, 1);
    assert.equal(calls.metadata, 1);
  });

  it('gives up after its timeout, naming the partitions still without a leader', async () => {
    const { kafkaAdmin } = adminAnswering([[{ leader: 1 }, { leader: -1 }]]);
    await assert.rejects(kafkaAdmin.ensureTopics(TICKS, 300), /no leader after 300 ms for ticks\[1\]/);
  });
});
