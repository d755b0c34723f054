/**
 * operator-courier's extra checks for the operatorhub.io UI (`verify
 * --ui_validate_io`, validate.py `_ui_validation_io` of 2.1.11): required and
 * recommended CSV fields, then their format. Messages verbatim, missing spaces
 * included. Where courier would crash on an odd value (a null annotations
 * map, unparsable alm-examples) the check is skipped instead: the base CSV
 * rules already report those.
 */
import {
  ANNOTATION_FIELDS,
  ANNOTATIONS_DESCRIPTION,
  CAPABILITY_LEVELS,
  CATEGORIES,
  MEDIA_TYPES,
  SPEC_FIELDS,
} from './operatorhub-fields.js';
import { isSemver } from './semver.js';
import { get, has, isObj, type Obj, type ValidationLog } from './validation-log.js';

/** The UI checks of one bundle's (or one version folder's) CSVs. */
export function validateUiIo(csvs: readonly unknown[], log: ValidationLog): void {
  // As in courier, once a CSV fails, the later CSVs' formats are not checked.
  let valid = true;
  for (const csv of csvs) {
    if (!fieldsExist(csv, log)) {
      log.error('UI validation failed to verify required fields for operatorhub.io exist.');
      valid = false;
    }
    if (valid && !fieldsWellFormed(csv as Obj, log)) {
      log.error(
        'UI validation failed to verify that required fields for operatorhub.io are properly formatted.',
      );
      valid = false;
    }
  }
}

function fieldsExist(csv: unknown, log: ValidationLog): boolean {
  if (!has(csv, 'metadata')) {
    log.error('csv metadata not defined.');
    return false;
  }
  const metadata = csv.metadata;
  if (!has(metadata, 'name')) {
    log.error('csv metadata.name not defined.');
    return false;
  }
  if (!has(csv, 'spec')) {
    log.error('csv spec not defined.');
    return false;
  }
  if (!has(metadata, 'annotations')) {
    log.error(`csv metadata.annotations not defined. ${ANNOTATIONS_DESCRIPTION}`);
    return false;
  }
  let valid = true;
  for (const rule of ANNOTATION_FIELDS) {
    if (!has(metadata.annotations, rule.field)) {
      // courier's message has no space before the description here (and one in the others).
      log.warning(`csv metadata.annotations.${rule.field} not defined.${rule.description}`);
    }
  }
  for (const rule of SPEC_FIELDS) {
    if (has(csv.spec, rule.field)) continue;
    const message = `csv spec.${rule.field} not defined. ${rule.description}`;
    if (rule.required) {
      log.error(message);
      valid = false;
    } else {
      log.warning(message);
    }
  }
  return valid;
}

function fieldsWellFormed(csv: Obj, log: ValidationLog): boolean {
  let valid = true;
  const fail = (message: string) => {
    log.error(message);
    valid = false;
  };
  const spec = csv.spec;
  const annotations = get(csv.metadata, 'annotations');

  checkAlmExamples(spec, annotations, log);

  const provider = get(spec, 'provider');
  if (isObj(provider)) {
    if (Object.keys(provider).length !== 1) fail('csv.spec.provider should be a singleton list.');
    else if (!has(provider, 'name')) fail('csv.spec.provider element should have a single field "name".');
  } else {
    fail('csv.spec.provider should contain a "name" field.');
  }

  // courier looks for a `maintainer` key before checking `maintainers`: kept, so verdicts agree.
  if (has(spec, 'maintainer')) {
    const maintainers = get(spec, 'maintainers');
    if (Array.isArray(maintainers)) {
      for (const maintainer of maintainers) {
        if (!has(maintainer, 'name') || !has(maintainer, 'email')) {
          fail('csv.spec.maintainers element should contain both name and email');
        } else if (!isEmail(maintainer.email)) {
          fail(`${py(maintainer.email)} is not a valid email`);
        }
      }
    } else {
      fail('csv.spec.maintainers must be a list of name & email pairs.');
    }
  }

  if (has(spec, 'links')) {
    const links = spec.links;
    if (Array.isArray(links)) {
      for (const link of links) {
        if (!has(link, 'name') || !has(link, 'url'))
          fail('csv.spec.links element should contain both name and url');
        else if (!isUrl(link.url)) fail(`${py(link.url)} is not a valid url`);
      }
    } else {
      fail('csv.spec.links must be a list of name & url pairs.');
    }
  }

  const version = get(spec, 'version');
  if (!isSemver(version)) {
    fail(`spec.version ${py(version)} is not a valid semver (example of a valid semver is: 1.0.12)`);
  }

  if (has(annotations, 'capabilities') && !CAPABILITY_LEVELS.includes(annotations.capabilities as string)) {
    fail(
      `metadata.annotations.capabilities ${py(annotations.capabilities)} is not a valid capabilities level`,
    );
  }

  if (has(spec, 'icon')) {
    const problem = iconProblem(spec.icon);
    if (problem) fail(problem);
  }

  if (has(annotations, 'categories')) {
    for (const part of String(annotations.categories).split(',')) {
      const category = part.trimStart();
      if (!CATEGORIES.includes(category)) fail(`category ${category} is not a valid category`);
    }
  }
  return valid;
}

function checkAlmExamples(spec: unknown, annotations: unknown, log: ValidationLog): void {
  const crds = get(spec, 'customresourcedefinitions');
  if (!has(crds, 'owned')) return;
  const owned = Array.isArray(crds.owned) ? crds.owned : [];
  if (!has(annotations, 'alm-examples')) {
    log.warning('You should have alm-examples for every owned CRD');
    return;
  }
  let examples: unknown;
  try {
    examples = JSON.parse(String(annotations['alm-examples']));
  } catch {
    return;
  }
  const kinds = Array.isArray(examples) ? examples.map((e) => get(e, 'kind')) : [];
  for (const crd of owned) {
    const kind = get(crd, 'kind');
    if (!kinds.includes(kind)) {
      log.warning(`${py(kind)} CRD does not have an entry in alm-examples - please add such an example CR.`);
    }
  }
}

function iconProblem(icons: unknown): string | undefined {
  if (!Array.isArray(icons)) return 'spec.icon should be a list';
  if (icons.length !== 1) return 'spec.icon should be a singleton list';
  const icon = icons[0];
  if (!isObj(icon) || Object.keys(icon).length !== 2) {
    return 'spec.icon can only contain two fields: "base64data" and "mediatype"';
  }
  if (!has(icon, 'base64data') || !has(icon, 'mediatype')) {
    return 'spec.icon[0] must contain the fields "base64data" and "mediatype".';
  }
  if (MEDIA_TYPES.includes(icon.mediatype as string)) return undefined;
  return `spec.icon[0].mediatype ${py(icon.mediatype)} is not a valid mediatype. It must be one of "image/gif", "image/jpeg", "image/png", "image/svg+xml"`;
}

/** python-validators' url(): http(s)/ftp, a dotted host name with an alphabetic TLD or an IPv4 address. */
const URL_PATTERN =
  /^(?:https?|ftp):\/\/(?:[-\p{L}\p{N}._~%!$&'()*+,;=:]+(?::[-a-z0-9._~%!$&'()*+,;=:]*)?@)?(?:(?:\d{1,3}\.){3}\d{1,3}|(?:(?:xn--|[\p{L}\p{N}]-?)*[\p{L}\p{N}]+)(?:\.(?:(?:xn--|[\p{L}\p{N}]-?)*[\p{L}\p{N}]+))*\.(?:xn--[\p{L}\p{N}]{2,}|\p{L}{2,}))(?::\d{2,5})?(?:\/[-\p{L}\p{N}._~%!$&'()*+,;=:@/]*)?(?:\?\S*)?(?:#\S*)?$/iu;

/** python-validators' email(): a dot-atom local part and a dotted domain. */
const EMAIL_PATTERN =
  /^[-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,6}\.?|[a-z0-9-]{2,}\.?)$/i;

function isUrl(value: unknown): boolean {
  return typeof value === 'string' && URL_PATTERN.test(value);
}

function isEmail(value: unknown): boolean {
  return typeof value === 'string' && EMAIL_PATTERN.test(value);
}

/** How Python's `%s` shows a YAML value in a message. */
function py(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
