/**
 * The cue lexicon of complaint grading: regular expressions over the normalised text
 * (Simplified, lower-case, half-width). Each cue has a readable name that ends up in
 * `reasons`, so an agent sees *why* a message was graded critical.
 * Critical cues aim at recall: a missed lawyer or injury is the worst error we can make.
 */
export interface Cue {
  name: string;
  re: RegExp;
}

const cue = (name: string, re: RegExp): Cue => ({ name, re });

/** News media and exposure, including indirect forms ("我朋友在报社上班"). */
export const MEDIA: Cue[] = [
  cue('media: journalist or news outlet', /媒体|记者|报社|报纸|电视台|电台|新闻|央视|焦点访谈|栏目组|民生栏目|上电视|见报|315晚会|晚报|日报/),
  cue('media: exposure', /曝光/),
  cue('media: press (en)', /journalist|reporter|\bthe press\b|\bmedia\b|newspaper|news (?:desk|station|channel|programme|program|team)|\btv (?:station|channel|news|show)|\bexpos[eé]\b|go public/),
];

/** Lawyers, lawsuits and courts. */
export const LEGAL: Cue[] = [
  cue('legal: lawyer or lawsuit', /律师|起诉|诉讼|法院|法庭|打官司|法律途径|法律程序|法律手段|追究.{0,6}法律责任|告你们|告到底|法院见|仲裁/),
  cue('legal: lawyer or lawsuit (en)', /lawyer|attorney|solicitor|\bsue\b|\bsuing\b|lawsuit|legal action|legal proceedings|litigation|\bcourt\b|small claims|law (?:firm|office)|damages/),
];

/** Consumer-protection regulators and complaint hotlines. */
export const REGULATOR: Cue[] = [
  cue('regulator: 12315 / consumer association', /12315|(?:去|打|找|上|告到|告|投诉到|到|向)\s*315|消协|消费者协会|消保委|消委会|消基会|消费者权益保护/),
  cue('regulator: market supervision', /市场监管|市场监督|工商局|工商部门|(?:找|去|向|告到|举报到)工商|质监|质检局|12345|物价局|监管部门|相关部门|有关部门/),
  cue('regulator (en)', /consumer (?:council|association|protection|rights|agency)|\bbbb\b|better business bureau|trading standards|\bftc\b|regulator|ombudsman|authorities/),
];

/** The police. */
export const POLICE: Cue[] = [
  cue('police', /报警|报案|警察|派出所|公安|(?:打|报|叫)\s*110(?!\d)|立案/),
  cue('police (en)', /\bpolice\b|\bcops\b/),
];

/** Injury, fire, electric shock, poisoning or illness reported as something that happened. */
export const HAZARD: Cue[] = [
  cue('safety: injury', /受伤|伤到|划伤|割伤|砸伤|摔伤|夹伤|烫伤|烧伤|扎伤|碰伤|划破|磕破|流血|出血|骨折|骨裂|缝针|缝了.{0,3}针|伤口|口子|扭伤|淤青|肿得|肿了|夹到.{0,6}(?:手|脚|指|孩子|女儿|儿子|人)|砸到.{0,4}(?:人|脚|头|手|孩子)|摔(?:倒|在地|了一跤|下来|地上)|(?:人|我|他|她|老人|孩子)摔|往后翻|翻倒|倒下来|砸下来|撞到/),
  cue('safety: medical care', /住院|送医|急诊|进了?医院|在医院|去医院|去了医院|看医生|医生说|就医/),
  cue('safety: fire or electricity', /着火|起火|失火|火花|冒烟|烧焦|焦味|焦糊|烧了|短路|触电|漏电|电到|被电|电了一下|发烫冒烟/),
  cue('safety: explosion', /爆炸|(?:气杆|气压棒|气棒|杆子)(?:突然)?(?:爆|炸)|炸了|爆了(?!款)/),
  cue('health: allergy or poisoning', /过敏|红疹|起疹|皮疹|疹子|中毒|呕吐|晕倒|头晕|呼吸困难|喉咙痛|流鼻血|咳嗽不止/),
  cue('safety: injury (en)', /injur|\bhurt (?:my|his|her|him|me|myself|badly|themselves)|got hurt|\bcut (?:my|his|her)\b|bleed|blood|stitches|fractur|broken (?:wrist|arm|leg|finger|bone|nose)|sprain|bruis|concussion|crushed|trapped (?:my|his|her)|pinched (?:my|his|her)|\bfell (?:off|over|down|backwards|to the floor)|\bi fell\b/),
  cue('safety: medical care (en)', /hospital|emergency room|\ba&e\b|see a doctor|saw a doctor|the doctor said/),
  cue('safety: fire or electricity (en)', /caught fire|on fire|\bfire\b|smok(?:e|ing)|burning smell|sparks?\b|electric shock|\bshocked\b|electrocut|short circuit/),
  cue('safety: explosion (en)', /explod|exploded|blew (?:up|out)|\bburst\b/),
  cue('health: allergy or poisoning (en)', /allergic|\brash\b|hives|poison|fumes|dizz|nause|vomit/),
];

/** A question about a possibility, not a report: "会不会爆炸", "can the gas lift explode?". */
export const HYPOTHETICAL = /会不会|是否|会.{0,8}吗|安全吗|有没有.{0,6}(?:风险|隐患)|担心|怕.{0,6}(?:爆|炸|伤)|听说|\b(?:can|could|will|would|might|may) (?:the|it|this|a|an|your|they)\b.{0,30}(?:explode|burst|catch fire|break|hurt)|\bis (?:it|the .{0,20}) safe\b|\bare (?:they|the .{0,20}) safe\b|certified|i heard/;
/** Markers of something that did happen, which overrule HYPOTHETICAL. */
export const EVENT = /了|已经|刚才|刚刚|昨天|今天|现在|结果|突然|\b(?:just|yesterday|today|last night|this morning)\b|\b(?:was|were|got|had|has been|have been)\b/;

/** Formaldehyde alone is a product claim; with a health effect it is a hazard. */
export const FORMALDEHYDE_HEALTH = /甲醛.{0,20}(?:头晕|头疼|头痛|咳嗽|过敏|红疹|喉咙|不舒服|难受|流鼻血|呕吐|医院|孩子|孕妇)|(?:头晕|头疼|头痛|咳嗽|过敏|红疹|喉咙|不舒服|难受|流鼻血|呕吐|医院).{0,20}甲醛|formaldehyde.{0,40}(?:sick|ill|headache|rash|allerg|hospital)/;

/** Loss, repeated failure, strong anger, money demands, fraud. Each makes a complaint serious. */
export const SERIOUS: Cue[] = [
  cue('repeated contact', /第\s*[二两三四五六七八九十\d]+\s*次|[两三四五六七八九十几\d]+\s*次.{0,4}(?:了|都|还|联系|电话|找|问|催|投诉|报修|申请|反映|邮件|沟通|说|被拒)|(?:联系|电话|打了|找了|问了|催了|投诉了|报修|申请了?|反映了?|发了|说了|拒了?|被拒).{0,3}[两三四五六七八九十几\d]+\s*次|多次|屡次|再三|一再|反复/),
  cue('repeated failure', /又(?:坏|漏|断|裂|卡|响|出问题|是坏|不动)|第二次坏|还是(?:坏|裂|漏|断)的?|换了.{0,4}又/),
  cue('repeated contact (en)', /(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) (?:time|request|email|e-mail|message|attempt)|(?:two|three|four|five|six|several|multiple|many|\d+) times|repeatedly|(?:called|emailed|e-mailed|contacted|wrote|asked|chased).{0,40}\bagain\b|again and again|keeps? (?:breaking|failing|happening)/),
  cue('strong anger', /垃圾|太过分|过分了|恶心|坑人|黑心|骗子|破玩意|妈的|tmd|他妈|卧槽|忍无可忍|受够了|糊弄|欺负人|无法接受|不可理喻|太离谱|没良心|坑爹|耐心.{0,3}(?:没了|耗尽)|没耐心/),
  cue('strong anger (en)', /ridiculous|unacceptable|disgusting|outrageous|furious|fed up|sick of|i'm done|i am done|\bworst\b|garbage|rubbish|pathetic|a joke|lost (?:my )?patience/),
  cue('loss or damage caused', /损失|摔坏|砸坏|弄坏了?我|划了一?道|刮花了|耽误|误工|白跑|墙撞|撞了个坑/),
  cue('demands compensation', /赔偿|赔钱|必须赔|要赔|给赔|补偿|赔我|全额退|退钱/),
  cue('loss or compensation (en)', /compensat|reimburs|lost (?:work|money|a day)|ruined|damaged my|money back/),
  cue('accuses of lying or fraud', /骗|欺诈|诈骗|忽悠|虚假|套路|坑(?:人|我|老客户|钱)|乱收费|翻新|二手货|用过的|以次充好|假货|冒充|不实|黑店|挂羊头/),
  cue('accuses of lying or fraud (en)', /\blie\b|\blied\b|lying|liar|false advertising|misleading|fraud|\bscam|rip-?off|ripped off|cheat|deceiv|bait and switch|refurbished|used (?:item|product|chair|desk)/),
];

/** Telling others publicly, or threatening to. */
export const PUBLICITY: Cue[] = [
  cue('publicity: warns others', /避雷|踩雷|踩坑|千万别|别买|不要买|慎买|劝退|拔草|大家|家人们|姐妹们|朋友们|网友们|谁懂|评评理|所有人|更多人|都看看|看图/),
  cue('publicity: social media', /小红书|抖音|快手|微博|朋友圈|发帖|发到网上|网上发|差评|刷屏|黑猫投诉|自媒体|直播间/),
  cue('publicity (en)', /warning to|stay away|avoid (?:this|them)|don'?t buy|do not buy|review site|reviews? (?:everywhere|online)|post(?:ing)? (?:about|on|my)|tell (?:everyone|everybody|all my)|social media|twitter|facebook|instagram|tiktok|reddit|weibo/),
];

/** Threats of disruption or revenge, and radical demands. */
export const EXTREME: Cue[] = [
  cue('extreme: threat', /拉横幅|堵门|去你们.{0,8}闹|天天(?:来|去|打)|找上门|后果自负|走着瞧|等着瞧|付出代价|不会放过|同归于尽|砸了你们|维权|不然.{0,6}(?:后果|别怪)/),
  cue('extreme: threat (en)', /make a scene|you'?ll regret|show up at|come to your (?:office|showroom|store|shop)|won'?t let this go|you have been warned/),
];

/** Anger on the surface: shouting, swearing, rhetorical questions. */
export const VENTING: Cue[] = [
  cue('venting: angry words', /气死|烦死|(?<!麻)烦(?!请)|离谱|过分|恶心|垃圾|搞什么|什么破|受够|忍无可忍|到底(?:还|要|有没有|管不管)|根本|凭什么|吓死|太坑|坑人|坑爹|不靠谱|必须|赶紧|马上给|立刻|糊弄|这不是.{1,10}是什么/),
  cue('venting: angry words (en)', /ridiculous|unacceptable|fed up|i'm done|i am done|furious|angry|garbage|rubbish|seriously|what a joke|sick of/),
];

/** Constructive proposals. */
export const SUGGESTION = /建议|希望(?:你们|以后|下次|改进)|希望.{0,6}(?:能|可以)|最好能|能不能改进|改进一下|提个意见|提点意见|下次能|would (?:really )?help|suggest|it would be (?:great|nice|better)|please consider|maybe (?:add|you could)|next time|could you (?:add|improve)/;

/** Accusations of deceit beyond the SERIOUS fraud words: rhetorical or material substitution. */
export const ACCUSATION = /这不是.{1,10}是什么|(?:实木|真皮|e0|正品|新品|原装).{0,10}(?:结果|实际|拆开|收到|居然).{0,10}(?:颗粒板|刨花板|密度板|mdf|人造革|二手|翻新|用过)/;

export function firstHit(cues: Cue[], text: string): Cue | undefined {
  return cues.find((c) => c.re.test(text));
}

export function allHits(cues: Cue[], text: string): Cue[] {
  return cues.filter((c) => c.re.test(text));
}
