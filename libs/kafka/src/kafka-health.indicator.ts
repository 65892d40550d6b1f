import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaAdmin } from './kafka-admin.js';

/** Readiness: the Kafka cluster answers a metadata request on the app's admin connection. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly admin: KafkaAdmin,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'kafka') {
    const check = this.health.check(key);
    try {
      return check.up({ brokers: await this.admin.ping() });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }
}
