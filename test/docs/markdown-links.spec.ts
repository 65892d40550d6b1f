import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** README.md, BENCHMARKS.md and every Markdown file under docs/, relative to the repository. */
function documents(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'), { recursive: true }).map(String).filter((f) => f.endsWith('.md'));
  return ['README.md', 'BENCHMARKS.md', ...docs.map((f) => path.join('docs', f))];
}

/** The text outside fenced code blocks and inline code spans, where links are links; lines stay where they were. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, '')).replace(/`[^`\n]*`/g, '');
}

/**
 * The anchors GitHub gives a file's headings: the heading's text, lower-cased, without markup and
 * punctuation (letters, digits, spaces, `-` and `_` stay), spaces turned into `-`; a repeated anchor
 * gets `-1`, `-2`, ... (github-slugger's rules).
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '')
      .replace(/(^|\s)_+|_+(\s|$)/g, '$1$2');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Each inline link or image target of a document, with its line. */
function links(markdown: string): { target: string; line: number }[] {
  const found: { target: string; line: number }[] = [];
  prose(markdown)
    .split('\n')
    .forEach((text, i) => {
      for (const [, target] of text.matchAll(/!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)) found.push({ target, line: i + 1 });
    });
  return found;
}

/** What is wrong with one relative link, or null. */
function brokenLink(from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null;
  const [file, anchor] = target.split('#', 2) as [string, string | undefined];
  const resolved = file === '' ? path.join(ROOT, from) : path.resolve(path.join(ROOT, path.dirname(from)), decodeURIComponent(file));
  if (!resolved.startsWith(ROOT)) return 'leaves the repository';
  if (!existsSync(resolved)) return 'no such file';
  if (anchor === undefined) return null;
  if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) return 'an anchor into a file that is not Markdown';
  return headingAnchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor).toLowerCase()) ? null : 'no such heading';
}

describe('links in README.md, BENCHMARKS.md and docs/', () => {
  it('makes GitHub\'s anchors from headings', () => {
    const anchors = headingAnchors('# The door: origins, addresses\n## `WS_AUTH_MODE` and **JWTs**\n## Tests\n## Tests\n```\n# not a heading\n```\n## Scaled out: Redis Cluster, HAProxy & monitoring');
    assert.deepEqual([...anchors], ['the-door-origins-addresses', 'ws_auth_mode-and-jwts', 'tests', 'tests-1', 'scaled-out-redis-cluster-haproxy--monitoring']);
  });

  it('finds every relative link and #anchor in place', () => {
    const broken: string[] = [];
    for (const doc of documents()) {
      for (const { target, line } of links(readFileSync(path.join(ROOT, doc), 'utf8'))) {
        const problem = brokenLink(doc, target);
        if (problem) broken.push(`${doc}:${line} ${target}: ${problem}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
