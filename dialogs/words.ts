/**
 * The few words the engine puts into choices and variables itself (choice buttons are
 * plain text in a `reply` action, not templates). Chinese and English, by conversation
 * language; everything longer lives in templates/bot/.
 */
import type { Lang } from './catalogue/index.js';
import type { Remedy } from './policy.js';

const WORDS = {
  confirm: { zh: '确认', en: 'Confirm' },
  change: { zh: '修改', en: 'Change something' },
  buyNow: { zh: '现在下单', en: 'Order now' },
  seeOthers: { zh: '看看其他款', en: 'See other models' },
  orderNo: { zh: '订单号', en: 'your order number' },
  photos: { zh: '问题部位的照片', en: 'a photo of the problem' },
  and: { zh: '和', en: ' and ' },
  or: { zh: '或', en: ' or ' },
  name: { zh: '收货人姓名', en: "the recipient's name" },
  phone: { zh: '手机号', en: 'a phone number' },
  address: { zh: '收货地址', en: 'the delivery address' },
  product: { zh: '了解产品', en: 'Products' },
  track: { zh: '查询订单', en: 'Track an order' },
} as const;

export type Word = keyof typeof WORDS;

export const word = (key: Word, lang: Lang): string => WORDS[key][lang];

export function remedyLabel(remedy: Remedy, lang: Lang, couponValue: number): string {
  const labels: Record<Remedy, { zh: string; en: string }> = {
    replace: { zh: '为您换新', en: 'a replacement' },
    repair: { zh: '安排上门维修', en: 'a repair visit' },
    refund: { zh: '退货退款', en: 'a return and refund' },
    coupon: { zh: `送您一张${couponValue}元优惠券`, en: `a CNY ${couponValue} coupon` },
  };
  return labels[remedy][lang];
}

/** "A、B或C" / "A, B or C". */
export function listOf(items: string[], lang: Lang, last: Word = 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  const head = items.slice(0, -1).join(lang === 'zh' ? '、' : ', ');
  return `${head}${word(last, lang)}${items[items.length - 1]}`;
}
