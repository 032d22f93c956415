/** Signatures and safe-mode encryption against the published vectors (fixtures/crypto-vectors.json). */
import { aesKeyFrom, decryptMessage, decryptWithKeys, encryptMessage } from '../../channels/wechat/crypto.js';
import { sealReply } from '../../channels/wechat/outbound.js';
import { signatureMatches, wechatSignature } from '../../channels/wechat/signature.js';
import { parseWechatXml, field } from '../../channels/wechat/xml.js';
import { vectors } from './support.js';

const key = aesKeyFrom(vectors.encodingAESKey);
// Another valid key, as after a rotation in the console.
const otherKey = aesKeyFrom('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');

describe('signature', () => {
  const plain = vectors.urlCheckPlain;
  const echo = vectors.checkEchoStr;

  test.each([
    ['official URL-check vector', [plain.token, plain.timestamp, plain.nonce], plain.signature],
    ['safe-mode echostr vector', [vectors.token, echo.timestamp, echo.nonce, echo.echostr], echo.signature],
    ['safe-mode message vector', [vectors.token, vectors.decrypt.timestamp, vectors.decrypt.nonce, vectors.decrypt.encrypt], vectors.decrypt.msgSignature],
  ])('%s', (_name, parts, expected) => {
    expect(wechatSignature(parts)).toBe(expected);
    expect(signatureMatches(expected, parts)).toBe(true);
    expect(signatureMatches(expected.toUpperCase(), parts)).toBe(true);
  });

  test('sorts the parts before joining (1714037059486452656AAAAA)', () => {
    expect(wechatSignature(['AAAAA', '1714037059', '486452656'])).toBe(wechatSignature(['486452656', 'AAAAA', '1714037059']));
  });

  test.each([
    ['another nonce (437374424)', echo.signature, [vectors.token, echo.timestamp, '437374424', echo.echostr]],
    ['another token', plain.signature, ['BBBBB', plain.timestamp, plain.nonce]],
    ['missing', undefined, [plain.token, plain.timestamp, plain.nonce]],
    ['not hex', 'z'.repeat(40), [plain.token, plain.timestamp, plain.nonce]],
    ['too short', plain.signature.slice(0, 39), [plain.token, plain.timestamp, plain.nonce]],
  ])('rejects a signature: %s', (_name, given, parts) => {
    expect(signatureMatches(given, parts)).toBe(false);
  });
});

describe('safe-mode crypto', () => {
  test('encrypting with prefix 1234567890123456 gives the expected Encrypt and MsgSignature', () => {
    const e = vectors.encrypt;
    const encrypted = encryptMessage(e.plaintext, vectors.appId, key, Buffer.from(e.randomPrefix));
    expect(encrypted).toBe(e.expectedEncrypt);
    expect(wechatSignature([vectors.token, e.timestamp, e.nonce, encrypted])).toBe(e.expectedMsgSignature);
  });

  test('the sealed reply envelope carries the same Encrypt and MsgSignature', () => {
    const e = vectors.encrypt;
    const xml = sealReply(e.plaintext, {
      token: vectors.token, appId: vectors.appId, key, now: Number(e.timestamp) * 1000, nonce: e.nonce, randomPrefix: Buffer.from(e.randomPrefix),
    });
    const parsed = parseWechatXml(xml);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(field(parsed.root, 'Encrypt')).toBe(e.expectedEncrypt);
    expect(field(parsed.root, 'MsgSignature')).toBe(e.expectedMsgSignature);
    expect(field(parsed.root, 'TimeStamp')).toBe(e.timestamp);
    expect(field(parsed.root, 'Nonce')).toBe(e.nonce);
  });

  test('decrypts the message vector and checks the appid', () => {
    const result = decryptMessage(vectors.decrypt.encrypt, vectors.appId, key);
    if (!result.ok) throw new Error(result.reason);
    const xml = parseWechatXml(result.message);
    if (!xml.ok) throw new Error(xml.message);
    expect(field(xml.root, 'Content')).toBe(vectors.decrypt.expectedContent);
    expect(field(xml.root, 'FromUserName')).toBe(vectors.decrypt.expectedFromUserName);
    expect(field(xml.root, 'MsgId')).toBe('4363689963896700987');
  });

  test('decrypts the echostr vector', () => {
    const result = decryptMessage(vectors.checkEchoStr.echostr, vectors.appId, key);
    expect(result).toEqual({ ok: true, message: '5927782489442352469', appId: vectors.appId });
  });

  test('round trip, including text that is not ASCII', () => {
    const message = '<xml><Content><![CDATA[你好 👋]]></Content></xml>';
    expect(decryptMessage(encryptMessage(message, vectors.appId, key), vectors.appId, key)).toEqual({ ok: true, message, appId: vectors.appId });
  });

  test('a wrong appid is rejected', () => {
    expect(decryptMessage(vectors.decrypt.encrypt, 'wx0000000000000000', key)).toEqual({ ok: false, reason: 'appid_mismatch' });
  });

  test.each([
    ['not base64', '***'],
    ['not whole blocks', Buffer.from('short').toString('base64')],
    ['empty', ''],
  ])('garbage is a value, not an exception: %s', (_name, input) => {
    expect(decryptMessage(input, vectors.appId, key).ok).toBe(false);
  });

  test('a wrong key fails cleanly', () => {
    expect(decryptMessage(vectors.decrypt.encrypt, vectors.appId, otherKey).ok).toBe(false);
  });

  test('key rotation: the current key first, then the previous one', () => {
    const underOld = vectors.decrypt.encrypt;
    const underNew = encryptMessage('<xml/>', vectors.appId, otherKey);
    const keys = [otherKey, key];
    expect(decryptWithKeys(underNew, vectors.appId, keys)).toMatchObject({ ok: true, message: '<xml/>', keyIndex: 0 });
    expect(decryptWithKeys(underOld, vectors.appId, keys)).toMatchObject({ ok: true, keyIndex: 1 });
    expect(decryptWithKeys(underOld, vectors.appId, [otherKey]).ok).toBe(false);
  });

  test('an EncodingAESKey of the wrong length is refused', () => {
    expect(() => aesKeyFrom('short')).toThrow(/43 characters/);
  });
});
