/**
 * `.indexignore` files as opm reads them (joelanford/ignore over go-git's
 * gitignore patterns): each file's patterns apply below the folder holding
 * it; `#` comments and blank lines skipped; `!` re-includes; a trailing `/`
 * matches folders only; a pattern with a `/` is anchored to that folder
 * (`**` spans folders), one without matches any path component; lines are
 * trimmed. The last matching pattern wins, files taken in fs.WalkDir order.
 */

import { comparePaths } from './declcfg-write.js';

interface Pattern {
  domain: string[];
  parts: string[];
  include: boolean;
  dirOnly: boolean;
  glob: boolean;
}

export function indexIgnoreMatcher(
  files: readonly { path: string; text: string }[],
): (path: string) => boolean {
  const patterns: Pattern[] = [];
  // joelanford/ignore collects them in fs.WalkDir order; the last matching pattern wins.
  const ordered = [...files].sort((a, b) => comparePaths(a.path, b.path));
  for (const file of ordered) {
    const domain = file.path.split('/').slice(0, -1);
    for (const line of file.text.split(/\r?\n/)) {
      const pattern = parsePattern(line, domain);
      if (pattern) patterns.push(pattern);
    }
  }
  if (patterns.length === 0) return () => false;
  return (path) => {
    const parts = path.split('/');
    for (let i = patterns.length - 1; i >= 0; i--) {
      const p = patterns[i] as Pattern;
      if (matches(p, parts)) return !p.include;
    }
    return false;
  };
}

function parsePattern(raw: string, domain: string[]): Pattern | undefined {
  // Lines are trimmed first (so a trailing `\ ` escape cannot survive either).
  const line = raw.trim();
  if (line.startsWith('#') || line === '') return undefined;
  let p = line;
  let include = false;
  if (p.startsWith('!')) {
    include = true;
    p = p.slice(1);
  }
  if (!p.endsWith('\\ ')) p = p.replace(/ +$/, '');
  let dirOnly = false;
  if (p.endsWith('/')) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  return { domain, parts: p.split('/'), include, dirOnly, glob: p.includes('/') };
}

/** A file's path (never a folder: opm asks about files only). */
function matches(p: Pattern, full: string[]): boolean {
  if (full.length <= p.domain.length) return false;
  for (let i = 0; i < p.domain.length; i++) if (full[i] !== p.domain[i]) return false;
  const path = full.slice(p.domain.length);
  return p.glob ? globMatch(p, path) : simpleMatch(p, path);
}

function simpleMatch(p: Pattern, path: string[]): boolean {
  for (let i = 0; i < path.length; i++) {
    if (nameMatch(p.parts[0] as string, path[i] as string)) return !(p.dirOnly && i === path.length - 1);
  }
  return false;
}

function globMatch(p: Pattern, input: string[]): boolean {
  let path = input;
  let matched = false;
  let canTraverse = false;
  for (let i = 0; i < p.parts.length; i++) {
    const part = p.parts[i] as string;
    if (part === '') {
      canTraverse = false;
      continue;
    }
    if (part === '**') {
      if (i === p.parts.length - 1) break;
      canTraverse = true;
      continue;
    }
    if (part.includes('**')) return false;
    if (path.length === 0) return false;
    if (canTraverse) {
      canTraverse = false;
      while (path.length > 0) {
        const e = path[0] as string;
        path = path.slice(1);
        if (nameMatch(part, e)) {
          matched = true;
          break;
        }
        if (path.length === 0) matched = false;
      }
    } else {
      if (!nameMatch(part, path[0] as string)) return false;
      matched = true;
      path = path.slice(1);
    }
  }
  if (matched && p.dirOnly && path.length === 0) matched = false;
  return matched;
}

const compiled = new Map<string, RegExp | null>();

/** Go's filepath.Match for one path component (`*`, `?`, `[...]`, `\` escapes); a bad pattern matches nothing. */
function nameMatch(pattern: string, name: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = globRegExp(pattern);
    if (compiled.size < 1000) compiled.set(pattern, re);
  }
  return re?.test(name) === true;
}

function globRegExp(pattern: string): RegExp | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return null;
      out += escapeRegExp(pattern.charAt(i));
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return null;
      let body = pattern.slice(i + 1, end);
      let negate = false;
      if (body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      const escaped = body.replace(/[\]\\^]/g, (m) => `\\${m}`);
      out += `[${negate ? '^' : ''}${escaped}]`;
      i = end;
    } else out += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${out}$`, 'su');
  } catch {
    return null;
  }
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
