import { useEffect, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { Alert, Anchor, Button, FloatButton, Grid, Tag } from 'antd';
import { ArrowRightOutlined, EnvironmentOutlined, PhoneOutlined } from '@ant-design/icons';
import {
  APPLICATION_DOCUMENTS,
  LICENSE_SUBSTITUTES,
  MAIL_DOCUMENTS,
  MAIL_RULES,
  SEAL_RULES,
  UPLOAD_RULES,
} from '../../../core/content/documents.js';
import {
  APPLY_NOTES,
  APPLY_PATH,
  BEFORE_YOU_START,
  HELP_SECTIONS,
  LEGAL_PERSON_VERIFICATION,
  LOGIN_STEPS,
  MAIL_WHERE,
  ORDER_FORM_NOTES,
  ORDER_FORM_SECTIONS,
  PAPER_REVIEW,
  PAYMENT,
  PAYMENT_TROUBLESHOOTING,
  PRODUCTION_AND_SHIPPING,
  REGISTER_NOTES,
  REGISTER_STEPS,
  SUBMIT_AND_REVIEW,
} from '../../../core/content/help.js';
import { UKEY_PIN } from '../../../core/content/downloads.js';
import { ORDER_STATUSES } from '../../../core/content/order-statuses.js';
import { PROJECT_CHOICE_WARNING, formatPriceFen } from '../../../core/content/projects.js';
import { useLiveProjects } from '../../components/useLiveProjects.js';
import { HotlineLink, ScopeTag, SectionTitle } from './parts.js';

function titleOf(id: string): string {
  return HELP_SECTIONS.find((s) => s.id === id)?.title ?? id;
}

function Section({ id, children }: { id: string; children: ReactNode }) {
  return (
    <section id={id} className="help-section pub-panel">
      <SectionTitle>{titleOf(id)}</SectionTitle>
      {children}
    </section>
  );
}

function Bullets({ items, ordered }: { items: string[]; ordered?: boolean }) {
  const children = items.map((t) => <li key={t}>{t}</li>);
  return ordered ? <ol className="pub-list">{children}</ol> : <ul className="pub-list">{children}</ul>;
}

export function HelpPage() {
  const screens = Grid.useBreakpoint();
  const projects = useLiveProjects();
  const wide = screens.lg === true;
  const { hash } = useLocation();
  // A link such as /help#pay arrives through the router, which does not scroll to the anchor itself.
  useEffect(() => {
    if (hash) document.getElementById(decodeURIComponent(hash.slice(1)))?.scrollIntoView();
  }, [hash]);
  return (
    <div className="pub">
      <div>
        <h1 style={{ fontSize: 26, margin: '0 0 6px' }}>帮助手册</h1>
        <p className="pub-lead" style={{ margin: 0 }}>
          在线新制（新办）单位数字证书及电子签章的完整操作说明：从注册账户到收到证书，每一步要做什么、要准备哪些资料。
        </p>
      </div>

      {!wide && (
        <nav className="pub-panel" aria-label="目录">
          <div style={{ fontWeight: 600, marginBottom: 8 }}>目录</div>
          <ul className="help-toc">
            {HELP_SECTIONS.map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`}>{s.title}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}

      <div className="help-layout">
        <div className="help-sections">
          <Section id="before">
            <Bullets items={BEFORE_YOU_START} />
            <Alert type="warning" showIcon style={{ marginTop: 14 }} title="请按用途选择证书项目" description={PROJECT_CHOICE_WARNING} />
            <p style={{ margin: '12px 0 0' }}>
              各项目证书的用途和价格见<Link to="/">首页</Link>；现场办理的受理点见<Link to="/offices">现场办理</Link>。
            </p>
          </Section>

          <Section id="register">
            <Bullets items={REGISTER_STEPS} ordered />
            <Alert
              type="info"
              showIcon
              style={{ marginTop: 14 }}
              title="注册时务必核对统一社会信用代码和单位名称"
              description={<Bullets items={REGISTER_NOTES} />}
            />
            <div style={{ marginTop: 12 }}>
              <Link to="/register">
                <Button type="primary">免费注册</Button>
              </Link>
            </div>
          </Section>

          <Section id="login">
            <Bullets items={LOGIN_STEPS} ordered />
          </Section>

          <Section id="apply">
            <p style={{ margin: '0 0 4px' }}>登录后依次点击：</p>
            <div className="help-path" data-testid="apply-path">
              {APPLY_PATH.map((step, i) => (
                <span key={step} style={{ display: 'contents' }}>
                  {i > 0 && <ArrowRightOutlined className="arrow" />}
                  <Tag color={i < 3 ? 'red' : 'default'}>{step}</Tag>
                </span>
              ))}
            </div>
            <Bullets items={APPLY_NOTES} />
            <h3>可选择的证书项目</h3>
            <Bullets items={projects.map((p) => `${p.name}：${p.purpose}`)} />
          </Section>

          <Section id="order">
            <p style={{ margin: '0 0 8px' }}>根据单位的实际情况填写以下各部分：</p>
            <ul className="price-lines">
              {ORDER_FORM_SECTIONS.map((s) => (
                <li key={s.title} style={{ display: 'block' }}>
                  <b style={{ color: '#1d2129' }}>{s.title}</b>
                  <div className="muted">{s.detail}</div>
                </li>
              ))}
            </ul>
            <h3>请注意</h3>
            <Bullets items={ORDER_FORM_NOTES} />
          </Section>

          <Section id="documents">
            <p style={{ margin: 0 }}>
              订单填好后进入上传证件页面。每份资料都按“下载模板 → 打印 → 盖章 → 扫描 → 上传”的顺序准备，要求如下：
            </p>
            <Alert
              type="info"
              showIcon
              style={{ marginTop: 12 }}
              title="上传要求"
              description={`${UPLOAD_RULES.summary}${UPLOAD_RULES.browserHelp}`}
              data-testid="upload-rules"
            />
            {APPLICATION_DOCUMENTS.map((d, i) => (
              <div className="doc-block" key={d.code}>
                <div className="doc-head">
                  <b>
                    {i + 1}. {d.name}
                  </b>
                  <ScopeTag scope={d.scope} />
                </div>
                <Bullets items={d.howTo} ordered />
                {d.warnings.length > 0 && (
                  <div className="doc-warn">
                    {d.warnings.map((w) => (
                      <div key={w}>{w}</div>
                    ))}
                  </div>
                )}
              </div>
            ))}
            <h3>盖章要求</h3>
            <Bullets items={SEAL_RULES} />
            <h3>没有营业执照的单位</h3>
            <p style={{ margin: '0 0 6px' }}>请用其他含有统一社会信用代码的证件代替，例如：</p>
            <ul className="price-lines">
              {LICENSE_SUBSTITUTES.map((s) => (
                <li key={s.orgType}>
                  <span>{s.orgType}</span>
                  <span>{s.document}</span>
                </li>
              ))}
            </ul>
          </Section>

          <Section id="verify">
            <Bullets items={LEGAL_PERSON_VERIFICATION} ordered />
            <Alert
              type="warning"
              showIcon
              style={{ marginTop: 14 }}
              title="必须显示“认证成功”"
              description="申请证书必须通过法人核验，且手机操作界面反馈结果为“认证成功”，否则无法提交或审核不通过。"
            />
          </Section>

          <Section id="submit">
            <Bullets items={SUBMIT_AND_REVIEW} ordered />
          </Section>

          <Section id="pay">
            <Bullets items={PAYMENT} />
            <h3>各项目价格</h3>
            <ul className="price-lines" data-testid="price-lines">
              {projects.map((p) => (
                <li key={p.code}>
                  <span>{p.name}</span>
                  <span>
                    {p.keys.every((k) => k.priceFen === null) ? (
                      <span className="unknown">{formatPriceFen(null)}</span>
                    ) : (
                      p.keys.map((k, i) => (
                        <span key={k.kind}>
                          {i > 0 && ' / '}
                          {p.keys.length > 1 && `${k.label} `}
                          <b>{formatPriceFen(k.priceFen)}</b>
                        </span>
                      ))
                    )}
                  </span>
                </li>
              ))}
            </ul>
            <h3>无法弹出支付二维码怎么办</h3>
            <ol className="tip-list" data-testid="payment-tips">
              {PAYMENT_TROUBLESHOOTING.map((t) => (
                <li key={t.title}>
                  <b>{t.title}</b>
                  <div>{t.detail}</div>
                </li>
              ))}
            </ol>
          </Section>

          <Section id="mail">
            <p style={{ margin: '0 0 8px' }}>付款后，请将以下纸质资料原件邮寄至我司：</p>
            <ol className="pub-list" data-testid="mail-list">
              {MAIL_DOCUMENTS.map((d) => (
                <li key={d.code}>
                  {d.text} {d.scope !== 'all' && <ScopeTag scope={d.scope} />}
                </li>
              ))}
            </ol>
            <p style={{ margin: '10px 0 0' }}>
              没有营业执照的单位，用其他含有统一社会信用代码的证件代替：
              {LICENSE_SUBSTITUTES.map((s) => `${s.orgType}用${s.document}`).join('，')}，等等。
            </p>
            <h3>寄到哪里、邮寄资料清单</h3>
            <Bullets items={MAIL_WHERE} />
            <h3>邮寄要求</h3>
            <Bullets items={MAIL_RULES} />
          </Section>

          <Section id="paper-review">
            <Bullets items={PAPER_REVIEW} />
          </Section>

          <Section id="ship">
            <Bullets items={PRODUCTION_AND_SHIPPING} />
            <h3 id="ukey-pin">收到UKEY后：初始口令和修改口令</h3>
            <Bullets items={UKEY_PIN} ordered />
          </Section>

          <Section id="statuses">
            <p style={{ margin: '0 0 4px' }}>登录系统后，可随时在订单中查看当前状态、每一步的时间、审核意见和快递单号。各状态的含义：</p>
            <div data-testid="status-list">
              {ORDER_STATUSES.map((s) => (
                <div className="status-row" key={s.code}>
                  <Tag color={s.color}>{s.label}</Tag>
                  <div>
                    <div>{s.meaning}</div>
                    <div className="action">您需要：{s.applicantAction}</div>
                  </div>
                </div>
              ))}
            </div>
          </Section>

          <Section id="contact">
            <p style={{ margin: 0 }}>
              <PhoneOutlined /> 客服热线：
              <HotlineLink />
            </p>
            <p style={{ margin: '6px 0 12px' }}>单位名称登记错误、注册手机号停用、对审核结果有疑问，都可以致电客服热线。</p>
            <Link to="/offices">
              <Button icon={<EnvironmentOutlined />}>现场办理受理点及所需资料</Button>
            </Link>
          </Section>
        </div>

        {wide && (
          <aside className="help-aside">
            <div className="aside-title">目录</div>
            <Anchor affix={false} targetOffset={16} items={HELP_SECTIONS.map((s) => ({ key: s.id, href: `#${s.id}`, title: s.title }))} />
          </aside>
        )}
      </div>
      <FloatButton.BackTop visibilityHeight={800} />
    </div>
  );
}
