/**
 * The hand-written reader of WeChat's flat XML (readFlatXml) against the general path
 * (validator + fast-xml-parser): whatever the reader accepts, it reads to the same fields;
 * whatever it is not sure of, it leaves to the general path.
 */
import { readdirSync } from 'node:fs';
import { parseAnyXml, parseWechatXml, readFlatXml } from '../../channels/wechat/xml.js';
import { fromRoot } from '../../src/paths.js';
import { fixture } from './support.js';

/** The reader's answer must be the general path's, whenever it gives one. */
function agrees(text: string): 'flat' | 'general' {
  const flat = readFlatXml(text);
  if (flat === null) return 'general';
  expect(parseAnyXml(text)).toEqual({ ok: true, root: flat });
  return 'flat';
}

test('every recorded payload reads the same either way; the flat ones take the short path', () => {
  const names = readdirSync(fromRoot('channels', 'wechat', 'fixtures')).filter((n) => n.endsWith('.xml'));
  const paths = Object.fromEntries(names.map((n) => [n, agrees(fixture(n))]));
  expect(paths).toMatchObject({ 'text.xml': 'flat', 'image.xml': 'flat', 'event-location.xml': 'flat', 'event-click.xml': 'flat' });
  // Two CDATA sections in one field (a `]]>` in the text), a DOCTYPE, broken XML: the general path.
  expect(paths).toMatchObject({ 'text-cdata-tricky.xml': 'general', 'refused-doctype.xml': 'general', 'refused-malformed.xml': 'general' });
  for (const name of names) expect(parseWechatXml(fixture(name))).toEqual(parseAnyXml(fixture(name)));
});

test.each([
  ['whitespace and newlines around fields and CDATA', '\n<xml>\n  <A> <![CDATA[ x ]]>\n </A>\r\n\t<B>12</B>\n</xml>\n'],
  ['empty fields', '<xml><A></A><B><![CDATA[]]></B></xml>'],
  ['markup-like text inside CDATA', '<xml><Content><![CDATA[<xml></Content> <!DOCTYPE x> &amp; ]]></Content></xml>'],
  ['> in plain text', '<xml><A>a > b</A></xml>'],
  ['names with digits and underscores', '<xml><Location_X>23.1</Location_X><Field2>x</Field2></xml>'],
  ['non-ASCII and emoji', '<xml><Content><![CDATA[你好 😀]]></Content></xml>'],
])('read by hand: %s', (_name, text) => {
  expect(agrees(text)).toBe('flat');
});

test.each([
  ['a nested field', '<xml><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType></ScanCodeInfo></xml>'],
  ['a repeated field', '<xml><A>1</A><A>2</A></xml>'],
  ['an entity reference', '<xml><A>a &amp; b</A></xml>'],
  ['an attribute', '<xml><A x="1">a</A></xml>'],
  ['a self-closing field', '<xml><A/></xml>'],
  ['an XML declaration', '<?xml version="1.0"?><xml><A>a</A></xml>'],
  ['a comment', '<xml><!-- c --><A>a</A></xml>'],
  ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY a "b">]><xml><A>&a;</A></xml>'],
  ['a declaration after a CDATA', '<xml><![CDATA[x]]><!DOCTYPE y></xml>'],
  ['two CDATA sections', '<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A></xml>'],
  ['text after a CDATA', '<xml><A><![CDATA[a]]>b</A></xml>'],
  ['a mismatched closing tag', '<xml><A>a</B></xml>'],
  ['a closing tag that only starts the same', '<xml><A>a</AB></xml>'],
  ['an unclosed root', '<xml><A>a</A>'],
  ['something after the root', '<xml><A>a</A></xml><xml/>'],
  ['another root', '<root><A>a</A></root>'],
  ['an empty root', '<xml>\n</xml>'],
  ['a name the prototype has', '<xml><toString>a</toString></xml>'],
  ['a name starting with _', '<xml><__proto__>a</__proto__></xml>'],
  ['a name with a dash', '<xml><A-B>a</A-B></xml>'],
])('left to the general path: %s', (_name, text) => {
  expect(readFlatXml(text)).toBeNull();
});

test('random flat documents: the reader agrees with the general path, and reads most of them itself', () => {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    // The high bits: the low bits of this generator repeat with a short period.
    return Math.floor((seed / 2 ** 31) * n);
  };
  const pieces = ['a', '字', ' ', '\n', '<', '>', '&', ']', ']]>', '<![CDATA[', '"', '😀', 'x y', '</A>', '&amp;', '\t', '\u0001', '\u0000', '\uFFFE'];
  const names = ['ToUserName', 'Content', 'MsgId', 'A', 'Location_X', 'B2'];
  const space = () => [' ', '\n', '', '\r\n', '\t'][random(5)]!;
  let flat = 0;
  for (let i = 0; i < 2000; i++) {
    const fields = names.filter(() => random(3) > 0).map((name) => {
      const value = Array.from({ length: random(6) }, () => pieces[random(pieces.length)]).join('');
      const body = random(2) === 0 ? `${space()}<![CDATA[${value}]]>${space()}` : value;
      return `${space()}<${name}>${body}</${name}>`;
    });
    if (agrees(`${space()}<xml>${fields.join('')}${space()}</xml>${space()}`) === 'flat') flat++;
  }
  expect(flat).toBeGreaterThan(200);
});
