/**
 * The passive reply never overtakes an older reply, on SQLite and on PostgreSQL: a reply
 * still waiting from an earlier message goes first in the next passive answer, and an entry
 * the dispatcher holds (its lease) keeps every newer one back.
 */
import { WechatAccounts } from '../../channels/wechat/accounts.js';
import { wechatSettingsFrom } from '../../channels/wechat/definition.js';
import { ReplyQuota } from '../../channels/wechat/quota.js';
import { WechatWebhook } from '../../channels/wechat/webhook.js';
import { field } from '../../channels/wechat/xml.js';
import { requirePostgres, startPostgres, type PgServer } from '../support/postgres.js';
import { FAQ_ANSWER_START, FAQ_QUESTION, GH, nextOpenid, signedQuery, slowableNlu as nlu, startWechatGateway, textXml, xmlOf, type WechatGateway } from './support.js';

const TOKEN = 'ordertoken';
let pg: PgServer | null = null;
const gateways: Record<string, WechatGateway | undefined> = {};

beforeAll(async () => {
  gateways.sqlite = await startWechatGateway({ WECHAT_TOKEN: TOKEN }, {}, { nlu });
  pg = await startPostgres();
  if (requirePostgres(pg)) gateways.postgres = await startWechatGateway({ WECHAT_TOKEN: TOKEN }, {}, { nlu }, { DATABASE_URL: await pg.createDatabase('wechat_order') });
}, 120_000);
afterAll(async () => {
  for (const g of Object.values(gateways)) await g?.stop();
  await pg?.stop();
});

/** A webhook on the gateway, driven directly so that a lost connection is exact. */
function webhookOn(g: WechatGateway) {
  const settings = wechatSettingsFrom({ WECHAT_TOKEN: TOKEN })!;
  const deps = g.gateway;
  const webhook = new WechatWebhook(deps, new WechatAccounts(settings, deps), new ReplyQuota(deps, 'wechat'), {
    passiveDeadlineMs: 4000, maxTextLength: 600, handoffTarget: 'kefu', now: Date.now,
  });
  const account = new WechatAccounts(settings, deps).get('default')!;
  return (openid: string, text: string, alive: boolean) =>
    webhook.receive(account, { query: Object.fromEntries(signedQuery(TOKEN)), body: textXml(openid, text), alive: () => alive });
}

const entriesOf = (g: WechatGateway, openid: string) => g.gateway.db.kysely.selectFrom('outbox')
  .innerJoin('conversations', 'conversations.id', 'outbox.conversation_id')
  .select(['outbox.id', 'outbox.status', 'outbox.payload']).where('conversations.thread_key', '=', `${GH}:${openid}`).orderBy('outbox.seq').execute();

describe.each(['sqlite', 'postgres'])('on %s', (dialect) => {
  test('a reply still waiting from an earlier message goes first, joined with the new one', async () => {
    const g = gateways[dialect];
    if (!g) return;
    expect(g.gateway.db.dialect).toBe(dialect);
    const receive = webhookOn(g);
    const openid = nextOpenid();
    // WeChat hung up before the first answer: its reply stays in the outbox for the window.
    expect((await receive(openid, FAQ_QUESTION, false)).body).toBe('success');
    expect((await entriesOf(g, openid)).map((e) => e.status)).toEqual(['pending']);
    const answer = await receive(openid, '你好', true);
    const entries = await entriesOf(g, openid);
    expect(entries.map((e) => e.status)).toEqual(['sent', 'sent']);
    const texts = entries.map((e) => (JSON.parse(e.payload) as { text: string }).text);
    expect(texts[0]).toContain(FAQ_ANSWER_START);
    expect(field(xmlOf(answer.body), 'Content')).toBe(texts.join('\n\n'));
  });

  test('an entry the dispatcher is sending keeps the newer replies back', async () => {
    const g = gateways[dialect];
    if (!g) return;
    const receive = webhookOn(g);
    const openid = nextOpenid();
    expect((await receive(openid, FAQ_QUESTION, false)).body).toBe('success');
    const [older] = await entriesOf(g, openid);
    // What the dispatcher's claim does once the passive window has passed.
    await g.gateway.db.kysely.updateTable('outbox').set({ status: 'sending' }).where('id', '=', older!.id).execute();
    expect((await receive(openid, '你好', true)).body).toBe('success');
    expect((await entriesOf(g, openid)).map((e) => e.status)).toEqual(['sending', 'pending']);
  });
});
