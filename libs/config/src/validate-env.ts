import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Thrown at start-up when an environment variable is invalid; the message names each one. */
export class ConfigValidationError extends Error {
  override name = 'ConfigValidationError';
}

/**
 * Reads the variables a class declares (its properties, each with a default) from `env`,
 * converts them to the declared types and validates them with class-validator.
 * An empty value counts as unset, so `FOO=` in a .env file keeps the default.
 */
export function validateEnv<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const names = Object.keys(new cls());
  const raw: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const config = plainToInstance(cls, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const given = raw[e.property] ?? '(default)';
      return `  ${e.property}=${JSON.stringify(given)}: ${Object.values(e.constraints ?? {}).join('; ')}`;
    });
    throw new ConfigValidationError(`Invalid environment configuration:\n${lines.join('\n')}`);
  }
  return config;
}
