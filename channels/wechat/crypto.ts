/**
 * Safe mode (安全模式) message encryption, as WeChat specifies it:
 *   AESKey = base64(EncodingAESKey + "="): 32 bytes; AES-256-CBC; IV = the key's first 16 bytes;
 *   plaintext = 16 random bytes + 4-byte big-endian length + message + appid,
 *   PKCS#7-padded to a 32-byte block (not AES's 16: WeChat's reference code does this).
 * The appid at the end says which account the message is for and is checked on decryption.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface AesKey {
  key: Buffer;
  iv: Buffer;
}

const BLOCK = 32;

export function aesKeyFrom(encodingAesKey: string): AesKey {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) throw new Error('an EncodingAESKey has 43 characters and decodes to 32 bytes');
  return { key, iv: key.subarray(0, 16) };
}

/** Base64 ciphertext of `message` for `appId`. `randomPrefix` is injectable for test vectors. */
export function encryptMessage(message: string, appId: string, aes: AesKey, randomPrefix: Buffer = randomBytes(16)): string {
  if (randomPrefix.length !== 16) throw new Error('the random prefix is 16 bytes');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomPrefix, length, body, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', aes.key, aes.iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export type DecryptFailure = 'not_base64' | 'bad_padding' | 'bad_length' | 'appid_mismatch';
export type Decrypted = { ok: true; message: string; appId: string } | { ok: false; reason: DecryptFailure };

/** Decrypt with one key; failures are values (a wrong key shows up as bad padding, length or appid). */
export function decryptMessage(encrypted: string, expectedAppId: string, aes: AesKey): Decrypted {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) return { ok: false, reason: 'not_base64' };
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) return { ok: false, reason: 'not_base64' };
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', aes.key, aes.iv);
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    return { ok: false, reason: 'bad_padding' };
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > plain.length || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
    return { ok: false, reason: 'bad_padding' };
  }
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) return { ok: false, reason: 'bad_length' };
  const length = content.readUInt32BE(0);
  if (length > content.length - 4) return { ok: false, reason: 'bad_length' };
  const appId = content.subarray(4 + length).toString('utf8');
  if (appId !== expectedAppId) return { ok: false, reason: 'appid_mismatch' };
  return { ok: true, message: content.subarray(4, 4 + length).toString('utf8'), appId };
}

/**
 * Decrypt with the current key, then the previous one: after the EncodingAESKey is changed
 * in the console, messages already queued at WeChat still arrive under the old key.
 * `keyIndex` says which key worked (1 means the previous key: worth a log line).
 */
export function decryptWithKeys(encrypted: string, expectedAppId: string, keys: readonly AesKey[]): Decrypted & { keyIndex?: number } {
  let first: Decrypted = { ok: false, reason: 'bad_padding' };
  for (const [keyIndex, key] of keys.entries()) {
    const result = decryptMessage(encrypted, expectedAppId, key);
    if (result.ok) return { ...result, keyIndex };
    if (keyIndex === 0) first = result;
  }
  return first;
}
