/** Settings from the environment: errors name the variable. */
import { wechatCapabilities, wechatSettingsFrom } from '../../channels/wechat/definition.js';
import { ConfigError } from '../../src/config.js';

const AES = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';

describe('wechatSettingsFrom', () => {
  test('off without an account', () => {
    expect(wechatSettingsFrom({})).toBeNull();
    expect(wechatSettingsFrom({ WECHAT_TOKEN: '', PORT: '3000' })).toBeNull();
  });

  test('the default account with defaults filled in', () => {
    expect(wechatSettingsFrom({ WECHAT_TOKEN: 'abc123', WECHAT_APP_ID: 'wx49f0ab532d5d035a', WECHAT_APP_SECRET: 's', WECHAT_ENCODING_AES_KEY: AES })).toEqual({
      accounts: [{ name: 'default', token: 'abc123', appId: 'wx49f0ab532d5d035a', appSecret: 's', encodingAesKey: AES, previousEncodingAesKey: undefined }],
      apiBase: 'https://api.weixin.qq.com',
      handoffTarget: 'kefu',
    });
  });

  test('several accounts from WECHAT_ACCOUNTS', () => {
    const settings = wechatSettingsFrom({
      WECHAT_TOKEN: 't1', WECHAT_API_BASE: 'http://127.0.0.1:9/', WECHAT_HANDOFF_TARGET: 'wechat',
      WECHAT_ACCOUNTS: JSON.stringify([{ name: 'shop', token: 't2', appId: 'wx2', appSecret: 'x' }]),
    });
    expect(settings?.accounts.map((a) => a.name)).toEqual(['default', 'shop']);
    expect(settings?.apiBase).toBe('http://127.0.0.1:9');
    expect(settings?.handoffTarget).toBe('wechat');
    expect(wechatSettingsFrom({ WECHAT_ACCOUNTS: JSON.stringify([{ name: 'only', token: 't' }]) })?.accounts).toHaveLength(1);
  });

  test.each([
    [{ WECHAT_TOKEN: 'has space' }, /WECHAT_TOKEN: must be the Token/],
    [{ WECHAT_TOKEN: 't', WECHAT_ENCODING_AES_KEY: 'short' }, /WECHAT_ENCODING_AES_KEY: must be the 43-character/],
    [{ WECHAT_TOKEN: 't', WECHAT_ENCODING_AES_KEY: AES }, /WECHAT_APP_ID: is required when an EncodingAESKey is set/],
    [{ WECHAT_TOKEN: 't', WECHAT_APP_ID: 'wx1', WECHAT_PREVIOUS_ENCODING_AES_KEY: AES }, /WECHAT_PREVIOUS_ENCODING_AES_KEY: needs the current/],
    [{ WECHAT_TOKEN: 't', WECHAT_API_BASE: 'ftp://x' }, /WECHAT_API_BASE/],
    [{ WECHAT_TOKEN: 't', WECHAT_HANDOFF_TARGET: 'slack' }, /WECHAT_HANDOFF_TARGET/],
    [{ WECHAT_APP_ID: 'wx1' }, /WECHAT_APP_ID: is set but WECHAT_TOKEN is not/],
    [{ WECHAT_ACCOUNTS: 'not json' }, /WECHAT_ACCOUNTS: must be a JSON array/],
    [{ WECHAT_ACCOUNTS: '[{"name":"Shop!","token":"t"}]' }, /WECHAT_ACCOUNTS\[0\]\.name/],
    [{ WECHAT_ACCOUNTS: '[{"name":"a","token":"t","appSecret":"s"}]' }, /WECHAT_ACCOUNTS\[0\]\.appId: is required/],
    [{ WECHAT_TOKEN: 't', WECHAT_ACCOUNTS: '[{"name":"default","token":"t"}]' }, /WECHAT_ACCOUNTS\[0\]\.name: 'default' is used twice/],
  ])('names the bad variable: %j', (env, message) => {
    expect(() => wechatSettingsFrom(env)).toThrow(ConfigError);
    expect(() => wechatSettingsFrom(env)).toThrow(message);
  });

  test('capabilities: no buttons, a passive window longer than the webhook waits, text within 2048 bytes', () => {
    expect(wechatCapabilities).toMatchObject({ choices: false, localDelivery: false, maxTextLength: 600 });
    expect(wechatCapabilities.passiveReplyWindowMs).toBeGreaterThan(4000);
    expect(Buffer.byteLength('字'.repeat(wechatCapabilities.maxTextLength))).toBeLessThanOrEqual(2048);
  });
});
