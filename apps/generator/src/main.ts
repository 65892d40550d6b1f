import { NestFactory } from '@nestjs/core';
import { generatorConfig } from '#app/config';
import { runApp } from '#app/runtime';
import { AppModule } from './app.module.js';

await runApp('generator', async (logger) => {
  const { port } = generatorConfig();
  const app = await NestFactory.create(AppModule, { logger, abortOnError: false });
  await app.listen(port);
  logger.log(`health on http://127.0.0.1:${port}/health`);
  return app;
});
