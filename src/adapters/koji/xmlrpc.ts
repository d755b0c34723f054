/**
 * A small XML-RPC codec (https://xmlrpc.com/spec.md) with the two extensions
 * Koji's hub speaks: `<nil/>` and `<i8>`. Web APIs only, so it runs on edge
 * runtimes.
 *
 * Value mapping:
 * - string ↔ `<string>` (a bare `<value>text</value>` decodes as a string too)
 * - number: safe integers in int32 range ↔ `<int>`/`<i4>`, other safe integers
 *   → `<i8>`, other finite numbers ↔ `<double>`; NaN/±Infinity are refused
 * - bigint ↔ `<i8>` (decoding gives a bigint only beyond Number's safe range)
 * - boolean ↔ `<boolean>`, null/undefined ↔ `<nil/>`
 * - Uint8Array ↔ `<base64>`, Date ↔ `<dateTime.iso8601>` (UTC, no zone suffix)
 * - arrays ↔ `<array>`, plain objects ↔ `<struct>` (undefined members omitted)
 */

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fromBase64, toBase64 } from '../../domain/base64.js';

export type XmlRpcValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | Date
  | XmlRpcValue[]
  | XmlRpcStruct;

export interface XmlRpcStruct {
  [member: string]: XmlRpcValue;
}

/** What encodeCall takes: decoded values, plus `undefined` (nil; omitted as a struct member). */
export type XmlRpcParam = XmlRpcValue | undefined | XmlRpcParam[] | { [member: string]: XmlRpcParam };

/** The server answered a `<fault>`. */
export class XmlRpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(`XML-RPC fault ${faultCode}: ${faultString}`);
    this.name = 'XmlRpcFault';
  }
}

/** The answer is not well-formed XML or not a valid XML-RPC methodResponse. */
export class XmlRpcParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRpcParseError';
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const I8_MIN = -(2n ** 63n);
const I8_MAX = 2n ** 63n - 1n;

// Characters XML 1.0 cannot carry at all, not even as character references.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of this pattern
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** True when the text can travel in an XML document (XML 1.0 character range). */
export function isXmlSafe(text: string): boolean {
  return !NOT_XML_CHAR.test(text);
}

export function encodeCall(method: string, params: readonly XmlRpcParam[] = []): string {
  const encodedParams = params.map((param) => `<param>${encodeValue(param)}</param>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>${escapeXml(method)}</methodName><params>${encodedParams}</params></methodCall>`;
}

function encodeValue(value: XmlRpcParam): string {
  return `<value>${encodeInner(value)}</value>`;
}

function encodeInner(value: XmlRpcParam): string {
  if (value === null || value === undefined) return '<nil/>';
  if (typeof value === 'string') return `<string>${escapeXml(value)}</string>`;
  if (typeof value === 'boolean') return `<boolean>${value ? 1 : 0}</boolean>`;
  if (typeof value === 'bigint') {
    if (value < I8_MIN || value > I8_MAX) throw new RangeError(`XML-RPC cannot encode the integer ${value}`);
    return `<i8>${value}</i8>`;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`XML-RPC cannot encode the number ${value}`);
    if (Number.isSafeInteger(value)) {
      return value >= INT32_MIN && value <= INT32_MAX ? `<int>${value}</int>` : `<i8>${value}</i8>`;
    }
    return `<double>${value}</double>`;
  }
  if (value instanceof Uint8Array) return `<base64>${toBase64(value)}</base64>`;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('XML-RPC cannot encode an invalid Date');
    return `<dateTime.iso8601>${formatDateTime(value)}</dateTime.iso8601>`;
  }
  if (Array.isArray(value)) return `<array><data>${value.map(encodeValue).join('')}</data></array>`;
  const members = Object.entries(value)
    .filter(([, member]) => member !== undefined)
    .map(([name, member]) => `<member><name>${escapeXml(name)}</name>${encodeValue(member)}</member>`);
  return `<struct>${members.join('')}</struct>`;
}

function escapeXml(text: string): string {
  if (!isXmlSafe(text)) throw new RangeError('XML-RPC cannot encode a string with control characters');
  // `\r` is escaped because XML parsers normalise literal line ends to `\n`.
  return text.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

function formatDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(date.getUTCFullYear()).padStart(4, '0')}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

// ---------------------------------------------------------------- decoding

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Whitespace inside <string> is data; entities are decoded below, strictly.
  trimValues: false,
  parseTagValue: false,
  processEntities: false,
  cdataPropName: '#cdata',
});

/** Decodes a methodResponse: its single value, or throws XmlRpcFault / XmlRpcParseError. */
export function decodeResponse(xml: string): XmlRpcValue {
  const root = parseDocument(xml, 'methodResponse');
  const [child, ...rest] = elements(root.children, 'methodResponse');
  if (!child || rest.length > 0)
    throw malformed('methodResponse must hold exactly one of <params> or <fault>');
  if (child.name === 'fault') {
    const fault = decodeValue(single(child.children, 'value', 'fault'));
    if (!isXmlRpcStruct(fault)) throw malformed('<fault> must hold a struct');
    const { faultCode, faultString } = fault;
    if (typeof faultCode !== 'number' || typeof faultString !== 'string') {
      throw malformed('<fault> must hold faultCode (int) and faultString (string)');
    }
    throw new XmlRpcFault(faultCode, faultString);
  }
  if (child.name !== 'params') throw malformed(`unexpected <${child.name}> in methodResponse`);
  const param = single(child.children, 'param', 'params');
  return decodeValue(single(param.children, 'value', 'param'));
}

interface Element {
  name: string;
  children: XmlNode[];
}

function parseDocument(xml: string, rootName: string): Element {
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    throw malformed(`not well-formed XML (${verdict.err.msg}, line ${verdict.err.line})`);
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(xml);
  } catch (error) {
    throw malformed(`not well-formed XML (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!Array.isArray(nodes)) throw malformed('not well-formed XML');
  const roots = elements(nodes as XmlNode[], 'the document');
  const [root] = roots;
  if (!root || roots.length > 1) throw malformed('the document must have exactly one root element');
  if (root.name !== rootName) throw malformed(`expected <${rootName}>, got <${root.name}>`);
  return root;
}

/** The element children; text between them must be whitespace. */
function elements(nodes: XmlNode[], where: string): Element[] {
  const result: Element[] = [];
  for (const node of nodes) {
    const name = nodeName(node);
    if (name === '#text') {
      if (String(node['#text']).trim() !== '') throw malformed(`unexpected text in ${where}`);
      continue;
    }
    if (name === '#cdata') throw malformed(`unexpected CDATA in ${where}`);
    result.push({ name, children: (node[name] as XmlNode[] | undefined) ?? [] });
  }
  return result;
}

function single(nodes: XmlNode[], name: string, where: string): Element {
  const found = elements(nodes, `<${where}>`);
  const [first] = found;
  if (!first || found.length > 1 || first.name !== name) {
    throw malformed(`<${where}> must hold exactly one <${name}>`);
  }
  return first;
}

function nodeName(node: XmlNode): string {
  const name = Object.keys(node).find((key) => key !== ':@');
  if (name === undefined) throw malformed('empty XML node');
  return name;
}

function decodeValue(value: Element): XmlRpcValue {
  const typed = value.children.filter((node) => !isTextual(node));
  if (typed.length === 0) return text(value.children); // bare <value>text</value>
  const [inner] = elements(value.children, '<value>');
  if (!inner || typed.length > 1) throw malformed('<value> must hold one typed element');
  const body = inner.children;
  switch (inner.name) {
    case 'string':
      return text(body);
    case 'int':
    case 'i4':
    case 'i8':
    case 'i2':
    case 'i1':
    case 'ex:i8':
      return decodeInteger(text(body), inner.name);
    case 'boolean': {
      const raw = text(body).trim();
      if (raw === '1') return true;
      if (raw === '0') return false;
      throw malformed(`bad boolean "${raw}"`);
    }
    case 'double':
      return decodeDouble(text(body));
    case 'nil':
    case 'ex:nil':
      if (text(body).trim() !== '') throw malformed('<nil/> must be empty');
      return null;
    case 'base64':
      return decodeBase64(text(body));
    case 'dateTime.iso8601':
      return decodeDateTime(text(body));
    case 'array': {
      const data = single(body, 'data', 'array');
      return elements(data.children, '<data>').map((item) => {
        if (item.name !== 'value') throw malformed(`unexpected <${item.name}> in <data>`);
        return decodeValue(item);
      });
    }
    case 'struct':
      return decodeStruct(body);
    default:
      throw malformed(`unknown XML-RPC type <${inner.name}>`);
  }
}

function decodeStruct(nodes: XmlNode[]): XmlRpcStruct {
  const struct: XmlRpcStruct = {};
  for (const member of elements(nodes, '<struct>')) {
    if (member.name !== 'member') throw malformed(`unexpected <${member.name}> in <struct>`);
    const parts = elements(member.children, '<member>');
    const name = parts.find((part) => part.name === 'name');
    const value = parts.find((part) => part.name === 'value');
    if (parts.length !== 2 || !name || !value)
      throw malformed('<member> must hold one <name> and one <value>');
    // defineProperty: a member called "__proto__" must stay data, not become a prototype.
    Object.defineProperty(struct, text(name.children), {
      value: decodeValue(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return struct;
}

function isTextual(node: XmlNode): boolean {
  const name = nodeName(node);
  return name === '#text' || name === '#cdata';
}

/** Concatenated character data, entities decoded; any element inside is an error. */
function text(nodes: XmlNode[]): string {
  let result = '';
  for (const node of nodes) {
    const name = nodeName(node);
    if (name === '#text') result += decodeEntities(String(node['#text']));
    else if (name === '#cdata')
      result += (node[name] as XmlNode[]).map((part) => String(part['#text'] ?? '')).join('');
    else throw malformed(`unexpected <${name}> in character data`);
  }
  return result;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&([^;&\s]*);?/g, (match, entity: string) => {
    if (!match.endsWith(';')) throw malformed(`unterminated entity "${match}"`);
    const predefined = PREDEFINED[entity];
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(entity);
    if (!numeric) throw malformed(`unknown entity "${match}"`);
    const code =
      numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number.parseInt(numeric[2] ?? '', 10);
    const isXmlChar =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!isXmlChar) throw malformed(`character reference "${match}" is not an XML character`);
    return String.fromCodePoint(code);
  });
}

function decodeInteger(raw: string, type: string): number | bigint {
  const trimmed = raw.trim();
  if (!/^[+-]?[0-9]+$/.test(trimmed)) throw malformed(`bad <${type}> "${trimmed}"`);
  const big = BigInt(trimmed);
  if (big < I8_MIN || big > I8_MAX) throw malformed(`<${type}> ${trimmed} is out of range`);
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big;
}

function decodeDouble(raw: string): number {
  const trimmed = raw.trim();
  // Python's xmlrpc writes repr(float), which may be inf/nan.
  const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, nan: NaN };
  const value = special[trimmed.toLowerCase()];
  if (value !== undefined) return value;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(trimmed)) {
    throw malformed(`bad <double> "${trimmed}"`);
  }
  return Number(trimmed);
}

function decodeBase64(raw: string): Uint8Array {
  const compact = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw malformed('bad <base64>');
  try {
    return fromBase64(compact);
  } catch {
    throw malformed('bad <base64>');
  }
}

/** `19980717T14:08:55` (the spec's form) or ISO 8601 with dashes; no zone means UTC. */
function decodeDateTime(raw: string): Date {
  const trimmed = raw.trim();
  const match = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    trimmed,
  );
  if (!match) throw malformed(`bad <dateTime.iso8601> "${trimmed}"`);
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${offset}`);
  if (Number.isNaN(date.getTime())) throw malformed(`bad <dateTime.iso8601> "${trimmed}"`);
  return date;
}

export function isXmlRpcStruct(value: XmlRpcValue | undefined): value is XmlRpcStruct {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}

function malformed(reason: string): XmlRpcParseError {
  return new XmlRpcParseError(`malformed XML-RPC response: ${reason}`);
}
