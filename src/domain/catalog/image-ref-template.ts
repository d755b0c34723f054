/**
 * opm's `--alpha-image-ref-template` (a Go text/template) for the fields opm
 * gives it: `{{.Package}}`, `{{.Name}}` (the CSV name) and `{{.Version}}`,
 * e.g. `quay.io/org/{{.Package}}-bundle:v{{.Version}}`. Spaces inside the
 * braces and Go's trim markers (`{{- .Name -}}`) are accepted; any other
 * action is refused when the template is parsed, before anything is rendered.
 */
import type { ImageRefFacts } from './render-bundle.js';
import { RenderError } from './render-error.js';

export type ImageRefTemplate = (facts: ImageRefFacts) => string;

const FIELDS: ReadonlySet<string> = new Set(['Package', 'Name', 'Version']);
const ACTION = /^(-\s)?\s*\.([A-Za-z0-9_]+)\s*(\s-)?$/;

export function parseImageRefTemplate(template: string): ImageRefTemplate {
  const parts: (string | keyof ImageRefFacts)[] = [];
  let rest = template;
  let trimNext = false;
  for (;;) {
    const open = rest.indexOf('{{');
    let text = open < 0 ? rest : rest.slice(0, open);
    if (trimNext) text = text.trimStart();
    if (open < 0) {
      parts.push(text);
      break;
    }
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new RenderError(`The image reference template has an unclosed action: ${template}`);
    const action = ACTION.exec(rest.slice(open + 2, close));
    if (!action || !FIELDS.has(action[2]!)) {
      throw new RenderError(
        `The image reference template may only use {{.Package}}, {{.Name}} and {{.Version}}: ${rest.slice(open, close + 2)}`,
      );
    }
    parts.push(action[1] ? text.trimEnd() : text, action[2] as keyof ImageRefFacts);
    trimNext = action[3] !== undefined;
    rest = rest.slice(close + 2);
  }
  return (facts) =>
    parts.map((part, i) => (i % 2 === 1 ? facts[part as keyof ImageRefFacts] : part)).join('');
}
