/**
 * 填写订单信息: 单位信息, 法人信息, 经办人信息, 发票信息, 证书接收人信息 (and the 入赣负责人 for
 * out-of-province housing companies). Everything typed is saved as the applicant goes (PUT …/form, about
 * 0.8 s after the last keystroke: components/autosave.ts) and kept in localStorage until the server has it, so a reload, a lost
 * connection or another tab never costs what was typed. The browser judges the fields with the server's
 * own rules (orderFinalSchema) and also shows what the server last said.
 */
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type ReactNode, type Ref } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Col, Descriptions, Form, Input, Row, Select, Space, Typography } from 'antd';
import { CheckCircleFilled, CloudSyncOutlined, ExclamationCircleFilled, LoadingOutlined } from '@ant-design/icons';
import { beijing } from './time.js';
import { HOTLINE } from '../../../../core/content/help.js';
import type { OrderDraft } from '../../../../core/order-form.js';
import { UNIT_TYPES, UNIT_TYPE_CODES } from '../../../../core/unit-types.js';
import { OUT_OF_PROVINCE } from '../../../../core/requirements.js';
import { apiPut } from '../../../api.js';
import { useAutosave, type SaveState } from '../../../components/autosave.js';
import { loginUrl } from '../../../components/LoginGate.js';
import { browserProblems, draftJson, fieldPaths, localCopy, SECTIONS, toDraft, useOrderRules, type Section } from './draft.js';
import type { FormSaved, OrderView } from '../../../../core/orders-schemas.js';

export interface OrderFormHandle {
  /** Saves what is pending now; true when the server has everything typed. */
  flush(): Promise<boolean>;
  /** Shows every field's message and scrolls to the first one. */
  revealAll(): void;
}

type Values = Record<string, Record<string, string | undefined>>;

/** Every field present (empty string when not typed; unit type undefined so the select shows its hint). */
function formValues(d: OrderDraft): Values {
  const src = d as Record<string, Record<string, string> | undefined>;
  const out: Values = {};
  for (const s of Object.keys(SECTIONS) as Section[])
    out[s] = Object.fromEntries(SECTIONS[s].map((k) => [k, src[s]?.[k] ?? (s === 'unit' && k === 'unitType' ? undefined : '')]));
  return out;
}

const hms = (d: Date | number) => beijing(d, 'HH:mm:ss');

/** Where the form starts: the server's copy, or the unsaved local one when that is newer. */
function startingPoint(view: OrderView, outOfProvince: boolean) {
  const server = toDraft(formValues(view.order.form), outOfProvince);
  const local = localCopy.read(view.order.id);
  if (!local || !view.order.editable) {
    if (local) localCopy.clear(view.order.id);
    return { draft: server, restored: null, offer: null };
  }
  const mine = toDraft(formValues(local.form), outOfProvince);
  if (draftJson(mine) === draftJson(server)) {
    localCopy.clear(view.order.id);
    return { draft: server, restored: null, offer: null };
  }
  // Typed on top of what the server still has, or after the server's last change: the local copy wins.
  if (local.baseVersion === view.order.formVersion || local.editedAt > Date.parse(view.order.updatedAt))
    return { draft: mine, restored: { at: local.editedAt, server }, offer: null };
  // Older than a change made elsewhere: let the applicant choose.
  return { draft: server, restored: null, offer: { at: local.editedAt, draft: mine } };
}

export function OrderForm({ view, ref, onSaved }: { view: OrderView; ref?: Ref<OrderFormHandle>; onSaved: () => void }) {
  const orderId = view.order.id;
  const editable = view.order.editable;
  const outOfProvince = view.project.code === OUT_OF_PROVINCE;
  const [form] = Form.useForm<Values>();
  const [start] = useState(() => startingPoint(view, outOfProvince));
  const [values, setValues] = useState<OrderDraft>(start.draft);
  const [restored, setRestored] = useState(start.restored);
  const [offer, setOffer] = useState(start.offer);
  // What the server said about a given saved text (its `problems`), to show next to the fields.
  const [server, setServer] = useState({ json: draftJson(toDraft(formValues(view.order.form), outOfProvince)), problems: view.problems });
  const [touched, setTouched] = useState<Set<string>>(
    () =>
      new Set(
        fieldPaths(outOfProvince).filter(
          (p) => typeof p.split('.').reduce<unknown>((o, k) => (o as Values)?.[k], start.draft) === 'string',
        ),
      ),
  );
  const [showAll, setShowAll] = useState(false);

  const version = useRef(view.order.formVersion);
  const current = useCallback(() => toDraft(form.getFieldsValue(true) as Values, outOfProvince), [form, outOfProvince]);
  const [saver, save] = useAutosave({
    current: () => {
      const draft = current();
      return { value: draft, text: draftJson(draft) };
    },
    send: async (draft: OrderDraft) => {
      const r = await apiPut<FormSaved>(`/api/orders/${orderId}/form`, {
        formVersion: version.current,
        form: draft,
      });
      version.current = r.formVersion;
      return r;
    },
    onSaved: (json, r) => {
      setServer({ json, problems: r.problems });
      onSaved();
    },
    onClean: () => localCopy.clear(orderId),
    savedText: server.json,
    enabled: editable,
    loginMessage: '登录已超时，请重新登录后回到本页继续填写（填写的内容已保留在本机）',
  });
  const saveNow = saver.saveNow;

  /** Every change: keep an unsaved copy on this computer at once, save to the server shortly after. */
  const changed = useCallback(() => {
    const draft = current();
    setValues(draft);
    if (!editable) return;
    localCopy.write(orderId, { form: draft, baseVersion: version.current, editedAt: Date.now() });
    saver.changed();
  }, [current, editable, orderId, saver]);

  // A restored local copy goes to the server straight away.
  useEffect(() => {
    if (start.restored) void saveNow();
  }, [start.restored, saveNow]);

  // Leaving the tab (switching apps on a phone): save now rather than in 0.8 s. Not when the page itself is
  // going away (reload, another address; pagehide comes first): that save escapes as the document unloads
  // and can land after the next page has loaded the form, which would then be refused as stale (409). The
  // copy on this computer already holds the input, and the next page restores and saves it.
  useEffect(() => {
    let leaving = false;
    const onPageHide = () => (leaving = true);
    const onPageShow = () => (leaving = false);
    const onHide = () => {
      if (!leaving && document.visibilityState === 'hidden' && saver.unsaved()) void saveNow();
    };
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onPageShow);
    document.addEventListener('visibilitychange', onHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('pageshow', onPageShow);
      document.removeEventListener('visibilitychange', onHide);
    };
  }, [saver, saveNow]);

  const rules = useOrderRules();
  const mine = useMemo(() => (rules ? browserProblems(values, outOfProvince, rules) : {}), [rules, values, outOfProvince]);
  const serverApplies = server.json === draftJson(values);
  const problemOf = (path: string): string | undefined => mine[path] ?? (serverApplies ? server.problems[path] : undefined);
  const openProblems = fieldPaths(outOfProvince).filter((p) => problemOf(p));

  const revealAll = useCallback(() => {
    setShowAll(true);
    // After the messages render, bring the first one into view.
    setTimeout(
      () => document.querySelector('.order-form .ant-form-item-has-error')?.scrollIntoView({ block: 'center', behavior: 'smooth' }),
      50,
    );
  }, []);

  useImperativeHandle(
    ref,
    () => ({
      flush: saver.flush,
      revealAll,
    }),
    [saver, revealAll],
  );

  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));

  const field = (path: string, label: string, input: ReactNode, extra?: ReactNode, span = 12) => {
    const msg = showAll || touched.has(path) ? problemOf(path) : undefined;
    return (
      <Col xs={24} md={span} key={path}>
        <Form.Item
          label={label}
          name={path.split('.')}
          required
          validateStatus={msg ? 'error' : undefined}
          help={msg}
          extra={extra}
          data-testid={`field-${path}`}
        >
          {input}
        </Form.Item>
      </Col>
    );
  };
  const text = (
    path: string,
    label: string,
    opts: { max: number; placeholder?: string; extra?: ReactNode; inputMode?: 'tel' | 'email'; span?: number; mono?: boolean },
  ) =>
    field(
      path,
      label,
      <Input
        maxLength={opts.max}
        placeholder={opts.placeholder}
        inputMode={opts.inputMode}
        onBlur={() => touch(path)}
        autoComplete="off"
        style={opts.mono ? { fontFamily: 'monospace' } : undefined}
      />,
      opts.extra,
      opts.span,
    );

  const copyFromAgent = () => {
    const v = form.getFieldsValue(true) as Values;
    form.setFieldsValue({ recipient: { ...v.recipient, name: v.agent?.name ?? '', mobile: v.agent?.mobile ?? '' } });
    touch('recipient.name');
    touch('recipient.mobile');
    changed();
  };
  const copyAddress = () => {
    const v = form.getFieldsValue(true) as Values;
    form.setFieldsValue({ recipient: { ...v.recipient, address: v.unit?.address ?? '' } });
    touch('recipient.address');
    changed();
  };
  const replaceWith = (d: OrderDraft) => {
    form.setFieldsValue(formValues(d));
    changed();
  };

  const unitType = (form.getFieldValue(['unit', 'unitType']) as string | undefined) ?? values.unit?.unitType;

  return (
    <div className="order-form">
      {save.kind === 'conflict' && (
        <Alert
          type="error"
          showIcon
          className="form-alert"
          title={save.message}
          description="您在本页填写的内容没有丢失：已保留在本页和本机浏览器中，刷新页面后会自动恢复。"
          action={
            <Button size="small" danger onClick={() => window.location.reload()}>
              刷新页面
            </Button>
          }
          data-testid="save-conflict"
        />
      )}
      {restored && (
        <Alert
          type="info"
          showIcon
          closable={{ onClose: () => setRestored(null) }}
          className="form-alert"
          title={`已恢复您在本机 ${hms(restored.at)} 填写但尚未保存的内容`}
          action={
            <Button
              size="small"
              onClick={() => {
                replaceWith(restored.server);
                setRestored(null);
              }}
            >
              改用服务器上的内容
            </Button>
          }
          data-testid="restored-notice"
        />
      )}
      {offer && (
        <Alert
          type="warning"
          showIcon
          className="form-alert"
          title={`本机还有一份 ${hms(offer.at)} 填写但未保存的内容，与服务器上较新的内容不同`}
          description="服务器上的内容是在其他窗口或设备上修改的。请选择要使用哪一份。"
          action={
            <Space orientation="vertical">
              <Button
                size="small"
                type="primary"
                onClick={() => {
                  replaceWith(offer.draft);
                  setOffer(null);
                }}
              >
                恢复本机内容
              </Button>
              <Button
                size="small"
                onClick={() => {
                  localCopy.clear(orderId);
                  setOffer(null);
                }}
              >
                保留服务器内容
              </Button>
            </Space>
          }
        />
      )}
      {editable && view.order.status === 'draft' && view.order.prefilledFrom && (
        <Alert
          type="info"
          showIcon
          className="form-alert"
          title={`已按上一份订单（订单编号 ${view.order.prefilledFrom}）预填单位、法人、经办人、发票接收邮箱和收件人信息`}
          description="请逐项核对，人员或地址有变化的请直接修改。法人核验须在本订单重新办理；营业执照未变更的，可在“上传证件”中沿用上次的扫描件。"
          data-testid="prefilled-notice"
        />
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={formValues(start.draft)}
        onValuesChange={changed}
        disabled={!editable}
        requiredMark={editable}
        scrollToFirstError
      >
        <h3 className="form-section">单位信息</h3>
        <Descriptions column={{ xs: 1, md: 2 }} size="small" className="org-facts">
          <Descriptions.Item label="单位名称">
            <span data-testid="org-name">{view.organization.name}</span>
          </Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">
            <span style={{ fontFamily: 'monospace' }}>{view.organization.uscc}</span>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph type="secondary" className="org-note">
          单位名称和统一社会信用代码取自注册账户，不能在此修改。单位名称有误请致电客服热线 {HOTLINE}{' '}
          登记修改；信用代码有误须用正确的代码重新注册。
        </Typography.Paragraph>
        <Row gutter={16}>
          {text('unit.address', '通信地址', { max: 200, placeholder: '省、市、区（县）及详细地址', span: 16 })}
          {field(
            'unit.unitType',
            '单位类型',
            <Select
              placeholder="请选择"
              onBlur={() => touch('unit.unitType')}
              options={UNIT_TYPE_CODES.map((c) => ({ value: c, label: UNIT_TYPES[c].label }))}
            />,
            unitType && unitType in UNIT_TYPES
              ? `上传证件：${UNIT_TYPES[unitType as keyof typeof UNIT_TYPES].credential}复印件`
              : undefined,
            8,
          )}
        </Row>

        <h3 className="form-section">法人信息</h3>
        {view.legalCheck.status === 'passed' && (
          <Typography.Paragraph type="warning" className="org-note" data-testid="legal-passed-note">
            法人核验已认证成功。如修改法定代表人姓名或身份证号，须由法定代表人重新扫码核验。
          </Typography.Paragraph>
        )}
        <Row gutter={16}>
          {text('legalPerson.name', '法定代表人姓名', { max: 50, span: 8 })}
          {text('legalPerson.idNumber', '法定代表人身份证号', { max: 30, placeholder: '18位居民身份证号码', span: 8, mono: true })}
          {text('legalPerson.mobile', '法定代表人手机号', { max: 30, inputMode: 'tel', placeholder: '11位手机号码', span: 8 })}
        </Row>

        <h3 className="form-section">经办人信息</h3>
        <Row gutter={16}>
          {text('agent.name', '经办人姓名', { max: 50 })}
          {text('agent.idNumber', '经办人身份证号', {
            max: 30,
            placeholder: '18位居民身份证号码',
            mono: true,
            extra: '经办人须年满18周岁',
          })}
          {text('agent.mobile', '经办人手机号', {
            max: 30,
            inputMode: 'tel',
            placeholder: '11位手机号码',
            extra: '审核结果短信发送到此手机号，纸质资料有问题时工作人员会致电此号码',
          })}
          {text('agent.email', '经办人电子邮箱', { max: 100, inputMode: 'email', placeholder: 'name@example.com' })}
        </Row>

        <h3 className="form-section">发票信息</h3>
        <Row gutter={16}>
          {text('invoice.title', '发票抬头', { max: 100, span: 8, extra: '默认为单位名称' })}
          {text('invoice.taxNumber', '纳税人识别号', { max: 30, span: 8, mono: true, extra: '默认为统一社会信用代码' })}
          {text('invoice.email', '发票接收邮箱', {
            max: 100,
            span: 8,
            inputMode: 'email',
            extra: '电子发票在制证后3个工作日内发送至此邮箱',
          })}
        </Row>

        <div className="form-section-row">
          <h3 className="form-section">证书接收人信息</h3>
          {editable && (
            <Space size={0} wrap>
              <Button type="link" size="small" onClick={copyFromAgent}>
                同经办人
              </Button>
              <Button type="link" size="small" onClick={copyAddress}>
                地址同通信地址
              </Button>
            </Space>
          )}
        </div>
        <Row gutter={16}>
          {text('recipient.name', '收件人姓名', { max: 50, span: 8 })}
          {text('recipient.mobile', '收件人手机号', {
            max: 30,
            span: 8,
            inputMode: 'tel',
            placeholder: '11位手机号码',
            extra: '收件人电话请填写手机号',
          })}
          {text('recipient.address', '收件地址', { max: 200, span: 8, extra: '证书用顺丰到付寄到此地址，可与单位地址不同' })}
        </Row>

        {outOfProvince && (
          <>
            <h3 className="form-section">入赣负责人</h3>
            <Row gutter={16}>
              {text('inGanManager.name', '入赣负责人姓名', {
                max: 50,
                extra: '须与入赣负责人任命书、电子签章采集表上的名字一致',
              })}
            </Row>
          </>
        )}
      </Form>

      {editable && (
        <div className="form-status" data-testid="form-status">
          <SaveStatus save={save} retry={() => void saver.retry()} />
          {/* Until the rules have loaded (a moment after the form shows) nothing is said: an empty form is not 已填写完整. */}
          {!rules ? null : openProblems.length > 0 ? (
            <Button size="small" type="link" onClick={revealAll} data-testid="form-problems">
              尚有内容需要填写或修改，点击查看
            </Button>
          ) : (
            <span className="form-ok">
              <CheckCircleFilled /> 订单信息已填写完整
            </span>
          )}
        </div>
      )}
    </div>
  );
}

function SaveStatus({ save, retry }: { save: SaveState; retry: () => void }) {
  switch (save.kind) {
    case 'idle':
      return (
        <span className="save-status muted" data-testid="save-status">
          <CloudSyncOutlined /> 填写的内容会自动保存
        </span>
      );
    case 'dirty':
    case 'saving':
      return (
        <span className="save-status muted" data-testid="save-status">
          <LoadingOutlined /> 保存中…
        </span>
      );
    case 'saved':
      return (
        <span className="save-status saved" data-testid="save-status">
          <CheckCircleFilled /> 已保存 {hms(save.at)}
        </span>
      );
    case 'error':
      return (
        <span className="save-status failed" data-testid="save-status">
          <ExclamationCircleFilled /> 保存失败：{save.message}
          {save.retrying ? '（已在本机保留，稍后自动重试）' : ''}
          {save.login ? (
            <Link to={loginUrl(window.location.pathname)}>重新登录</Link>
          ) : (
            <Button size="small" type="link" onClick={retry}>
              立即重试
            </Button>
          )}
        </span>
      );
    case 'conflict':
      return (
        <span className="save-status failed" data-testid="save-status">
          <ExclamationCircleFilled /> 未保存：请刷新页面
        </span>
      );
  }
}
