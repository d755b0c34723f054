import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  decodeResponse,
  encodeCall,
  XmlRpcFault,
  XmlRpcParseError,
  type XmlRpcValue,
} from '../../../src/adapters/koji/xmlrpc.js';

const respond = (value: string) =>
  `<?xml version="1.0"?><methodResponse><params><param><value>${value}</value></param></params></methodResponse>`;

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('encodeCall', () => {
  it('writes a methodCall envelope with the method name and one param per argument', () => {
    const xml = encodeCall('getBuild', ['etcd-0.9.2-1']);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>getBuild</methodName>' +
        '<params><param><value><string>etcd-0.9.2-1</string></value></param></params></methodCall>',
    );
  });

  it('writes an empty params element for a call without arguments', () => {
    expect(encodeCall('getAPIVersion', [])).toContain(
      '<methodName>getAPIVersion</methodName><params></params>',
    );
  });

  it('types scalars', () => {
    const xml = encodeCall('m', [42, -7, 2 ** 40, 1.5, true, false, null, undefined, 12n]);
    expect(xml).toContain('<value><int>42</int></value>');
    expect(xml).toContain('<value><int>-7</int></value>');
    expect(xml).toContain(`<value><i8>${2 ** 40}</i8></value>`);
    expect(xml).toContain('<value><double>1.5</double></value>');
    expect(xml).toContain('<value><boolean>1</boolean></value><');
    expect(xml).toContain('<value><boolean>0</boolean></value>');
    expect(xml.match(/<value><nil\/><\/value>/g)).toHaveLength(2);
    expect(xml).toContain('<value><i8>12</i8></value>');
  });

  it('writes arrays, structs (skipping undefined members), base64 and dates', () => {
    const xml = encodeCall('m', [
      ['a', 1],
      { name: 'x', nested: { ok: true }, skipped: undefined },
      new Uint8Array([0, 1, 2, 250]),
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    ]);
    expect(xml).toContain(
      '<array><data><value><string>a</string></value><value><int>1</int></value></data></array>',
    );
    expect(xml).toContain(
      '<struct><member><name>name</name><value><string>x</string></value></member>' +
        '<member><name>nested</name><value><struct><member><name>ok</name><value><boolean>1</boolean></value></member></struct></value></member></struct>',
    );
    expect(xml).not.toContain('skipped');
    expect(xml).toContain('<base64>AAEC+g==</base64>');
    expect(xml).toContain('<dateTime.iso8601>20240102T03:04:05</dateTime.iso8601>');
  });

  it('escapes XML in strings, member names and the method name', () => {
    const xml = encodeCall('a&b', ['<x> & "y" ]]> \r\n', { '<k>': 1 }]);
    expect(xml).toContain('<methodName>a&amp;b</methodName>');
    expect(xml).toContain('<string>&lt;x&gt; &amp; "y" ]]&gt; &#13;\n</string>');
    expect(xml).toContain('<name>&lt;k&gt;</name>');
  });

  it('produces XML a standard parser reads back to the same text', () => {
    const text = 'tricky <&> ünïcødé \u{1F600} \t tab';
    const parsed = new XMLParser({ parseTagValue: false, trimValues: false }).parse(encodeCall('m', [text]));
    expect(parsed.methodCall.params.param.value.string).toBe(text);
  });

  it('refuses values XML-RPC cannot carry', () => {
    expect(() => encodeCall('m', [Number.NaN])).toThrow(RangeError);
    expect(() => encodeCall('m', [Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => encodeCall('m', ['bell \u0007'])).toThrow(RangeError);
    expect(() => encodeCall('m', [2n ** 64n])).toThrow(RangeError);
    expect(() => encodeCall('m', [new Date(Number.NaN)])).toThrow(RangeError);
  });
});

describe('decodeResponse', () => {
  it('decodes the scalar types', () => {
    expect(decodeResponse(respond('<string>hello</string>'))).toBe('hello');
    expect(decodeResponse(respond('<int>42</int>'))).toBe(42);
    expect(decodeResponse(respond('<i4> -3 </i4>'))).toBe(-3);
    expect(decodeResponse(respond('<i8>9007199254740991</i8>'))).toBe(9007199254740991);
    expect(decodeResponse(respond('<i8>9223372036854775807</i8>'))).toBe(9223372036854775807n);
    expect(decodeResponse(respond('<boolean>1</boolean>'))).toBe(true);
    expect(decodeResponse(respond('<boolean>0</boolean>'))).toBe(false);
    expect(decodeResponse(respond('<double>-1.25e2</double>'))).toBe(-125);
    expect(decodeResponse(respond('<double>inf</double>'))).toBe(Number.POSITIVE_INFINITY);
    expect(decodeResponse(respond('<nil/>'))).toBeNull();
    expect(decodeResponse(respond('<ex:nil/>'))).toBeNull();
  });

  it('reads a bare <value>text</value> as a string, whitespace kept', () => {
    expect(decodeResponse(respond('  bare text '))).toBe('  bare text ');
    expect(decodeResponse(respond(''))).toBe('');
    expect(decodeResponse(respond('<string></string>'))).toBe('');
    expect(decodeResponse(respond('<string>  padded\n</string>'))).toBe('  padded\n');
  });

  it('decodes entities, character references and CDATA exactly once', () => {
    expect(decodeResponse(respond('<string>a &amp;lt; &lt;b&gt; &#65;&#x42; &quot;&apos;</string>'))).toBe(
      'a &lt; <b> AB "\'',
    );
    expect(decodeResponse(respond('<string><![CDATA[<raw> &amp;]]> tail</string>'))).toBe('<raw> &amp; tail');
    expect(decodeResponse(respond('<string>line&#13;\nnext</string>'))).toBe('line\r\nnext');
  });

  it('decodes base64 and dateTime.iso8601', () => {
    expect(decodeResponse(respond('<base64>AAEC\n+g==</base64>'))).toEqual(new Uint8Array([0, 1, 2, 250]));
    expect(decodeResponse(respond('<dateTime.iso8601>20240102T03:04:05</dateTime.iso8601>'))).toEqual(
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    );
    expect(decodeResponse(respond('<dateTime.iso8601>2024-01-02T03:04:05+02:00</dateTime.iso8601>'))).toEqual(
      new Date(Date.UTC(2024, 0, 2, 1, 4, 5)),
    );
  });

  it('decodes nested structs and arrays as formatted by Python', () => {
    const xml = `<?xml version='1.0'?>
<methodResponse>
<params>
<param>
<value><struct>
<member>
<name>id</name>
<value><int>7</int></value>
</member>
<member>
<name>extra</name>
<value><struct>
<member>
<name>typeinfo</name>
<value><struct>
<member>
<name>operator-manifests</name>
<value><struct>
<member>
<name>archive</name>
<value><string>operator_manifests.zip</string></value>
</member>
</struct></value>
</member>
</struct></value>
</member>
</struct></value>
</member>
<member>
<name>epoch</name>
<value><nil/></value></member>
<member>
<name>logs</name>
<value><array><data>
<value><string>a</string></value>
<value>b</value>
<value><array><data>
</data></array></value>
</data></array></value>
</member>
</struct></value>
</param>
</params>
</methodResponse>
`;
    expect(decodeResponse(xml)).toEqual({
      id: 7,
      extra: { typeinfo: { 'operator-manifests': { archive: 'operator_manifests.zip' } } },
      epoch: null,
      logs: ['a', 'b', []],
    });
  });

  it('keeps a member called __proto__ as data', () => {
    const value = decodeResponse(
      respond(
        '<struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>1</value></member></struct></value></member></struct>',
      ),
    ) as Record<string, XmlRpcValue>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws XmlRpcFault for a fault answer', () => {
    const xml = `<?xml version='1.0'?>
<methodResponse>
<fault>
<value><struct>
<member>
<name>faultCode</name>
<value><int>1000</int></value>
</member>
<member>
<name>faultString</name>
<value><string>No such build: 12</string></value>
</member>
</struct></value>
</fault>
</methodResponse>`;
    const error = caught(() => decodeResponse(xml));
    expect(error).toBeInstanceOf(XmlRpcFault);
    expect(error).toMatchObject({ faultCode: 1000, faultString: 'No such build: 12' });
  });

  it.each([
    ['empty', ''],
    ['not XML', 'Internal Server Error'],
    ['HTML', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    [
      'unclosed tags',
      '<methodResponse><params><param><value><string>x</value></param></params></methodResponse>',
    ],
    ['truncated', respond('<string>x</string>').slice(0, 60)],
    ['two roots', `${respond('<int>1</int>')}<methodResponse/>`],
    ['no params', '<methodResponse></methodResponse>'],
    ['no param', '<methodResponse><params></params></methodResponse>'],
    [
      'two params',
      '<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>',
    ],
    ['unknown type', respond('<float>1</float>')],
    ['bad int', respond('<int>12abc</int>')],
    ['int out of range', respond('<i8>9223372036854775808</i8>')],
    ['bad boolean', respond('<boolean>yes</boolean>')],
    ['bad double', respond('<double>1.2.3</double>')],
    ['bad base64', respond('<base64>!!!</base64>')],
    ['bad date', respond('<dateTime.iso8601>yesterday</dateTime.iso8601>')],
    ['unknown entity', respond('<string>&nbsp;</string>')],
    ['unterminated entity', respond('<string>a &amp b</string>')],
    ['non-XML character reference', respond('<string>&#0;</string>')],
    ['two typed values', respond('<int>1</int><int>2</int>')],
    ['text beside a typed value', respond('x<int>1</int>')],
    ['member without value', respond('<struct><member><name>a</name></member></struct>')],
    ['fault without struct', '<methodResponse><fault><value>oops</value></fault></methodResponse>'],
    [
      'fault with wrong member types',
      '<methodResponse><fault><value><struct><member><name>faultCode</name><value>x</value></member></struct></value></fault></methodResponse>',
    ],
  ])('throws XmlRpcParseError for a malformed answer: %s', (_, xml) => {
    const error = caught(() => decodeResponse(xml));
    expect(error).toBeInstanceOf(XmlRpcParseError);
    expect((error as Error).message).toMatch(/^malformed XML-RPC response: /);
  });
});
