/**
 * 数字证书申请 → 数字证书及电子印章申请 → 新制申请 (seeds 002, 003): read what can be done online, agree
 * to the user agreement, choose the certificate project, then the key type the main/sub rule allows.
 * Creating the order leads to the order page (填写订单信息).
 *
 * Each step has its own address (/apply, /apply/agreement, /apply/project?project=…, /apply/key/<project>),
 * so the browser's back and forward buttons move between steps and a reload stays on the step. Orders the
 * organization has not finished are offered first (继续填写): coming back to the wizard after creating an
 * order — with the back button or from the menu — leads to that order, not to a second one or a dead end.
 */
import { useCallback, useEffect, useState } from 'react';
import { Link, Navigate, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, Breadcrumb, Button, Card, Checkbox, Grid, Radio, Skeleton, Space, Steps, Tag } from 'antd';
import { ArrowLeftOutlined, ArrowRightOutlined, EnvironmentOutlined, PhoneOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { BEFORE_YOU_START, HOTLINE, OFFICE_ONLY_BUSINESSES, ONLINE_REVOCATION } from '../../../core/content/help.js';
import {
  DUAL_CERTIFICATES,
  PRICE_UNCONFIRMED,
  PROJECT_CHOICE_WARNING,
  formatPriceFen,
  projectByCode,
} from '../../../core/content/projects.js';
import type { KeyKind } from '../../../core/content/projects.js';
import { apiGet, apiPost, ApiError } from '../../api.js';
import { LoginGate } from '../../components/LoginGate.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import { EDITABLE } from '../../../core/workflow.js';
import { AgreementBox } from './order/AgreementBox.js';
import { UnfinishedOrders } from './order/UnfinishedOrders.js';
import type { Catalog, CatalogProject, KeyChoice, OrderSummary, OrderView, OrderSummaries } from '../../../core/orders-schemas.js';
import './order/order.css';

const STEPS = ['新制申请', '用户协议', '证书项目', '锁类型'];
/** The address of each step; the key step adds the project's code. */
const STEP_PATH = ['/apply', '/apply/agreement', '/apply/project', '/apply/key'] as const;
const STEP_OF: Record<string, number> = { '': 0, agreement: 1, project: 2, key: 3 };

/**
 * Agreeing holds for this walk through the wizard in this tab, so a reload or the back button on a later step
 * does not ask again; going back to the first page starts a new walk.
 */
const AGREED_KEY = 'certdesk.apply.agreed';
const readAgreed = () => {
  try {
    return sessionStorage.getItem(AGREED_KEY) === '1';
  } catch {
    return false;
  }
};
const writeAgreed = (v: boolean) => {
  try {
    if (v) sessionStorage.setItem(AGREED_KEY, '1');
    else sessionStorage.removeItem(AGREED_KEY);
  } catch {
    // Storage refused (private mode): agreeing then lasts as long as the page.
  }
};

const tel = `tel:${HOTLINE.replace(/-/g, '')}`;

export function ApplyPage() {
  return (
    <LoginGate>
      <ApplyWizard />
    </LoginGate>
  );
}

function ApplyWizard() {
  const screens = Grid.useBreakpoint();
  const navigate = useNavigate();
  // The step is the address: /apply/<step>[/<project>].
  const [stepName = '', keyProject] = (useParams()['*'] ?? '').split('/');
  const step = Object.hasOwn(STEP_OF, stepName) ? STEP_OF[stepName] : undefined;
  const [search, setSearch] = useSearchParams();
  const projectCode = step === 3 ? keyProject : (search.get('project') ?? undefined);
  const [agreed, setAgreedState] = useState(readAgreed);
  const [catalog, setCatalog] = useState<CatalogProject[] | null>(null);
  const [catalogError, setCatalogError] = useState<string | null>(null);
  const [unfinished, setUnfinished] = useState<OrderSummary[]>([]);
  const [choice, setChoice] = useState<KeyChoice | null>(null);
  const [choiceError, setChoiceError] = useState<string | null>(null);
  const [choiceLoads, setChoiceLoads] = useState(0);
  const [keyType, setKeyType] = useState<KeyKind>();
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);

  const setAgreed = (v: boolean) => {
    writeAgreed(v);
    setAgreedState(v);
  };

  useEffect(() => {
    apiGet<Catalog>('/api/catalog')
      .then((r) => setCatalog(r.items))
      .catch((e: unknown) => setCatalogError(e instanceof ApiError ? e.message : '证书项目加载失败，请刷新页面'));
  }, []);

  // On the first page: the organization's unfinished orders of any project, to continue rather than start again.
  // A new application starts here, and each one is agreed to afresh: the tick is kept only within one walk.
  useEffect(() => {
    if (step !== 0) return;
    writeAgreed(false);
    setAgreedState(false);
    let live = true;
    apiGet<OrderSummaries>('/api/orders')
      .then((r) => live && setUnfinished(r.items.filter((o) => EDITABLE.includes(o.status))))
      .catch(() => {}); // only an offer: the wizard works without it
    return () => {
      live = false;
    };
  }, [step]);

  // The main/sub rule is the server's: ask it which key types this organization may take in the project,
  // and which of its orders of the project are still unfinished.
  useEffect(() => {
    if (step !== 3 || !projectCode) return;
    let live = true;
    setChoice(null);
    setChoiceError(null);
    apiGet<KeyChoice>(`/api/apply/key-choice?projectCode=${encodeURIComponent(projectCode)}`)
      .then((c) => {
        if (!live) return;
        setChoice(c);
        // One key type left and nothing to continue: it is the choice. With an unfinished order, the
        // applicant picks a new key on purpose, not by default.
        setKeyType(c.allowed.length === 1 && c.unfinished.length === 0 ? c.allowed[0] : undefined);
      })
      .catch((e: unknown) => live && setChoiceError(e instanceof ApiError ? e.message : '网络异常，请重试'));
    return () => {
      live = false;
    };
  }, [step, projectCode, choiceLoads]);

  const go = useCallback(
    (n: 0 | 1 | 2 | 3, project?: string) => {
      setCreateError(null);
      if (n === 3) navigate(`${STEP_PATH[3]}/${encodeURIComponent(project ?? '')}`);
      else navigate(project ? `${STEP_PATH[n]}?project=${encodeURIComponent(project)}` : STEP_PATH[n]);
      window.scrollTo({ top: 0 });
    },
    [navigate],
  );

  const project = catalog?.find((p) => p.code === projectCode);
  const key = project?.keys.find((k) => k.keyType === keyType);

  // An address the wizard does not have, or a later step before agreeing (a bookmark, another tab): start
  // where the applicant must.
  if (step === undefined || (step === 3 && !keyProject)) return <Navigate to="/apply" replace />;
  if (step >= 2 && !agreed) return <Navigate to={STEP_PATH[1]} replace />;
  if (step === 3 && catalog && !project) return <Navigate to={STEP_PATH[2]} replace />;

  const create = async () => {
    if (!project || !keyType) return;
    setCreating(true);
    setCreateError(null);
    try {
      const v = await apiPost<OrderView>('/api/orders', { projectCode: project.code, keyType, agree: true });
      navigate(`/orders/${v.order.id}`);
    } catch (e) {
      setCreateError(e instanceof ApiError ? (Object.values(e.fields)[0] ?? e.message) : '系统繁忙，请稍后再试');
      // Refused by the main/sub rule (e.g. another tab made the order meanwhile): show what is there now.
      if (e instanceof ApiError && e.status === 409) setChoiceLoads((n) => n + 1);
    } finally {
      setCreating(false);
    }
  };

  return (
    <div className="apply">
      <Breadcrumb
        className="apply-path"
        items={[{ title: '数字证书申请' }, { title: '数字证书及电子印章申请' }, { title: '新制申请' }]}
        data-testid="apply-path"
      />
      <Card className="apply-card">
        <Steps
          current={step}
          size="small"
          responsive={false}
          titlePlacement={screens.sm ? 'horizontal' : 'vertical'}
          items={STEPS.map((t) => ({ title: t }))}
          style={{ marginBottom: 20 }}
        />

        {step === 0 && unfinished.length > 0 && (
          <UnfinishedOrders
            items={unfinished}
            title="您有尚未完成的申请"
            lead="已创建的订单不必重新申请：点“继续填写”接着填写订单、上传资料并提交；资料审核失败的订单按退回原因修改后重新提交。"
          />
        )}

        {step === 0 && (
          <section data-testid="apply-notice">
            <h2 className="apply-h2">在线办理须知</h2>
            <Alert
              type="warning"
              showIcon
              title="在线只办理新制（新办）业务"
              description="只限已取得统一社会信用代码、尚未注销的普通机构用户在线申请新证书。监管单位等特殊类型，以及下列业务，请到现场办理。"
              style={{ marginBottom: 12 }}
            />
            <div className="office-only">
              {OFFICE_ONLY_BUSINESSES.map((b) => (
                <Link to="/offices" key={b.name} className="office-only-item">
                  <b>{b.name}</b>
                  <span>{b.detail}</span>
                  <Tag color="blue">现场办理</Tag>
                </Link>
              ))}
            </div>
            <p data-testid="online-revocation">
              {ONLINE_REVOCATION} <Link to="/certificates">打开我的证书</Link>
            </p>
            <ul className="apply-list">
              {BEFORE_YOU_START.slice(2).map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
            <Space wrap style={{ marginTop: 4 }}>
              <Link to="/offices">
                <Button icon={<EnvironmentOutlined />}>查看现场受理点</Button>
              </Link>
              <a href={tel}>
                <Button icon={<PhoneOutlined />}>客服热线 {HOTLINE}</Button>
              </a>
            </Space>
            <div className="apply-nav">
              <span />
              <Button type="primary" size="large" onClick={() => go(1)} data-testid="apply-new">
                新制申请 <ArrowRightOutlined />
              </Button>
            </div>
          </section>
        )}

        {step === 1 && (
          <section>
            <h2 className="apply-h2">阅读用户协议</h2>
            <p className="muted" style={{ marginTop: 0 }}>
              请仔细阅读《江西CA数字证书用户协议》全文，勾选同意后才能继续申请。
            </p>
            <AgreementBox />
            <Checkbox checked={agreed} onChange={(e) => setAgreed(e.target.checked)} style={{ marginTop: 12 }} data-testid="agree">
              我已阅读并同意《江西CA数字证书用户协议》
            </Checkbox>
            <div className="apply-nav">
              <Button onClick={() => go(0)} icon={<ArrowLeftOutlined />}>
                上一步
              </Button>
              <Button type="primary" size="large" disabled={!agreed} onClick={() => go(2, projectCode)} data-testid="agree-next">
                同意并继续 <ArrowRightOutlined />
              </Button>
            </div>
          </section>
        )}

        {step === 2 && (
          <section>
            <h2 className="apply-h2">选择证书项目</h2>
            <Alert
              type="error"
              showIcon
              title={<b>项目选错，证书将无法使用</b>}
              description={PROJECT_CHOICE_WARNING}
              style={{ marginBottom: 16 }}
              data-testid="project-warning"
            />
            {catalogError && <Alert type="error" showIcon title={catalogError} />}
            {!catalog && !catalogError && <Skeleton active />}
            {catalog && (
              <Radio.Group
                value={projectCode}
                // The choice is part of the address (replacing it), so back from the key step finds it ticked.
                onChange={(e) => setSearch({ project: e.target.value as string }, { replace: true })}
                className="project-choices"
                aria-label="证书项目"
              >
                {catalog.map((p) => (
                  <ProjectChoice key={p.code} p={p} selected={p.code === projectCode} />
                ))}
              </Radio.Group>
            )}
            <p className="muted" style={{ margin: '12px 0 0' }}>
              不确定选哪个项目？请先向使用证书的交易平台或主管部门确认，或致电客服热线 <a href={tel}>{HOTLINE}</a>。
            </p>
            <div className="apply-nav">
              <Button onClick={() => go(1, projectCode)} icon={<ArrowLeftOutlined />}>
                上一步
              </Button>
              <Button type="primary" size="large" disabled={!project} onClick={() => go(3, project?.code)} data-testid="project-next">
                下一步 <ArrowRightOutlined />
              </Button>
            </div>
          </section>
        )}

        {step === 3 && project && (
          <section>
            <h2 className="apply-h2">选择锁类型</h2>
            <div className="chosen-project">
              <div>
                <span className="muted">证书项目：</span>
                <b data-testid="chosen-project">{project.name}</b>
              </div>
              <div className="muted">用途：{project.purpose}</div>
              {project.dualCertificates && (
                <div className="muted" data-testid="chosen-dual">
                  {DUAL_CERTIFICATES.line}：{DUAL_CERTIFICATES.meaning}
                </div>
              )}
            </div>
            {choiceError && <Alert type="error" showIcon title={choiceError} />}
            {!choice && !choiceError && <Skeleton active paragraph={{ rows: 2 }} />}
            {choice && (
              <>
                {choice.unfinished.length > 0 && (
                  <UnfinishedOrders
                    items={choice.unfinished}
                    title={`您已有该项目尚未完成的订单`}
                    lead={
                      choice.allowed.length
                        ? '请继续填写已创建的订单，不必重新申请。确实需要再办一套证书的，可在下面另行申请。'
                        : '请继续填写已创建的订单，不必重新申请。'
                    }
                  />
                )}
                <Alert
                  type={choice.allowed.length || choice.unfinished.length ? 'info' : 'warning'}
                  showIcon
                  title={choice.allowed.length || choice.unfinished.length ? '主锁、副锁规则' : '不能在线申请该项目的证书'}
                  description={choice.reason}
                  style={{ marginBottom: 16 }}
                  data-testid="key-reason"
                />
                {choice.allowed.length === 0 && choice.unfinished.length === 0 && (
                  <Space wrap>
                    <Link to="/offices">
                      <Button type="primary" icon={<EnvironmentOutlined />}>
                        查看现场受理点
                      </Button>
                    </Link>
                    <a href={tel}>
                      <Button icon={<PhoneOutlined />}>客服热线 {HOTLINE}</Button>
                    </a>
                  </Space>
                )}
                {choice.allowed.length > 0 && (
                  <>
                    {choice.unfinished.length > 0 && <h3 className="apply-h3">另行申请一套证书</h3>}
                    <Radio.Group
                      value={keyType}
                      onChange={(e) => setKeyType(e.target.value as KeyKind)}
                      className="key-choices"
                      aria-label="锁类型"
                    >
                      {choice.allowed.map((k) => {
                        const offer = project.keys.find((x) => x.keyType === k);
                        return (
                          <Radio key={k} value={k} className={`key-choice${keyType === k ? ' selected' : ''}`}>
                            <span className="key-choice-body" data-testid={`key-${k}`}>
                              <b>{KEY_LABEL[k]}</b>
                              <span className={offer?.orderable ? 'price' : 'price unknown'}>
                                {offer?.orderable ? formatPriceFen(offer.priceFen) : PRICE_UNCONFIRMED.label}
                              </span>
                            </span>
                          </Radio>
                        );
                      })}
                    </Radio.Group>
                  </>
                )}
                {key && !key.orderable && (
                  <Alert
                    type="warning"
                    showIcon
                    style={{ marginTop: 16 }}
                    title={PRICE_UNCONFIRMED.title}
                    description={<PriceUnconfirmedAdvice />}
                    data-testid="price-unconfirmed"
                  />
                )}
                {key && key.orderable && (
                  <dl className="apply-summary" data-testid="apply-summary">
                    <dt>证书项目</dt>
                    <dd>{project.name}</dd>
                    <dt>锁类型</dt>
                    <dd>{KEY_LABEL[key.keyType]}</dd>
                    <dt>费用</dt>
                    <dd className="price">{formatPriceFen(key.priceFen)}</dd>
                    <dt>法人核验</dt>
                    <dd>{project.legalCheckRequired ? '需要：法定代表人本人用手机扫码刷脸' : '不需要'}</dd>
                    <dt>制证时间</dt>
                    <dd>纸质资料合格后约{project.productionWorkingDays}个工作日，顺丰到付寄回</dd>
                  </dl>
                )}
              </>
            )}
            {createError && <Alert type="error" showIcon title={createError} style={{ marginTop: 16 }} data-testid="create-error" />}
            <div className="apply-nav">
              <Button onClick={() => go(2, project.code)} icon={<ArrowLeftOutlined />}>
                重新选择项目
              </Button>
              {/* Nothing to create when the rule leaves no key and an unfinished order is offered above. */}
              {!(choice && choice.allowed.length === 0 && choice.unfinished.length > 0) && (
                <Button
                  type={choice?.unfinished.length ? 'default' : 'primary'}
                  size="large"
                  icon={<SafetyCertificateOutlined />}
                  disabled={!key || !key.orderable}
                  loading={creating}
                  onClick={() => void create()}
                  data-testid="create-order"
                >
                  {choice?.unfinished.length ? '创建新订单' : '确认，填写订单信息'}
                </Button>
              )}
            </div>
          </section>
        )}
      </Card>
    </div>
  );
}

function ProjectChoice({ p, selected }: { p: CatalogProject; selected: boolean }) {
  const extra = projectByCode(p.code)?.extraDocuments ?? [];
  return (
    <Radio value={p.code} className={`project-choice${selected ? ' selected' : ''}`}>
      <span className="project-choice-body" data-testid={`choose-${p.code}`}>
        <span className="project-choice-name">{p.name}</span>
        <span className="purpose">
          <b>用途：</b>
          {p.purpose}
        </span>
        <span className="platform">
          <b>使用平台：</b>
          {p.platform}
        </span>
        {p.notFor && <span className="not-for">注意：{p.notFor}</span>}
        {p.dualCertificates && (
          <span className="dual" data-testid={`dual-${p.code}`} title={DUAL_CERTIFICATES.meaning}>
            {DUAL_CERTIFICATES.line}
          </span>
        )}
        <span className="keys">
          {p.keys.map((k) => (
            <span key={k.keyType}>
              {KEY_LABEL[k.keyType]}{' '}
              <b className={k.orderable ? 'price' : 'price unknown'}>
                {k.orderable ? formatPriceFen(k.priceFen) : PRICE_UNCONFIRMED.label}
              </b>
            </span>
          ))}
        </span>
        {p.keys.some((k) => !k.orderable) && (
          <span className="price-advice" data-testid={`price-advice-${p.code}`}>
            {PRICE_UNCONFIRMED.advice}
          </span>
        )}
        {extra.length > 0 && <span className="extra">另需材料：{extra.map((d) => d.name).join('、')}</span>}
      </span>
    </Radio>
  );
}

/** What to do while a project's price is unconfirmed: the words of the catalog content, with working links. */
function PriceUnconfirmedAdvice() {
  return (
    <>
      {PRICE_UNCONFIRMED.advice.split(HOTLINE).map((part, i) => (
        <span key={i}>
          {i > 0 && <a href={tel}>{HOTLINE}</a>}
          {part}
        </span>
      ))}{' '}
      <Link to="/offices">查看现场受理点</Link>
    </>
  );
}
