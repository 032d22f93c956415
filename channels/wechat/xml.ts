/**
 * WeChat's XML, read safely and written correctly.
 *
 * Reading: a DOCTYPE or entity declaration is refused before the parser sees the body (no
 * entity expansion, no external entities, no "billion laughs"); the parser itself runs with
 * entity processing off, and only XML's five predefined entities and character references
 * are decoded, by hand. Size is capped. Values stay strings: a MsgId is a 64-bit integer
 * and would lose digits as a JS number.
 *
 * Writing: every value goes into CDATA; `]]>` inside a value is split across two CDATA
 * sections, and characters XML 1.0 cannot carry are dropped, or WeChat rejects the reply.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export type XmlFailure = 'xml_forbidden' | 'xml_malformed' | 'xml_too_large';
export type XmlParsed = { ok: true; root: XmlNode } | { ok: false; reason: XmlFailure; message: string };

export const MAX_XML_BYTES = 64 * 1024;

const CDATA_PREFIX = '__cdata';
const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA_PREFIX,
});

/** `<!DOCTYPE` or `<!ENTITY` outside CDATA (inside CDATA it is only a customer's text). */
export function hasDoctypeOrEntity(text: string): boolean {
  const outsideCdata = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  return /<!\s*(DOCTYPE|ENTITY)/i.test(outsideCdata);
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (!name.startsWith('#')) return PREDEFINED[name] ?? whole;
    const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The parser's shape ({__cdata, #text}) into plain strings and nodes. */
function normalise(value: unknown): XmlValue {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return decodeEntities(String(value));
  const record = value as Record<string, unknown>;
  if (CDATA_PREFIX in record) {
    const cdata = record[CDATA_PREFIX];
    // Text around a CDATA section is whitespace in WeChat's payloads; the CDATA is the value.
    return Array.isArray(cdata) ? cdata.map(String).join('') : String(cdata);
  }
  const node: XmlNode = {};
  for (const [name, child] of Object.entries(record)) {
    if (name === '#text') continue;
    node[name] = normalise(child);
  }
  return node;
}

/** Parse a WeChat XML body: one `<xml>` root whose children become string fields. */
export function parseWechatXml(text: string, maxBytes = MAX_XML_BYTES): XmlParsed {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, reason: 'xml_too_large', message: `the XML is larger than ${maxBytes} bytes` };
  if (hasDoctypeOrEntity(text)) return { ok: false, reason: 'xml_forbidden', message: 'a DOCTYPE or entity declaration is not accepted' };
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { ok: false, reason: 'xml_malformed', message: `malformed XML: ${valid.err.msg}` };
  const document = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(document);
  const root = document.xml;
  if (roots.length !== 1 || root === undefined) return { ok: false, reason: 'xml_malformed', message: 'the document must have one <xml> root' };
  const node = normalise(root);
  if (typeof node !== 'object' || Array.isArray(node)) return { ok: false, reason: 'xml_malformed', message: 'the <xml> root has no fields' };
  return { ok: true, root: node };
}

/** A field as a string: the first one if it is repeated; undefined when absent or a node. */
export function field(node: XmlNode, name: string): string | undefined {
  let value = node[name];
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' ? value : undefined;
}

// Characters XML 1.0 cannot contain, even in CDATA, and lone surrogates.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cdata(value: string): string {
  return `<![CDATA[${value.replace(NOT_XML, '').split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

export type XmlFields = Array<[string, string | number | XmlFields]>;

/** `<xml>` with fields in order: strings in CDATA, numbers bare, nested lists as elements. */
export function buildXml(fields: XmlFields, root = 'xml'): string {
  const body = fields.map(([name, value]) => {
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new Error(`not an XML element name: ${name}`);
    if (typeof value === 'number') return `<${name}>${Math.trunc(value)}</${name}>`;
    if (typeof value === 'string') return `<${name}>${cdata(value)}</${name}>`;
    return buildXml(value, name);
  }).join('');
  return `<${root}>${body}</${root}>`;
}
