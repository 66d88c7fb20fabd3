/**
 * On-site business (现场办理): the 12 service offices and what to bring, exactly as seed 004 gives them.
 * Names, addresses and phone numbers are copied from the seed; `tel` adds the area code where the seed
 * lists a second number without it.
 */

export interface OfficePhone {
  /** As printed in the seed. */
  display: string;
  /** Digits for a tel: link, with the area code. */
  tel: string;
}

export interface Office {
  code: string;
  name: string;
  city: string;
  address: string;
  phones: OfficePhone[];
}

function phones(areaCode: string, ...numbers: string[]): OfficePhone[] {
  return numbers.map((n) => ({ display: n, tel: (n.startsWith('0') ? n : `${areaCode}${n}`).replace(/-/g, '') }));
}

export const OFFICES: Office[] = [
  {
    code: 'nanchang-hall',
    name: '江西省数字证书有限公司办证大厅',
    city: '南昌',
    address: '南昌市省府大院西二路3号3楼',
    phones: phones('0791', '0791-82097407', '86212680', '86212003'),
  },
  {
    code: 'nanchang-admin-center',
    name: '江西省行政中心集中办事大厅（江西省新政府会议大楼东楼）',
    city: '南昌',
    address: '南昌市红谷滩新区卧龙路1000号',
    phones: phones('0791', '0791-88901520'),
  },
  {
    code: 'fuzhou',
    name: '抚州办证点',
    city: '抚州',
    address: '抚州市玉茗大道801号(牛角湾农贸市场旁)',
    phones: phones('0794', '0794-8208389'),
  },
  {
    code: 'ganzhou',
    name: '赣州办证点',
    city: '赣州',
    address: '赣州开发区精品汽车4s店-条街比亚迪汽车楼上六楼',
    phones: phones('0797', '0797-8239608'),
  },
  {
    code: 'jiujiang',
    name: '九江办证点',
    city: '九江',
    address: '九江市浔阳区滨江路213号民政局8楼',
    phones: phones('0792', '0792-8159907'),
  },
  { code: 'xinyu', name: '新余办证点', city: '新余', address: '新余市赣西大道426号', phones: phones('0790', '0790-6458559') },
  { code: 'jian', name: '吉安办证点', city: '吉安', address: '吉安市吉州区环湖路2号环湖湾小区5栋', phones: phones('0796', '0796-8263919') },
  {
    code: 'shangrao',
    name: '上饶办证点',
    city: '上饶',
    address: '上饶市信州区滨江西路万达广场奎文座3号楼34楼3419-3424室',
    phones: phones('0793', '0793-6178670'),
  },
  { code: 'jingdezhen', name: '景德镇办证点', city: '景德镇', address: '景德镇市沿江西路116号', phones: phones('0798', '0798-8532829') },
  { code: 'yingtan', name: '鹰潭办证点', city: '鹰潭', address: '鹰潭市莲花路3号光明鲜奶三楼', phones: phones('0701', '0701-6280915') },
  {
    code: 'pingxiang',
    name: '萍乡办证点',
    city: '萍乡',
    address: '萍乡市经济开发区武功山中大道13-7号财富公馆六楼',
    phones: phones('0799', '0799-6328477'),
  },
  { code: 'yichun', name: '宜春办证点', city: '宜春', address: '宜春市宜春北路828号时代花园7楼', phones: phones('0795', '0795-3576797') },
];

/** 现场办理 flow (seed 004): the same for 新办, 补办 and 变更. */
export const ON_SITE_FLOW: { title: string; detail: string }[] = [
  { title: '提交资料', detail: '携带下方所列资料到受理点' },
  { title: '前台受理', detail: '前台工作人员接收资料' },
  { title: '审核资料', detail: '工作人员审核资料' },
  { title: '制作证书', detail: '审核通过后制作数字证书' },
  { title: '现场缴费并领取', detail: '现场缴费并领取数字证书（UKEY）' },
  { title: '制作电子签章', detail: '用提供的公章、法人章印模制作电子签章' },
];

export type OnSiteBusiness = 'new' | 'replace' | 'change' | 'renew';

export interface OnSiteMaterials {
  business: OnSiteBusiness;
  /** 新办 / 补办 / 变更 / 续费 */
  label: string;
  summary: string;
  items: string[];
  /** A different set for a stated case (续费 without the UKEY password). */
  alternative: { when: string; items: string[] } | null;
}

/** What an enterprise that has 三证合一 brings for 新办, 补办 and 变更 (seed 004). */
export const ON_SITE_COMMON_MATERIALS: string[] = [
  '《江西CA单位数字证书申请表》一、二、三联，三联须加盖公章。',
  '有效的三证合一营业执照原件和复印件一份，复印件须加盖公章。（正副本均可）',
  '经办人有效的身份证原件和正反两面复印件一份，复印件须加盖公章。',
  '提供公章、法人章印模制作电子印章。',
];

export const ON_SITE_MATERIALS: OnSiteMaterials[] = [
  {
    business: 'new',
    label: '新办',
    summary: '第一次办理数字证书（新开户）',
    items: ON_SITE_COMMON_MATERIALS,
    alternative: null,
  },
  {
    business: 'replace',
    label: '补办',
    summary: '数字证书（UKEY）遗失或损坏，需要重新办理',
    items: [...ON_SITE_COMMON_MATERIALS, '加盖公章的补办说明一份，说明补办原因以及授权何人来办理此事宜。'],
    alternative: null,
  },
  {
    business: 'change',
    label: '变更',
    summary: '单位名称等证书信息发生变更',
    items: [...ON_SITE_COMMON_MATERIALS, '原有的数字证书（即UKEY）。'],
    alternative: null,
  },
  {
    business: 'renew',
    label: '续费',
    summary:
      '证书有效期一年，到期前办理续费；新证书在原证书到期日基础上延长一年，提前续费不损失剩余有效期（原证书已过期的，自签发之日起一年）',
    items: ['数字证书（即UKEY），凭证书密码直接办理续费。'],
    alternative: {
      when: '不知道证书密码的，请携带：',
      items: ['有效的统一社会信用代码复印件加盖公章。（可用含有“统一社会信用代码”的证件代替）', '数字证书（即UKEY）。'],
    },
  },
];
