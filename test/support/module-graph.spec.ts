import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardRef, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { duplicateProviders, importCycles } from './module-graph.js';

@Injectable()
class Budget {}

@Module({ providers: [Budget], exports: [Budget] })
class LimitsModule {}

@Module({ imports: [LimitsModule], providers: [Budget] })
class RestModule {}

@Module({ imports: [forwardRef(() => SubscriptionsModule)] })
class FeedModule {}

@Module({ imports: [forwardRef(() => FeedModule)] })
class SubscriptionsModule {}

describe('module graph checks', () => {
  it('find a class that a second module provides again, building a second instance', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [LimitsModule, RestModule] }).compile();
    assert.deepEqual(duplicateProviders(moduleRef), ['Budget in LimitsModule, RestModule']);
    assert.notEqual(moduleRef.select(LimitsModule).get(Budget, { strict: true }), moduleRef.select(RestModule).get(Budget, { strict: true }));
  });

  it('find two modules that import each other', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [FeedModule] }).compile();
    assert.deepEqual(importCycles(moduleRef), ['FeedModule -> SubscriptionsModule -> FeedModule']);
  });
});
