/**
 * WeChat's XML, read safely and written correctly.
 *
 * Reading: size is capped. WeChat's usual flat shape is read by hand (readFlatXml); anything
 * else takes the general path, where a DOCTYPE or entity declaration is refused before the
 * parser sees the body (no entity expansion, no external entities, no "billion laughs"); the
 * parser itself runs with entity processing off, and only XML's five predefined entities and
 * character references are decoded, by hand. Values stay strings: a MsgId is a 64-bit integer
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
  const flat = readFlatXml(text);
  return flat ? { ok: true, root: flat } : parseAnyXml(text);
}

/** The general path: any well-formed XML without declarations, through the validator and the parser. */
export function parseAnyXml(text: string): XmlParsed {
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

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isNameChar = (c: number, first: boolean) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (!first && ((c >= 0x30 && c <= 0x39) || c === 0x5f));
function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}
/** `text.startsWith(literal, at)` for ASCII literals; char by char is faster on short ones. */
function hasAt(text: string, at: number, literal: string): boolean {
  if (at + literal.length > text.length) return false;
  for (let i = 0; i < literal.length; i++) if (text.charCodeAt(at + i) !== literal.charCodeAt(i)) return false;
  return true;
}

/**
 * The shape WeChat posts (nearly every message): `<xml>` holding distinct leaf fields, each
 * one CDATA section or plain text, with only whitespace between. Read by hand in one pass,
 * which costs a small fraction of validating and parsing. Anything else (nested fields,
 * repeated ones, entities, attributes, comments, declarations...) returns null and takes
 * the general path: there is no `<!` here but `<![CDATA[`, so nothing to expand. Gives the
 * same fields as the general path (tested against it).
 */
export function readFlatXml(text: string): XmlNode | null {
  let at = skipSpace(text, 0);
  if (!hasAt(text, at, '<xml>')) return null;
  at += 5;
  const node: XmlNode = {};
  let fields = 0;
  for (;;) {
    at = skipSpace(text, at);
    // An empty root is the general path's error to report.
    if (hasAt(text, at, '</xml>')) return fields > 0 && skipSpace(text, at + 6) === text.length ? node : null;
    if (text.charCodeAt(at) !== 0x3c) return null;
    let nameEnd = at + 1;
    while (nameEnd - at <= 64 && isNameChar(text.charCodeAt(nameEnd), nameEnd === at + 1)) nameEnd++;
    const name = text.slice(at + 1, nameEnd);
    // `in`, not hasOwn: a name the prototype has (toString...) is refused too, never set.
    if (name === '' || text.charCodeAt(nameEnd) !== 0x3e || name in node) return null;
    const start = nameEnd + 1;
    const inner = skipSpace(text, start);
    let end: number;
    if (hasAt(text, inner, '<![CDATA[')) {
      const cdataEnd = text.indexOf(']]>', inner + 9);
      if (cdataEnd < 0) return null;
      node[name] = text.slice(inner + 9, cdataEnd);
      end = skipSpace(text, cdataEnd + 3);
    } else {
      end = text.indexOf('<', start);
      if (end < 0) return null;
      const value = text.slice(start, end);
      if (value.includes('&')) return null;
      node[name] = value;
    }
    // The closing tag: `</`, the same name, `>`.
    if (!hasAt(text, end, '</') || !hasAt(text, end + 2, name) || text.charCodeAt(end + 2 + name.length) !== 0x3e) return null;
    at = end + name.length + 3;
    fields++;
  }
}

/** A field as a string: the first one if it is repeated; undefined when absent or a node. */
export function field(node: XmlNode, name: string): string | undefined {
  let value = node[name];
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' ? value : undefined;
}

// Characters XML 1.0 cannot contain, even in CDATA, and lone surrogates.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const HAS_NOT_XML = new RegExp(NOT_XML.source);

export function cdata(value: string): string {
  // Checked before rewriting: nearly every value has nothing to drop or split.
  const clean = HAS_NOT_XML.test(value) ? value.replace(NOT_XML, '') : value;
  return `<![CDATA[${clean.includes(']]>') ? clean.split(']]>').join(']]]]><![CDATA[>') : clean}]]>`;
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
