/**
 * Python's `re.sub` replacement template (the `new` of a replace_registry
 * rule): `\1`…`\99`, `\g<n>`, `\g<name>`, the escapes Python knows; a `$`
 * is plain text.
 */

import { fail } from './python-regexp-error.js';

/** The groups of the pattern a template refers to: how many, and the named ones' numbers. */
export interface PatternGroups {
  groupCount: number;
  names: Map<string, number>;
}

const TEMPLATE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Python's replacement template: literal text and group numbers (0 = the whole match). */
export function parseTemplate(repl: string, pattern: PatternGroups): (string | number)[] {
  const parts: (string | number)[] = [];
  let text = '';
  const group = (index: number) => {
    if (index > pattern.groupCount) fail(`new: invalid group reference ${index}`);
    parts.push(text, index);
    text = '';
  };
  for (let i = 0; i < repl.length; ) {
    const c = repl[i] as string;
    if (c !== '\\') {
      text += c;
      i++;
      continue;
    }
    const next = repl[i + 1];
    if (next === undefined) fail('new: bad escape (end of replacement)');
    if (next === 'g') {
      const m = /^\\g<([^>]*)>/.exec(repl.slice(i));
      if (!m) fail('new: missing < or > after \\g');
      const ref = (m as RegExpExecArray)[1] as string;
      if (/^\d+$/.test(ref)) group(Number(ref));
      else {
        const index = pattern.names.get(ref);
        if (index === undefined) fail(`new: unknown group name '${ref}'`);
        group(index as number);
      }
      i += (m as RegExpExecArray)[0].length;
      continue;
    }
    if (next === '0') {
      const m = /^\\(0[0-7]{0,2})/.exec(repl.slice(i)) as RegExpExecArray;
      text += String.fromCodePoint(Number.parseInt(m[1] as string, 8));
      i += m[0].length;
      continue;
    }
    if (/[1-9]/.test(next)) {
      const octal = /^\\([0-3][0-7]{2})/.exec(repl.slice(i));
      if (octal) {
        text += String.fromCodePoint(Number.parseInt(octal[1] as string, 8));
        i += 4;
        continue;
      }
      const m = /^\\(\d\d?)/.exec(repl.slice(i)) as RegExpExecArray;
      group(Number(m[1]));
      i += m[0].length;
      continue;
    }
    const escaped = TEMPLATE_ESCAPES[next];
    if (escaped !== undefined) {
      text += escaped;
      i += 2;
      continue;
    }
    if (/[A-Za-z]/.test(next)) fail(`new: bad escape \\${next}`);
    // Python keeps other escapes as written: backslash and character.
    text += `\\${next}`;
    i += 2;
  }
  parts.push(text);
  return parts.filter((p) => p !== '');
}
