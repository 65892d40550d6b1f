import { ConfigModule } from '@nestjs/config';
import { Transport, type ClientsProviderAsyncOptions } from '@nestjs/microservices';
import { Partitioners, type ProducerConfig } from 'kafkajs';
import { kafkaConfig, type KafkaConfig } from '#app/config';
import { kafkaClientConfig } from './kafka-client.config.js';

/**
 * A producer-only Nest Kafka client for `ClientsModule.registerAsync`: acks from all in-sync replicas,
 * no topic auto-creation (topics are created explicitly at start-up), group names as configured.
 */
export function kafkaProducerClient(name: symbol, clientIdSuffix: string, producer: ProducerConfig = {}): ClientsProviderAsyncOptions {
  return {
    name,
    imports: [ConfigModule.forFeature(kafkaConfig)],
    inject: [kafkaConfig.KEY],
    useFactory: (config: KafkaConfig) => ({
      transport: Transport.KAFKA,
      options: {
        client: kafkaClientConfig(config, clientIdSuffix),
        producerOnlyMode: true,
        postfixId: '',
        producer: { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, ...producer },
        send: { acks: -1 },
      },
    }),
  };
}
