/**
 * 法人核验 on the legal representative's phone, opened from the QR code on the 法人授权委托书 (/v/<token>).
 * It shows which organization authorizes which agent for which order, asks the legal representative to
 * confirm name and ID number (the same GB 11643 rule as the server), sends the phone to the face check and,
 * back at /v/<token>/done?token=<BizToken>, shows 认证成功 or why not, with 重试 while attempts remain.
 * No login: the QR token is the only key; POSTs carry the CSRF token of an anonymous session (api.ts).
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Route, Routes, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { Alert, Button, Checkbox, ConfigProvider } from 'antd';
import { LEGAL_CHECK_CORRECTION } from '../../../core/content/legal-check.js';
import type { LegalCheckOutcome, LegalCheckStarted, MobileLegalCheckView } from '../../../core/legal-check-schemas.js';
import { idNumberProblem, idProblemMessage, normalizeIdNumber } from '../../../core/id-number.js';
import { ApiError, apiGet, apiPost } from '../../api.js';
import { PhoneRoot } from './PhoneRoot.js';
import { PhoneCard, PhoneResult, PhoneSpinner } from './PhoneResult.js';
import './mobile.css';

const HOTLINE = '400-800-1040';

export type LegalCheckView = MobileLegalCheckView;
type FinishOutcome = LegalCheckOutcome;

type Loaded<T> = { state: 'loading' } | { state: 'dead' } | { state: 'error'; message: string } | { state: 'ok'; data: T };

/**
 * What the legal representative typed, kept in this tab's sessionStorage across the trip to the face check and
 * back, so a failed check or a retry does not ask for it again. Only this phone's tab holds it; a pass clears it.
 */
const typed = {
  key: (token: string) => `certdesk:legal-check:${token}`,
  read(token: string): { name?: string; idNumber?: string } {
    try {
      return JSON.parse(sessionStorage.getItem(this.key(token)) ?? '{}') as { name?: string; idNumber?: string };
    } catch {
      return {};
    }
  },
  write(token: string, v: { name: string; idNumber: string }) {
    try {
      sessionStorage.setItem(this.key(token), JSON.stringify(v));
    } catch {
      // Private mode without storage: the form is simply empty next time.
    }
  },
  clear(token: string) {
    try {
      sessionStorage.removeItem(this.key(token));
    } catch {
      // Nothing kept.
    }
  },
};

/** The form's fields (plain React state: antd's Form and its validator would double what a phone downloads). */
interface Typed {
  name: string;
  idNumber: string;
  consent: boolean;
}
type Errors = Partial<Record<string, string>>;

/** The problems of the named fields, in the form's own words. */
function check(v: Typed, fields: (keyof Typed)[]): Errors {
  const errors: Errors = {};
  if (fields.includes('name') && !v.name.trim()) errors.name = '请填写法定代表人姓名';
  if (fields.includes('idNumber')) {
    const p = idNumberProblem(normalizeIdNumber(v.idNumber));
    if (p) errors.idNumber = idProblemMessage(p, '法定代表人身份证号');
  }
  if (fields.includes('consent') && !v.consent) errors.consent = '请确认本人核验并同意进行人脸核身';
  return errors;
}

/** A labelled field with its hint and its error, laid out as antd's vertical form item. */
function Field({ id, label, extra, error, children }: { id: string; label?: string; extra?: string; error?: string; children: ReactNode }) {
  return (
    <div className={`lc-field${error ? ' lc-field-has-error' : ''}`}>
      {label && (
        <label className="lc-field-label" htmlFor={id}>
          {label}
        </label>
      )}
      {children}
      {error && (
        <div className="lc-field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      )}
      {extra && (
        <div className="lc-field-extra" id={`${id}-extra`}>
          {extra}
        </div>
      )}
    </div>
  );
}

/** A refusal that is about who the order names: say who corrects it, and where. */
const isMismatch = (reason: string | null) => !!reason && reason.includes('不一致');

const formatTime = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' }).replace(/\//g, '-') : '';

function useView(token: string) {
  const [v, setV] = useState<Loaded<LegalCheckView>>({ state: 'loading' });
  const load = useCallback(async () => {
    try {
      setV({ state: 'ok', data: await apiGet<LegalCheckView>(`/api/legal-check/${encodeURIComponent(token)}`) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setV({ state: 'dead' });
      else setV({ state: 'error', message: e instanceof ApiError ? e.message : '网络连接失败，请检查网络后重试' });
    }
  }, [token]);
  useEffect(() => {
    void load();
  }, [load]);
  return { v, reload: load };
}

export function LegalCheckPage() {
  const { token = '' } = useParams();
  const [sandbox, setSandbox] = useState(false);
  useEffect(() => {
    document.title = '法人核验 - 江西CA数字证书';
  }, []);
  return (
    <PhoneRoot>
      <ConfigProvider theme={{ token: { fontSize: 16, controlHeight: 44, controlHeightLG: 50 } }} button={{ autoInsertSpace: false }}>
        <div className="lc-shell">
          <header className="lc-header">
            <span className="lc-mark">CA</span>
            <div>
              <strong>法人核验</strong>
              <small>江西省数字证书有限公司 · 数字证书在线受理</small>
            </div>
          </header>
          {sandbox && (
            <div className="lc-sandbox" role="alert" data-testid="sandbox-banner">
              沙箱环境
              <small>人脸核身为模拟，不会真实核验身份，仅供测试</small>
            </div>
          )}
          <main className="lc-main">
            <Routes>
              <Route path="done" element={<DoneStep token={token} onSandbox={setSandbox} />} />
              <Route path="*" element={<CheckStep token={token} onSandbox={setSandbox} />} />
            </Routes>
          </main>
        </div>
      </ConfigProvider>
    </PhoneRoot>
  );
}

function DeadCode() {
  return (
    <PhoneResult
      className="lc-result lc-failed"
      status="warning"
      title="二维码已失效"
      subTitle={
        <>
          <p>该二维码对应的订单不存在或已被删除，不能再用于法人核验。</p>
          <p>订单删除后重新申请的，请经办人下载新订单的《法人授权委托书》模板并打印，扫描新模板上的二维码重新进行法人核验。</p>
          <p>
            如有疑问请致电客服热线{' '}
            <a href={`tel:${HOTLINE}`} style={{ whiteSpace: 'nowrap' }}>
              {HOTLINE}
            </a>
          </p>
        </>
      }
      data-testid="dead-code"
    />
  );
}

function LoadError({ message, retry }: { message: string; retry: () => void }) {
  return (
    <PhoneResult
      className="lc-result"
      status="error"
      title="页面加载失败"
      subTitle={message}
      extra={
        <Button type="primary" size="large" onClick={retry}>
          重新加载
        </Button>
      }
    />
  );
}

function PassedResult({ at }: { at: string | null }) {
  return (
    <PhoneResult
      className="lc-result lc-passed"
      status="success"
      title="认证成功"
      data-testid="result-passed"
      subTitle={
        <>
          <p>法定代表人已本人完成人脸核身{at ? `（${formatTime(at)}）` : ''}。</p>
          <p>请告知经办人：订单页面已显示“认证成功”，可以继续上传资料并提交申请。本页面可以关闭。</p>
        </>
      }
    />
  );
}

function Facts({ view }: { view: LegalCheckView }) {
  const none = <span style={{ color: '#c9cdd4' }}>（订单中尚未填写）</span>;
  return (
    <>
      <PhoneCard className="lc-card" title="授权信息">
        <dl className="lc-facts">
          <dt>申请单位</dt>
          <dd data-testid="org-name">{view.organization.name}</dd>
          <dt>订单编号</dt>
          <dd className="lc-mono">{view.order.orderNoDisplay}</dd>
          <dt>证书项目</dt>
          <dd>
            {view.order.projectName}
            <div style={{ color: '#86909c', fontSize: 14, fontWeight: 400 }}>{view.order.keyLabel}</div>
          </dd>
        </dl>
      </PhoneCard>
      <PhoneCard className="lc-card" title="被授权的经办人">
        <dl className="lc-facts">
          <dt>姓名</dt>
          <dd>{view.agent.name ?? none}</dd>
          <dt>身份证号</dt>
          <dd className="lc-mono">{view.agent.idNumberMasked ?? none}</dd>
          <dt>手机号</dt>
          <dd className="lc-mono">{view.agent.mobileMasked ?? none}</dd>
        </dl>
        <p className="lc-note">法定代表人核验通过，即确认授权以上经办人为本单位办理数字证书及电子签章业务。</p>
      </PhoneCard>
    </>
  );
}

function CheckStep({ token, onSandbox }: { token: string; onSandbox: (b: boolean) => void }) {
  const { v, reload } = useView(token);
  const [values, setValues] = useState<Typed>(() => ({ name: '', idNumber: '', consent: false, ...typed.read(token) }));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dead, setDead] = useState(false);
  useEffect(() => {
    if (v.state === 'ok') onSandbox(v.data.service.sandbox);
  }, [v, onSandbox]);

  if (dead || v.state === 'dead') return <DeadCode />;
  if (v.state === 'loading')
    return (
      <div style={{ textAlign: 'center', padding: '80px 0' }}>
        <PhoneSpinner large />
      </div>
    );
  if (v.state === 'error') return <LoadError message={v.message} retry={() => void reload()} />;
  const view = v.data;
  const lc = view.legalCheck;
  if (lc.status === 'passed') typed.clear(token);
  if (lc.status === 'passed')
    return (
      <>
        <PassedResult at={lc.at} />
        <Facts view={view} />
      </>
    );

  const blocked = !view.service.available
    ? `法人核验服务暂未开通，请致电客服热线 ${HOTLINE}`
    : !view.legalPersonReady
      ? '订单中还没有填写法定代表人信息：请联系经办人先在订单中填写法人姓名和身份证号，再扫码核验。'
      : lc.limitMessage;

  // A field showing an error is checked again as it is corrected.
  const change = (patch: Partial<Typed>, field: keyof Typed) => {
    const next = { ...values, ...patch };
    setValues(next);
    if (errors[field]) setErrors((old) => ({ ...old, [field]: check(next, [field])[field] }));
  };

  const submit = async (values: Typed) => {
    setBusy(true);
    setError(null);
    typed.write(token, { name: values.name, idNumber: values.idNumber });
    try {
      const r = await apiPost<LegalCheckStarted>(`/api/legal-check/${encodeURIComponent(token)}/start`, {
        name: values.name,
        idNumber: normalizeIdNumber(values.idNumber),
      });
      // To the face check; it sends the phone back to /v/<token>/done.
      window.location.assign(r.redirectUrl);
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.status === 404) return setDead(true);
      if (e instanceof ApiError && Object.keys(e.fields).length) {
        setErrors(e.fields);
        return;
      }
      setError(e instanceof ApiError ? e.message : '系统繁忙，请稍后再试');
      if (e instanceof ApiError && e.status === 429) void reload();
    }
  };

  return (
    <>
      <div className="lc-title">请法定代表人本人核对并完成刷脸</div>
      <Facts view={view} />
      <PhoneCard className="lc-card" title="接下来会发生什么">
        <ol className="lc-steps">
          <li>法定代表人本人核对上面的单位、订单和经办人信息；</li>
          <li>填写法定代表人的姓名和身份证号（须与订单中填写的一致）；</li>
          <li>跳转到腾讯云人脸核身页面，按提示正对手机完成刷脸；</li>
          <li>完成后自动回到本页显示结果，显示“认证成功”即完成。</li>
        </ol>
        <p className="lc-note">人脸信息仅由人脸核身服务用于本次身份核验，本系统只保存核验结果。</p>
      </PhoneCard>
      {lc.inProgress && lc.status !== 'failed' && (
        <Alert type="info" showIcon style={{ marginBottom: 14 }} message="已开始过一次人脸核身但尚未完成，可以重新开始。" />
      )}
      {lc.lastFailure && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 14 }}
          message="上次核验未通过"
          description={
            <>
              {lc.lastFailure}
              {isMismatch(lc.lastFailure) && <div data-testid="correction-hint">{LEGAL_CHECK_CORRECTION}</div>}
            </>
          }
          data-testid="last-failure"
        />
      )}
      <PhoneCard className="lc-card" title="法定代表人信息">
        {blocked ? (
          <Alert type="error" showIcon message={blocked} data-testid="blocked" />
        ) : (
          <form
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              const problems = check(values, ['name', 'idNumber', 'consent']);
              setErrors(problems);
              if (Object.keys(problems).length === 0) void submit(values);
            }}
          >
            {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="form-error" />}
            <Field id="lc-name" label="法定代表人姓名" error={errors.name}>
              <input
                id="lc-name"
                maxLength={30}
                autoComplete="name"
                placeholder="与身份证上的姓名一致"
                disabled={busy}
                className={`lc-input${errors.name ? ' lc-input-error' : ''}`}
                aria-invalid={Boolean(errors.name)}
                aria-describedby={errors.name ? 'lc-name-error' : undefined}
                value={values.name}
                onChange={(e) => change({ name: e.target.value }, 'name')}
              />
            </Field>
            <Field id="lc-id-number" label="法定代表人身份证号" error={errors.idNumber} extra="18位，最后一位可能是X">
              <input
                id="lc-id-number"
                maxLength={24}
                inputMode="text"
                autoComplete="off"
                placeholder="18位居民身份证号码"
                disabled={busy}
                className={`lc-input lc-mono${errors.idNumber ? ' lc-input-error' : ''}`}
                aria-invalid={Boolean(errors.idNumber)}
                aria-describedby={errors.idNumber ? 'lc-id-number-error' : 'lc-id-number-extra'}
                value={values.idNumber}
                // Checked on leaving the field; once it shows an error, re-checked as the number is corrected.
                onChange={(e) => change({ idNumber: e.target.value.replace(/[\s\u3000]+/g, '').toUpperCase() }, 'idNumber')}
                onBlur={() => setErrors((old) => ({ ...old, idNumber: check(values, ['idNumber']).idNumber }))}
              />
            </Field>
            <Field id="lc-consent" error={errors.consent}>
              <Checkbox
                id="lc-consent"
                style={{ fontSize: 15, lineHeight: 1.6 }}
                disabled={busy}
                checked={values.consent}
                onChange={(e) => change({ consent: e.target.checked }, 'consent')}
              >
                我是该单位的法定代表人本人，同意进行人脸核身，并授权上述经办人办理本订单的数字证书业务
              </Checkbox>
            </Field>
            <Button type="primary" htmlType="submit" block size="large" className="lc-big-button" loading={busy}>
              开始人脸核身
            </Button>
            <p className="lc-note" data-testid="attempts-left">
              今天还可以核验 {lc.attemptsLeft} 次。如遇问题请致电客服热线{' '}
              <a href={`tel:${HOTLINE}`} style={{ whiteSpace: 'nowrap' }}>
                {HOTLINE}
              </a>
            </p>
          </form>
        )}
      </PhoneCard>
    </>
  );
}

function DoneStep({ token, onSandbox }: { token: string; onSandbox: (b: boolean) => void }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  // Tencent appends token=<BizToken> to the RedirectUrl.
  const bizToken = params.get('token') ?? params.get('BizToken') ?? '';
  const [outcome, setOutcome] = useState<Loaded<FinishOutcome>>({ state: 'loading' });
  const asked = useRef(false);

  const finish = useCallback(async () => {
    setOutcome({ state: 'loading' });
    let view: LegalCheckView;
    try {
      // The page itself first: a dead code says so, and the sandbox banner shows.
      view = await apiGet<LegalCheckView>(`/api/legal-check/${encodeURIComponent(token)}`);
      onSandbox(view.service.sandbox);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setOutcome({ state: 'dead' });
      else setOutcome({ state: 'error', message: e instanceof ApiError ? e.message : '网络连接失败，请检查网络后重试' });
      return;
    }
    if (!bizToken) {
      setOutcome({
        state: 'ok',
        data: {
          status: 'incomplete',
          reason: '没有收到人脸核身的结果，请重新开始核验',
          at: null,
          attemptsLeft: view.legalCheck.attemptsLeft,
        },
      });
      return;
    }
    try {
      setOutcome({ state: 'ok', data: await apiPost<FinishOutcome>(`/api/legal-check/${encodeURIComponent(token)}/finish`, { bizToken }) });
    } catch (e) {
      setOutcome({ state: 'error', message: e instanceof ApiError ? e.message : '网络连接失败，请检查网络后重试' });
    }
  }, [token, bizToken, onSandbox]);

  useEffect(() => {
    // Once per visit (React's development double effects must not ask twice; a second ask is harmless anyway).
    if (asked.current) return;
    asked.current = true;
    void finish();
  }, [finish]);

  const retry = () => navigate(`/v/${token}`, { replace: true });
  if (outcome.state === 'loading')
    return (
      <div style={{ textAlign: 'center', padding: '80px 0' }}>
        <PhoneSpinner large />
        <p style={{ marginTop: 16, color: '#4e5969' }}>正在查询核验结果…</p>
      </div>
    );
  if (outcome.state === 'dead') return <DeadCode />;
  if (outcome.state === 'error')
    return (
      <PhoneResult
        className="lc-result"
        status="error"
        title="暂时查不到结果"
        subTitle={outcome.message}
        extra={[
          <Button key="again" type="primary" size="large" onClick={() => void finish()}>
            再查一次
          </Button>,
          <Button key="back" size="large" onClick={retry}>
            返回
          </Button>,
        ]}
      />
    );
  const o = outcome.data;
  if (o.status === 'passed') {
    typed.clear(token);
    return <PassedResult at={o.at} />;
  }
  const canRetry = o.attemptsLeft > 0;
  return (
    <PhoneResult
      className="lc-result lc-failed"
      status={o.status === 'incomplete' ? 'warning' : 'error'}
      title={o.status === 'incomplete' ? '刷脸尚未完成' : '认证未通过'}
      data-testid="result-failed"
      subTitle={
        <>
          <p data-testid="failure-reason">{o.reason}</p>
          {isMismatch(o.reason) && <p data-testid="correction-hint">{LEGAL_CHECK_CORRECTION}</p>}
          {canRetry ? (
            <p>请确认由法定代表人本人操作，在光线充足处正对手机后重试。今天还可以核验 {o.attemptsLeft} 次。</p>
          ) : (
            <p>
              核验次数已用完，请返回查看说明，或致电客服热线{' '}
              <a href={`tel:${HOTLINE}`} style={{ whiteSpace: 'nowrap' }}>
                {HOTLINE}
              </a>
            </p>
          )}
        </>
      }
      extra={
        canRetry ? (
          <Button type="primary" size="large" block className="lc-big-button" onClick={retry}>
            重试
          </Button>
        ) : (
          <Button size="large" block onClick={retry}>
            返回
          </Button>
        )
      }
    />
  );
}
