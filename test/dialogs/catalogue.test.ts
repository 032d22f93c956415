/** Naming products and categories in a text (dialogs/catalogue): longest alias first, Latin models as whole words. */
import { demoCatalogue, findCategory, findProduct } from '../../dialogs/catalogue/index.js';

test.each([
  ['我想要个会议桌和一把椅子', 'meeting'], // 会议桌 (3) beats 椅子 (2)
  ['办公桌和会议桌都看看', 'desk'], // two of one length: the earlier category
  ['looking for an office chair', 'chair'],
  ['有没有文件柜', 'cabinet'],
  ['火星上的天气', undefined],
])('the category of %j is %j', (text, id) => {
  expect(findCategory(demoCatalogue, text)?.id).toBe(id);
});

test.each([
  ['e2 pro 多少钱', 'desk-e2'],
  ['e25 有货吗', undefined], // not the model e2
  ['k5和k3哪个好', 'chair-k5'], // one length: the earlier product
  ['要两抽的', 'cabinet-c2'],
  ['m6', 'meeting-m6'],
])('the product of %j is %j', (text, id) => {
  expect(findProduct(demoCatalogue, text)?.id).toBe(id);
});
