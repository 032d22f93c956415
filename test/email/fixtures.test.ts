/**
 * Real-shaped raw mails (test/email/fixtures/*.eml, CRLF as on the wire): each is parsed
 * (postal-mime), classified (RFC 3834), and stripped to what the customer newly wrote.
 * Charsets: UTF-8 8bit and base64, quoted-printable GBK with GB2312 encoded words; MIME:
 * text only, HTML only, alternative + related + attachments (RFC 2231 file name), and the
 * reports mail systems send (a DSN, a qmail notice, a read receipt).
 */
import { readFileSync } from 'node:fs';
import { noReplyReason } from '../../channels/email/auto-reply.js';
import { hardFailures, parseMail, type DeliveryReport } from '../../channels/email/parse.js';
import { newTextOf } from '../../channels/email/strip.js';
import { fromRoot } from '../../src/paths.js';

interface Expected {
  messageId: string;
  from: { address: string; name?: string };
  subject: string;
  inReplyTo?: string[];
  /** What the customer newly wrote (quotes and signatures gone); for reports, a piece of the notice. */
  newText: string | RegExp;
  /** name, type, size, inline, oversize (the cap here is 500 bytes). */
  attachments?: Array<[string | undefined, string, number, boolean, boolean]>;
  reason: ReturnType<typeof noReplyReason>;
  report?: Partial<DeliveryReport>;
  hard?: string[];
}

const table: Array<[string, Expected]> = [
  ['plain.eml', {
    messageId: '202407020913580123456@customer.test', from: { address: 'zhangsan@customer.test', name: '张三' },
    subject: '回复: 订单 1001 还没到 [#K000042]', inReplyTo: ['kefu.01J1ABCDEF@example.test'],
    newText: '好的，订单号是 1001，收货地址没有变。\n\n麻烦尽快处理，谢谢！', reason: null,
  }],
  ['html-only.eml', {
    messageId: 'CAF=abc123XYZ+quoted@mail.customer.test', from: { address: 'alice@customer.test', name: 'Alice Smith' },
    subject: 'Re: Cracked desk leg', inReplyTo: ['kefu.01J1DESK@example.test'],
    newText: 'The desk arrived with a cracked leg.\nCan you send a replacement?\n\nThanks,\nAlice', reason: null,
  }],
  ['alternative-attachments.eml', {
    messageId: '20240703140200.GA1234@customer.test', from: { address: 'wangwu@customer.test', name: '王五' }, subject: '退货申请：收到的椅子有划痕',
    newText: '你好，收到的椅子靠背有划痕，照片和发票清单在附件里，申请退货。\n\n王五',
    attachments: [
      ['scratch.png', 'image/png', 70, true, false],
      ['order-1001.pdf', 'application/pdf', 77, false, false],
      ['发票清单.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 768, false, true],
    ],
    reason: null,
  }],
  ['gbk-qp.eml', {
    messageId: '000001dacd8a$1f2e3d40$5d8ab7c0$@customer.test', from: { address: 'zhaoliu@customer.test', name: '赵六' }, subject: '电饭煲不能加热',
    newText: '您好：\n\n我在贵店买的电饭煲不能加热了，保修期内，请问怎么维修？\n型号：MB-FB40，购买日期 2024年5月3日。\n\n赵六', reason: null,
  }],
  ['auto-reply.eml', {
    messageId: 'ooo.20240704090001.77@customer.test', from: { address: 'qianqi@customer.test', name: '钱七' },
    subject: '自动回复: 回复: 订单 2002 [#K000050]', inReplyTo: ['kefu.01J1OOO@example.test'],
    newText: '我 7 月 4 日至 7 月 12 日休假，期间不查看邮件。紧急事务请联系 13800000000。', reason: 'auto-submitted',
  }],
  ['dsn-bounce.eml', {
    messageId: '20240704020005.6B2A81234@mx.customer.test', from: { address: 'mailer-daemon@mx.customer.test', name: 'Mail Delivery System' },
    subject: 'Undelivered Mail Returned to Sender', newText: /could not\nbe delivered/, attachments: [], reason: 'bounce',
    report: {
      format: 'dsn', originalMessageId: 'kefu.01J1BOUNCE@example.test', recipients: ['sunba@customer.test', 'sunba.old@customer.test'], status: '5.1.1',
      perRecipient: [{ recipient: 'sunba@customer.test', action: 'failed', status: '5.1.1' }, { recipient: 'sunba.old@customer.test', action: 'delayed', status: '4.2.2' }],
    },
    // The full mailbox is only delayed: not a hard failure.
    hard: ['sunba@customer.test'],
  }],
  ['qmail-bounce.eml', {
    messageId: '20240704021000.12345.qmail@mx2.customer.test', from: { address: 'mailer-daemon@mx2.customer.test' },
    subject: 'failure notice', newText: /qmail-send program/, reason: 'bounce',
    report: { format: 'plain', originalMessageId: 'kefu.01J1QMAIL@example.test', recipients: ['zhoujiu@customer.test'], status: '5.2.1' },
    hard: ['zhoujiu@customer.test'],
  }],
  ['read-receipt.eml', {
    messageId: 'mdn.20240704110000.1@customer.test', from: { address: 'wushi@customer.test', name: 'Wu Shi' },
    subject: 'Read: Re: invoice [#K000053]', newText: /was displayed/, reason: 'auto-submitted',
  }],
];

const own = new Set(['support@example.test']);

test.each(table)('%s', async (file, expected) => {
  const mail = await parseMail(readFileSync(fromRoot('test', 'email', 'fixtures', file)), { maxAttachmentBytes: 500 });
  expect(mail.messageId).toBe(expected.messageId);
  expect(mail.hasMessageId).toBe(true);
  expect(mail.from).toEqual(expected.from);
  expect(mail.subject).toBe(expected.subject);
  expect(mail.inReplyTo).toEqual(expected.inReplyTo ?? []);
  const text = newTextOf(mail);
  if (typeof expected.newText === 'string') expect(text).toBe(expected.newText);
  else expect(text).toMatch(expected.newText);
  if (expected.attachments) {
    expect(mail.attachments.map((a) => [a.name, a.mimeType, a.size, a.inline, a.oversize])).toEqual(expected.attachments);
  }
  expect(noReplyReason(mail, own)).toBe(expected.reason);
  if (expected.report) {
    expect(mail.deliveryReport).toMatchObject(expected.report);
    expect(hardFailures(mail.deliveryReport!)).toEqual(expected.hard);
  } else {
    expect(mail.deliveryReport).toBeNull();
  }
});

test('a fixture without its Message-ID gets a stable sha256 id of its source', async () => {
  const source = readFileSync(fromRoot('test', 'email', 'fixtures', 'gbk-qp.eml')).toString('latin1').replace(/^Message-ID:.*\r\n/m, '');
  const [a, b] = await Promise.all([1, 2].map(() => parseMail(Buffer.from(source, 'latin1'), { maxAttachmentBytes: 500 })));
  expect(a!.hasMessageId).toBe(false);
  expect(a!.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(b!.messageId).toBe(a!.messageId);
  expect(a!.text).toContain('电饭煲不能加热了');
});
