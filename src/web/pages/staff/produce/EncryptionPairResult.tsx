/**
 * 制证 of a pair project (docs/kmc.md): the encryption certificate issued beside the signing one, and — for a
 * UKEY — its key's envelope (GM/T 0016 ENVELOPEDKEYBLOB), which 制证 downloads once to write to the key. Only the
 * UKEY's signing key opens it. A generated key's pair is inside the PKCS#12 instead.
 */
import { useState } from 'react';
import { Alert, App, Button, Space, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { EncryptionIssued } from '../../../../core/certificates-schemas.js';
import type { EnvelopedKey } from '../../../../core/kmc-schemas.js';
import { apiPost } from '../../../api.js';
import { useStaffErrors } from '../staffSession.js';

const serialText = (s: string) => (s.length % 2 ? `0${s}` : s).toUpperCase();

function saveBase64(base64: string, name: string) {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The words of the warning when 制证 closes the result with the envelope still waiting (online and counter alike). */
export const ENVELOPE_NOT_TAKEN = {
  title: '加密密钥信封尚未下载',
  content: '信封要写入客户的 USB Key；关闭后本页面不再提供下载，只能由两位密钥管理员办理密钥恢复再取得。确定关闭？',
} as const;

export function EncryptionPairResult({
  encryption,
  skipped,
  onTaken,
}: {
  encryption?: EncryptionIssued;
  skipped?: string;
  /** Told once the envelope is downloaded, so the dialog may close without a warning. */
  onTaken?: () => void;
}) {
  const { message } = App.useApp();
  const fail = useStaffErrors();
  const [taken, setTaken] = useState(false);
  if (skipped) return <Alert type="warning" showIcon title="未签发加密证书" description={skipped} data-testid="produce-encryption" />;
  if (!encryption) return null;
  const download = async () => {
    try {
      const r = await apiPost<EnvelopedKey>(`/api/staff/certificates/${encryption.id}/enveloped-key`);
      saveBase64(r.envelopedKeyBlob, `${serialText(r.serial)}-加密密钥信封.bin`);
      setTaken(true);
      onTaken?.();
    } catch (e) {
      message.error(fail(e));
    }
  };
  return (
    <Alert
      type={encryption.envelope && !taken ? 'warning' : 'success'}
      showIcon
      data-testid="produce-encryption"
      title={`已同时签发加密证书（序列号 ${serialText(encryption.serial)}）`}
      description={
        encryption.envelope ? (
          <Space direction="vertical">
            <Typography.Text>
              加密私钥由密钥管理中心生成并托管，以数字信封交付：只有本 USB Key 的签名私钥能打开。信封只能下载一次，请下载后写入 USB Key。
            </Typography.Text>
            <Button icon={<DownloadOutlined />} disabled={taken} onClick={() => void download()} data-testid="download-envelope">
              {taken ? '已下载加密密钥信封' : '下载加密密钥信封'}
            </Button>
          </Space>
        ) : (
          '加密证书及其私钥已与签名证书一并放入 PKCS#12 文件。'
        )
      }
    />
  );
}
