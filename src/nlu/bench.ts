/**
 * Micro benchmark of understanding one message: intent + grade + FAQ lookup, after warm-up.
 * `loadMs` covers importing nothing new (the caller imported us) but building everything
 * loadNlu builds: jieba's dictionary, the intent model and the FAQ index.
 */
import { loadNlu } from './index.js';

const SAMPLES = [
  '你好，请问升降桌最低能降到多少？',
  '椅子用了两个月气杆就漏气了，已经是第三次联系你们了！！',
  'Do you deliver to Hong Kong? How long does it take?',
  '訂單什麼時候出貨？等很久了',
  '再不处理我就去12315投诉，还要找记者曝光',
  '好的 谢谢 拜拜',
  'Which chair would suit someone with lower back pain?',
  '能开增值税专票吗 公司报销要用',
];

export async function benchNlu(iterations = 4000): Promise<{ loadMs: number; p50Ms: number; p99Ms: number }> {
  const t0 = performance.now();
  const nlu = loadNlu();
  const loadMs = performance.now() - t0;
  const once = (text: string): void => {
    nlu.understand(text, { channel: 'wechat' });
    nlu.faq.ask(text);
  };
  for (let i = 0; i < 500; i++) once(SAMPLES[i % SAMPLES.length] as string);
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    once(SAMPLES[i % SAMPLES.length] as string);
    times[i] = performance.now() - start;
  }
  times.sort();
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { loadMs, p50Ms: at(0.5), p99Ms: at(0.99) };
}
