/**
 * 制证: issue the order's certificate. Staff either paste/upload the PKCS#10 request the customer's USB key
 * made (the server checks its signature — proof of possession — and that its key is of the project's
 * algorithm), or let the system generate the key pair (soft token, testing): the server then answers once
 * with a password-protected PKCS#12, which is offered for download here and kept nowhere.
 */
import { useState } from 'react';
import { Alert, App, Button, Descriptions, Form, Input, Modal, Radio, Space, Typography, Upload } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { ZProduceKey } from '../../../../core/certificates.js';
import type { OrderProduced } from '../../../../core/fulfilment-schemas.js';
import { formatOrderNumber } from '../../../../core/order-number.js';
import { ApiError, apiPost } from '../../../api.js';
import { zodRule } from '../../../components/forms.js';
import { useStaffErrors } from '../staffSession.js';
import { downloadP12 } from './downloadP12.js';
import { EncryptionPairResult } from './EncryptionPairResult.js';

/**
 * The new certificate, the one-time PKCS#12, a main key's seals (made at once when the impressions were
 * confirmed first) and a pair project's encryption certificate (docs/kmc.md), or why it was not issued.
 */
type Issued = OrderProduced['certificate'] &
  Pick<OrderProduced, 'pkcs12' | 'seals' | 'encryptionSkipped'> & { encryption?: OrderProduced['encryptionCertificate'] };

const day = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
const serialText = (s: string) => (s.length % 2 ? `0${s}` : s).toUpperCase();

/** A binary (DER) request becomes its base64, which the server reads as well as PEM. */
async function readRequest(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes[0] === 0x30) {
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin);
  }
  return new TextDecoder().decode(bytes);
}

export function ProducePanel({
  orderId,
  orderNo,
  main,
  onClose,
  onConflict,
}: {
  orderId: string;
  orderNo: string;
  main: boolean;
  /** Closed: `issued` says the order moved on (reload it). */
  onClose: (issued: boolean) => void;
  onConflict: (message: string) => void;
}) {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [form] = Form.useForm<{ kind: 'csr' | 'generate'; csr?: string; password?: string; password2?: string }>();
  const kind = Form.useWatch('kind', form) ?? 'csr';
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [downloaded, setDownloaded] = useState(false);

  const submit = async () => {
    // Field errors show next to the fields; nothing to send.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const key = v.kind === 'csr' ? { kind: 'csr' as const, csr: v.csr ?? '' } : { kind: 'generate' as const, password: v.password ?? '' };
    setBusy(true);
    try {
      const r = await apiPost<OrderProduced>(`/api/staff/orders/${orderId}/produce`, { key });
      setIssued({
        ...r.certificate,
        pkcs12: r.pkcs12,
        seals: r.seals,
        encryption: r.encryptionCertificate,
        encryptionSkipped: r.encryptionSkipped,
      });
      message.success('证书已签发，订单已制证完成');
    } catch (e) {
      const text = fail(e);
      if (e instanceof ApiError && e.status === 400 && Object.keys(e.fields).length) {
        const fields = e.fields;
        const csr = fields.csr ?? fields['key.csr'];
        const password = fields['key.password'];
        if (csr) form.setFields([{ name: 'csr', errors: [csr] }]);
        if (password) form.setFields([{ name: 'password', errors: [password] }]);
        if (!csr && !password) message.error(text);
      } else if (e instanceof ApiError && e.status === 409) {
        onConflict(text);
        onClose(false);
      } else message.error(text);
    } finally {
      setBusy(false);
    }
  };

  if (issued)
    return (
      <Modal
        open
        title="证书已签发"
        okText="完成"
        cancelButtonProps={{ style: { display: 'none' } }}
        closable={false}
        maskClosable={false}
        onOk={() => {
          if (issued.pkcs12 && !downloaded) {
            Modal.confirm({
              title: '尚未下载 PKCS#12 文件',
              content: '关闭后无法再次获取此文件（私钥不在系统中保存），只能重新制证。确定关闭？',
              okText: '确定关闭',
              cancelText: '返回下载',
              onOk: () => onClose(true),
            });
          } else onClose(true);
        }}
      >
        <div data-testid="produce-result" style={{ display: 'grid', gap: 12 }}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="证书序列号">
              <Typography.Text copyable code data-testid="produce-serial">
                {serialText(issued.serial)}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="有效期">
              {day(issued.notBefore)} 至 {day(issued.notAfter)}
            </Descriptions.Item>
          </Descriptions>
          {issued.seals && (
            <Alert
              type={issued.seals.status === 'made' ? 'success' : 'warning'}
              showIcon
              title={issued.seals.status === 'made' ? '电子签章已制作' : '电子签章尚未制作'}
              description={issued.seals.message}
              data-testid="produce-seals"
            />
          )}
          <EncryptionPairResult encryption={issued.encryption} skipped={issued.encryptionSkipped} />
          {issued.pkcs12 && (
            <Alert
              type="warning"
              showIcon
              title="私钥和证书的 PKCS#12 文件只提供这一次"
              description={
                <Space direction="vertical">
                  <span>系统不保存私钥和密码。请立即下载，用制证时设置的密码导入软证书或 UKEY。</span>
                  <Button
                    type="primary"
                    icon={<DownloadOutlined />}
                    data-testid="download-p12"
                    onClick={() => {
                      downloadP12(issued.pkcs12!, `${formatOrderNumber(orderNo)}-${serialText(issued.serial)}.p12`);
                      setDownloaded(true);
                    }}
                  >
                    下载 PKCS#12（.p12）
                  </Button>
                </Space>
              }
            />
          )}
        </div>
      </Modal>
    );

  return (
    <Modal
      open
      title="签发证书（制证）"
      okText="签发证书"
      cancelText="取消"
      confirmLoading={busy}
      onCancel={() => onClose(false)}
      onOk={() => void submit()}
      width={640}
    >
      <div style={{ display: 'grid', gap: 12 }} data-testid="produce-panel">
        <Alert
          type="info"
          showIcon
          title={
            main ? '签发本订单的数字证书（主锁：印模已确认的，签发时一并制作电子签章）。' : '签发本订单的数字证书（副锁，无电子签章）。'
          }
          description="签发后订单变为“制证完成”，转入发放；财务须在3个工作日内开具发票。证书主体为订单申请单位的名称和统一社会信用代码，有效期一年。"
        />
        <Form form={form} layout="vertical" requiredMark={false} initialValues={{ kind: 'csr' }} name="produce">
          <Form.Item name="kind" label="密钥来源">
            <Radio.Group
              optionType="button"
              options={[
                { value: 'csr', label: '上传证书请求' },
                { value: 'generate', label: '系统生成密钥' },
              ]}
            />
          </Form.Item>
          {kind === 'csr' ? (
            <>
              <Form.Item
                name="csr"
                label="证书请求（PKCS#10，在客户 UKEY 上生成）"
                extra="粘贴 PEM 文本（-----BEGIN CERTIFICATE REQUEST-----），或上传 .csr / .req / .pem 文件。"
                rules={[zodRule(ZProduceKey.options[0].shape.csr)]}
              >
                <Input.TextArea rows={6} spellCheck={false} style={{ fontFamily: 'monospace', fontSize: 12 }} data-testid="csr-input" />
              </Form.Item>
              <Upload
                accept=".csr,.req,.pem,.p10,.der"
                showUploadList={false}
                beforeUpload={async (file) => {
                  form.setFieldsValue({ csr: await readRequest(file) });
                  await form.validateFields(['csr']).catch(() => undefined);
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />}>选择证书请求文件</Button>
              </Upload>
            </>
          ) : (
            <>
              <Typography.Paragraph type="secondary">
                由系统生成密钥对（用于软证书和测试）。签发后返回一次用下面密码保护的 PKCS#12 文件，系统不保存私钥和密码。
              </Typography.Paragraph>
              <Form.Item name="password" label="PKCS#12 密码" rules={[zodRule(ZProduceKey.options[1].shape.password)]}>
                <Input.Password autoComplete="new-password" data-testid="p12-password" />
              </Form.Item>
              <Form.Item
                name="password2"
                label="再次输入密码"
                dependencies={['password']}
                rules={[
                  { required: true, message: '请再次输入密码' },
                  ({ getFieldValue }) => ({
                    validator: (_r, v) =>
                      v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致')),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" data-testid="p12-password2" />
              </Form.Item>
            </>
          )}
        </Form>
      </div>
    </Modal>
  );
}
