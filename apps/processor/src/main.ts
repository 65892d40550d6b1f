import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { kafkaConfig, processorConfig } from '#app/config';
import { KafkaAdmin, kafkaClientConfig } from '#app/kafka';
import { runApp } from '#app/runtime';
import { AppModule } from './app.module.js';
import { ConsumerStatus } from './consumer/consumer-status.js';
import { PartitionRetries } from './consumer/partition-retries.js';
import { StateRebuild } from './rebuild/state-rebuild.js';
import { KafkaBatchServer } from './transport/kafka-batch.server.js';

await runApp('processor', async (logger) => {
  const kafka = kafkaConfig();
  const processor = processorConfig();
  const app = await NestFactory.create(AppModule.forTopic(kafka.ticksTopic), { logger, abortOnError: false });
  app.connectMicroservice<MicroserviceOptions>(
    {
      strategy: new KafkaBatchServer(
        {
          client: kafkaClientConfig(kafka, 'processor'),
          consumer: {
            groupId: processor.groupId,
            allowAutoTopicCreation: false,
            sessionTimeout: processor.sessionTimeoutMs,
            heartbeatInterval: Math.floor(processor.sessionTimeoutMs / 3),
            // While all of its partitions are paused, kafkajs sleeps this long between fetches (and an
            // idle fetch waits this long on the broker): it bounds how late a paused partition's retry
            // starts after its timer resumes it (kafkajs' default, 5 s, would make every retry up to 5 s late).
            maxWaitTimeInMs: 1000,
          },
          producer: { createPartitioner: Partitioners.DefaultPartitioner },
          subscribe: { fromBeginning: true },
          run: { partitionsConsumedConcurrently: processor.concurrency },
          postfixId: '',
        },
        app.get(ConsumerStatus),
        app.get(PartitionRetries),
        processor.commitIntervalMs,
      ),
    },
    { inheritAppConfig: true },
  );
  await app.init();
  // The consumer subscribes as soon as it starts; a missing topic would make it fail.
  await app.get(KafkaAdmin).ensureTopics([
    { topic: kafka.ticksTopic, numPartitions: kafka.partitions, replicationFactor: kafka.replicationFactor },
    { topic: kafka.dlqTopic, numPartitions: 1, replicationFactor: kafka.replicationFactor },
  ]);
  app.get(StateRebuild).start();
  await app.startAllMicroservices();
  await app.listen(processor.port);
  logger.log(`consuming ${kafka.ticksTopic} as group ${processor.groupId}; health on :${processor.port}/health`);
  return app;
});
