/**
 * Filler that carries no FAQ topic: function words, question words, time and place fillers.
 * Dropping them keeps a chatty question ("我们公司其实想问一下...") from looking out of scope.
 */
/** Single characters that carry no topic on their own. */
export const ZH_STOP_CHARS = new Set([...'的了吗呢吧啊呀哦嘛么我你您他她它这那是有在和就都还也很要想能会不没对给把被让用跟到去来说看好个里上下啥呗嗯又再才刚得地着过之其或并等比多少几一二三四五六七八九十两百千万买卖做弄咋怎谁哪点些该可以请问吧呐喔噢嗨哈些号次把张件台套位款']);

export const ZH_STOP = new Set(
  ('的 了 吗 呢 吧 啊 呀 哦 嘛 么 哈 我 我们 你 你们 您 他 她 它 这 那 这个 那个 这款 那款 是 有 没有 在 和 与 及 就 都 还 也 很 ' +
    '要 想 能 能不能 可以 可不可以 会 请问 请 一下 一个 怎么 怎么办 怎么样 如何 什么 为什么 咋 哪 哪里 哪儿 不 没 对 给 把 被 让 ' +
    '用 跟 到 去 来 说 看 好 一般 大概 现在 已经 还是 或者 如果 因为 所以 但是 可是 然后 麻烦 谢谢 你好 您好 亲 下 上 个 里 ' +
    '时候 东西 问 问题 一点 一些 需要 应该 帮 帮忙 自己 怎样 多少 吗 啥 呗 嗯 又 再 才 刚 得 地 着 过 之 其 或 并 等 被 比 ' +
    '家 买 的话 是不是 有没有 可否 是否 还能 能否 不会 会不会 怎么弄 怎么回事 怎么处理 觉得 发现 其实 想要 好像 看看 里面 开始 以后 之后 ' +
    '那边 这边 现在 一张 两张 一块 一个 两个 一次 起来 不是 不能 才能 顺便 那种 哪些 一起 另外 今天 明天 昨天 打算 知道 请教 咨询 ' +
    '需不需要 要不要 行不行 可以吗 好不好 对不对 这种 这样 那样 之前 时候 一些 有点 比较 非常 特别 真的 确实 还有 以及 ' +
    '烦 烦死 烦死了 闹心 郁闷 气死 气死了 无语 崩溃 头疼 着急 急死了 心烦 难受 无奈 不要 ' +
    '哪个 哪款 哪种 帮我 上周 这周 下周 去年 今年 明年 晚上 下午 上午 早上 中午 刚刚 最近 家里 网上 长期 每个 出头 左右 大约 差不多 情况 地方 上面 下面').split(/\s+/),
);
export const EN_STOP = new Set(
  ('i me my we our us you your the a an is are was were be been being do does did can could will would should shall may ' +
    'might have has had of to in on at for with about from by and or but if so it its this that these those there here what ' +
    'which who whom how why where please hi hello hey thanks thank any some get got just also still yet not no their them ' +
    'they up out into as than then too very much many more most such own same other im it\'s don\'t i\'m can\'t won\'t doe ' +
    'ha wa thi veri ani ye yet one someth anyth need want like know tell let give new come take keep read show usual go make few now ago ' +
    'ar were been realli actual current alreadi ever sure okay ok via would bought buy right big wont dont cant isnt doesnt didnt havent hasnt appli').split(/\s+/),
);

// Counts and measure words ("三张", "一百") say how many, not what about.
export const NUMBER_WORD = /^[\d.一二三四五六七八九十百千万两几多]+[张把个块次件台套位天年月号只层]?$/;


/**
 * jieba part-of-speech tags of words that set the scene rather than name a topic: pronouns,
 * adverbs, numerals, measure words, time and place words, particles, conjunctions,
 * prepositions, onomatopoeia, and place or person names ("拉萨", "明天", "那里", "一半"). They
 * weigh less, so a customer's context does not make a question look out of scope, yet still
 * count: sometimes they are the point ("别家买的", "夜间").
 */
export const FILLER_TAG = /^(?:r|d|t|u.*|y|c|p|f|s|ns|nr.*|o|zg|e|x)$/;
