import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as config from '#app/config';
import { LogEnv } from '#app/runtime';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type EnvClass = new () => object;
/** Every env schema: the `*Env` classes libs/config exports, and the logger's. */
const SCHEMAS: Record<string, EnvClass> = {
  ...Object.fromEntries(Object.entries(config).filter(([name, value]) => /^[A-Z]\w*Env$/.test(name) && typeof value === 'function')),
  LogEnv,
} as Record<string, EnvClass>;

/** Variable name -> its default, as the schemas declare them. */
function schemaVariables(): Map<string, unknown> {
  const variables = new Map<string, unknown>();
  for (const cls of Object.values(SCHEMAS)) for (const [name, value] of Object.entries(new cls())) variables.set(name, value);
  return variables;
}

/** Variable name -> the value `.env.example` shows, or null when the line is commented out. */
function envExample(): Map<string, string | null> {
  const listed = new Map<string, string | null>();
  for (const match of read('.env.example').matchAll(/^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/gm)) listed.set(match[2], match[1] ? null : match[3]);
  return listed;
}

/** Variable name -> the default column of docs/configuration.md's tables. */
function documented(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of read('docs/configuration.md').matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|([^|]*)\|/gm)) rows.set(match[1], match[2].trim());
  return rows;
}

/** The classes every `validateEnv(SomeEnv)` in apps/ and libs/ passes. */
function validatedClasses(): Set<string> {
  const names = new Set<string>();
  for (const dir of ['apps', 'libs']) {
    for (const file of readdirSync(path.join(ROOT, dir), { recursive: true }).map(String)) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts') || file.includes('node_modules')) continue;
      for (const match of read(path.join(dir, file)).matchAll(/validateEnv\((\w+)[,)]/g)) names.add(match[1]);
    }
  }
  return names;
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe('docs/configuration.md and .env.example against the config schemas', () => {
  it('checks every schema the apps validate their environment with', () => {
    const unchecked = sorted([...validatedClasses()].filter((name) => !(name in SCHEMAS)));
    assert.deepEqual(unchecked, [], 'an env schema outside libs/config (export it there, or add it to SCHEMAS)');
  });

  it('documents every variable the schemas read, and none they do not', () => {
    const read = schemaVariables();
    const docs = documented();
    assert.deepEqual(sorted([...read.keys()].filter((name) => !docs.has(name))), [], 'read by the apps, missing from docs/configuration.md');
    assert.deepEqual(sorted([...docs.keys()].filter((name) => !read.has(name))), [], 'in docs/configuration.md, read by no app');
  });

  it('lists every variable the schemas read in .env.example, and none they do not', () => {
    const read = schemaVariables();
    const example = envExample();
    assert.deepEqual(sorted([...read.keys()].filter((name) => !example.has(name))), [], 'read by the apps, missing from .env.example');
    assert.deepEqual(sorted([...example.keys()].filter((name) => !read.has(name))), [], 'in .env.example, read by no app');
  });

  it('shows the defaults the schemas have, in both', () => {
    const wrong: string[] = [];
    for (const [name, value] of schemaVariables()) {
      const byDefault = value === undefined ? '' : String(value);
      const shown = envExample().get(name);
      if (shown !== null && shown !== undefined && shown !== byDefault) wrong.push(`.env.example ${name}=${shown}, default ${byDefault}`);
      const cell = documented().get(name);
      const code = cell === undefined ? undefined : /^`([^`]*)`$/.exec(cell)?.[1];
      if (cell !== undefined && cell !== '' && code === undefined && byDefault.length < 40) wrong.push(`docs ${name}: "${cell}" is not the default \`${byDefault}\``);
      if (cell === '' && byDefault !== '') wrong.push(`docs ${name}: no default shown, default ${byDefault}`);
      if (code !== undefined && code !== byDefault) wrong.push(`docs ${name}: \`${code}\`, default ${byDefault}`);
    }
    assert.deepEqual(wrong, []);
  });
});
