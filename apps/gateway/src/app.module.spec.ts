import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Test } from '@nestjs/testing';
import { REDIS_CLIENT } from '#app/redis';
import { AppModule } from './app.module.js';
import { SessionRegistry } from './connections/session-registry.js';
import { AddressBudget } from './rate-limit/address-budget.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { TrustedProxies } from './connections/trusted-proxies.js';
import { UpgradeAuthenticator } from './auth/upgrade-authenticator.js';
import { FEED_SUBSCRIBER } from './feed/feed.constants.js';
import { QuoteFeed } from './feed/quote-feed.js';
import { SubscriptionIndex } from './subscriptions/subscription-index.js';
import { SubscriptionService } from './subscriptions/subscription.service.js';
import { QuotesGateway } from './ws/quotes.gateway.js';

/** Redis stand-ins: the graph is what is proven here; the real connections are covered end to end. */
const redis = { status: 'ready', defineCommand: () => undefined, quit: async () => 'OK', disconnect: () => undefined, on: () => undefined };
const subscriber = { status: 'ready', listen: () => undefined, subscribe: async () => 1, unsubscribe: async () => 0, close: async () => undefined };

describe('gateway AppModule', () => {
  it('compiles its real module graph, with one instance of each shared service', async () => {
    const app = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(REDIS_CLIENT)
      .useValue(redis)
      .overrideProvider(FEED_SUBSCRIBER)
      .useValue(subscriber)
      .compile();
    try {
      for (const service of [TrustedProxies, AddressBudget, UpgradeAuthenticator, RateLimiter, SessionRegistry, QuoteFeed, SubscriptionIndex]) {
        assert.ok(app.get(service, { strict: false }), `${service.name} is provided`);
      }
      const door = [TrustedProxies, AddressBudget, UpgradeAuthenticator];
      for (const service of door) {
        const instances = new Set(app.get(service, { strict: false, each: true }));
        assert.equal(instances.size, 1, `${service.name} is provided once, shared by the socket and the REST API`);
      }
      assert.ok(app.get(QuotesGateway), 'the socket boundary');
      assert.ok(app.get(SubscriptionService, { strict: false }));
      const feed = app.get(QuoteFeed, { strict: false });
      const index = app.get(SubscriptionIndex, { strict: false });
      assert.equal((feed as unknown as { sink: unknown }).sink, index, 'the feed delivers to the subscriptions');
    } finally {
      await app.close();
    }
  });
});
