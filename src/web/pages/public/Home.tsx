import { Link } from 'react-router-dom';
import { Alert, Button, Space, Tag } from 'antd';
import { EnvironmentOutlined, PhoneOutlined, QuestionCircleOutlined, ReadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { ONLINE_FLOW } from '../../../core/content/flow.js';
import { HOTLINE, OFFICE_ONLY_BUSINESSES, ONLINE_REVOCATION } from '../../../core/content/help.js';
import {
  DUAL_CERTIFICATES,
  KEY_RULES,
  PRICE_UNCONFIRMED,
  PROJECT_CHOICE_WARNING,
  formatPriceFen,
  type ProjectInfo,
} from '../../../core/content/projects.js';
import { useLiveProjects } from '../../components/useLiveProjects.js';
import { OFFICES } from '../../../core/content/offices.js';
import { useOrgSession } from '../../session.js';
import { FlowList, HotlineLink, SectionTitle } from './parts.js';

function legalPersonText(p: ProjectInfo): string {
  if (p.legalPersonVerification === true) return '需要（法定代表人扫码刷脸）';
  if (p.legalPersonVerification === false) return '不需要';
  // Only until the catalog (which decides) has answered: useLiveProjects fills it in.
  return '见订单页面';
}

function ProjectCard({ p }: { p: ProjectInfo }) {
  const hasSub = p.keys.some((k) => k.kind === 'sub');
  return (
    <article className="project-card" data-testid={`project-${p.code}`}>
      <h3>{p.name}</h3>
      <p className="purpose">
        <b>用途：</b>
        {p.purpose}
      </p>
      {p.notFor && <p className="not-for">注意：{p.notFor}</p>}
      {p.dualCertificates && (
        <p className="dual" data-testid={`dual-${p.code}`}>
          <b>{DUAL_CERTIFICATES.line}</b>
          <br />
          {DUAL_CERTIFICATES.meaning}
        </p>
      )}
      <div>
        {p.keys.map((k) => (
          <div className="key-row" key={k.kind}>
            <span className="key-name">
              {hasSub ? <Tag color={k.withSeal ? 'red' : 'default'}>{k.label}</Tag> : <Tag color="red">数字证书</Tag>}
              <span>{k.withSeal ? '含电子签章' : '无电子签章'}</span>
            </span>
            <span className={k.priceFen === null ? 'price unknown' : 'price'}>{formatPriceFen(k.priceFen)}</span>
          </div>
        ))}
      </div>
      {p.keys.some((k) => k.priceFen === null) && (
        <p className="price-advice" data-testid={`price-advice-${p.code}`}>
          {/* The hotline in the advice, as a number a phone can dial. */}
          {PRICE_UNCONFIRMED.advice.split(HOTLINE).map((part, i) => (
            <span key={i}>
              {i > 0 && <HotlineLink />}
              {part}
            </span>
          ))}
        </p>
      )}
      <ul className="project-meta">
        <li>
          <span>法人核验</span>
          <span>{legalPersonText(p)}</span>
        </li>
        <li>
          <span>制证时间</span>
          <span>纸质资料合格后约{p.productionWorkingDays}个工作日</span>
        </li>
        {p.extraDocuments.length > 0 && (
          <li>
            <span>另需材料</span>
            <span>{p.extraDocuments.map((d) => d.name).join('、')}</span>
          </li>
        )}
      </ul>
    </article>
  );
}

export function HomePage() {
  const { organization } = useOrgSession();
  const projects = useLiveProjects();
  return (
    <div className="pub">
      <section className="hero home-hero">
        <div>
          <div className="hero-eyebrow">江西省数字证书有限公司 · 江西CA</div>
          <h1>单位数字证书及电子签章在线申请</h1>
          <p>
            足不出户办理单位数字证书（UKEY）新制业务：网上注册、上传资料、在线付款，邮寄盖章纸质资料后，我们制作数字证书和电子签章并用顺丰到付寄回。
          </p>
          <Space wrap size={12}>
            {organization ? (
              <Link to="/account">
                <Button size="large" className="hero-btn-light">
                  进入我的工作台
                </Button>
              </Link>
            ) : (
              <>
                <Link to="/register">
                  <Button size="large" className="hero-btn-light">
                    免费注册
                  </Button>
                </Link>
                <Link to="/login">
                  <Button size="large" className="hero-btn-ghost">
                    登录
                  </Button>
                </Link>
              </>
            )}
            <Link to="/help">
              <Button size="large" className="hero-btn-ghost" icon={<ReadOutlined />}>
                帮助手册
              </Button>
            </Link>
          </Space>
          <div className="hero-facts">
            <span>统一社会信用代码即登录名</span>
            <span>微信、支付宝在线付款</span>
            <span>资料合格后约2个工作日制证</span>
          </div>
        </div>
        <aside className="hero-side">
          <div style={{ fontSize: 13, opacity: 0.9 }}>
            <PhoneOutlined /> 客服热线
          </div>
          <HotlineLink className="hotline" />
          <p>
            着急用证？全省{OFFICES.length}个受理点可现场办理，时效更快。
            <br />
            <Link to="/offices" className="hero-link">
              查看受理点地址
            </Link>
          </p>
        </aside>
      </section>

      <section id="projects">
        <SectionTitle lead="在线可申请以下五个项目的证书。不同项目的证书只能在对应的系统中使用，请先弄清楚证书要在哪个系统使用。">
          可在线申请的证书项目
        </SectionTitle>
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={<b>项目选错，证书将无法使用</b>}
          description={PROJECT_CHOICE_WARNING}
          data-testid="project-warning"
        />
        <div className="pub-grid">
          {projects.map((p) => (
            <ProjectCard key={p.code} p={p} />
          ))}
          <article className="project-card project-ask">
            <h3>
              <QuestionCircleOutlined /> 不确定选哪个项目？
            </h3>
            <p style={{ margin: 0 }}>
              请先向要使用证书的交易平台或主管部门确认需要哪个项目的证书，也可以致电客服热线咨询。预审工作人员无法替您判断证书用途。
            </p>
            <div className="ask-hotline">
              <PhoneOutlined /> <HotlineLink />
            </div>
          </article>
        </div>
        <p className="muted" style={{ marginTop: 10, fontSize: 13 }}>
          价格为每套数字证书（UKEY）的费用，以订单页面显示的金额为准；证书有效期一年，到期前须续费。
        </p>
      </section>

      <section>
        <SectionTitle>主锁与副锁</SectionTitle>
        <div className="pub-panel">
          <Space wrap style={{ marginBottom: 10 }}>
            <Tag color="red">主锁 · 含电子签章</Tag>
            <Tag>副锁 · 无电子签章</Tag>
          </Space>
          <ul className="pub-list">
            {KEY_RULES.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      </section>

      <section>
        <SectionTitle lead="在线申请仍须邮寄盖章的纸质资料，纸质资料合格后才制作证书。每一步的具体要求见帮助手册。">
          在线办理流程
        </SectionTitle>
        <FlowList steps={ONLINE_FLOW} />
        <div style={{ marginTop: 12 }}>
          <Link to="/help">
            <Button icon={<ReadOutlined />}>查看详细的帮助手册</Button>
          </Link>
        </div>
      </section>

      <section className="pub-grid-2">
        <div className="pub-panel">
          <SectionTitle>在线只办理新制</SectionTitle>
          <p style={{ margin: '0 0 10px' }}>
            在线只受理已取得统一社会信用代码、尚未注销的普通机构用户的证书新制（新办）业务。以下业务以及监管单位等特殊类型，请到现场办理：
          </p>
          <Space wrap size={[6, 6]} style={{ marginBottom: 12 }}>
            {OFFICE_ONLY_BUSINESSES.map((b) => (
              <Tag key={b.name} color="blue">
                {b.name}
              </Tag>
            ))}
          </Space>
          <p style={{ margin: '0 0 12px' }} data-testid="online-revocation">
            {ONLINE_REVOCATION}
          </p>
          <div>
            <Link to="/offices">
              <Button type="primary" icon={<EnvironmentOutlined />}>
                查看全省{OFFICES.length}个受理点及所需资料
              </Button>
            </Link>
          </div>
        </div>
        <div className="pub-panel">
          <SectionTitle>证书服务承诺</SectionTitle>
          <ul className="pub-list">
            <li>数字证书有效期为一年，自签发之日起计算，到期前须续费。</li>
            <li>
              提供在线<Link to="/cert-status">证书状态查询</Link>；根证书和证书吊销列表（CRL）见<Link to="/downloads">下载中心</Link>。
            </li>
            <li>接到吊销申请后，在24小时内吊销数字证书。</li>
            <li>证书存储介质（UKEY）在质保期内正常使用出现硬件故障的，负责更换。</li>
          </ul>
          <p style={{ margin: '10px 0 0' }}>
            <SafetyCertificateOutlined /> 详见<Link to="/agreement">《江西CA数字证书用户协议》</Link>。客服热线：
            <HotlineLink />
          </p>
        </div>
      </section>
    </div>
  );
}
