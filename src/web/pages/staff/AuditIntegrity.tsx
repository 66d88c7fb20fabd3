import { useState } from 'react';
import { Alert, Button, Descriptions, Grid, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { AuditVerification } from '../../../core/accounts-schemas.js';
import { apiGet } from '../../api.js';
import { useAction } from '../../components/useAction.js';
import { formatTime } from './AuditDetail.js';
import { useStaffErrors } from './staffSession.js';

type Verification = AuditVerification;

/**
 * 完整性校验 on the 操作记录 page (管理员): the server recomputes the audit chain and checks every checkpoint
 * the CA's audit key signed, and names the first row that was changed, deleted or inserted around it.
 */
export function AuditIntegrity() {
  const fail = useStaffErrors();
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { run, busy: loading } = useAction();
  const wide = Grid.useBreakpoint().md ?? true;

  const verify = () =>
    run(
      async () => {
        setResult(await apiGet<Verification>('/api/staff/audit/verify'));
        setError(null);
      },
      (e) => setError(fail(e)),
    );

  return (
    <div data-testid="audit-integrity" style={{ marginBottom: 16 }}>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', marginBottom: result || error ? 12 : 0 }}>
        <Button icon={<SafetyCertificateOutlined />} onClick={() => void verify()} loading={loading}>
          校验完整性
        </Button>
        <Typography.Text type="secondary">逐条核对哈希链与 CA 审计密钥签名的检查点，找出被改动或删除的记录</Typography.Text>
      </div>
      {error && <Alert type="error" showIcon title={error} />}
      {result && (
        <Alert
          type={result.ok ? 'success' : 'error'}
          showIcon
          data-testid="audit-integrity-result"
          title={result.ok ? '操作记录完整，未发现改动' : '操作记录被改动过'}
          description={
            <>
              {result.broken && (
                <Typography.Paragraph strong style={{ marginBottom: 8 }} data-testid="audit-integrity-broken">
                  第一处断点：{result.broken.reason}
                </Typography.Paragraph>
              )}
              <Descriptions size="small" column={1} layout={wide ? 'horizontal' : 'vertical'}>
                <Descriptions.Item label={result.ok ? '已核对' : '断点前完好'}>
                  {result.lastSeq > result.fromSeq ? `第 ${result.fromSeq + 1}–${result.lastSeq} 条，共 ${result.rows} 条` : '尚无记录'}
                  {result.fromSeq > 0 && `（第 ${result.fromSeq} 条及以前已过保存期限清除）`}
                </Descriptions.Item>
                <Descriptions.Item label="签名检查点">
                  {result.checkpoints} 个
                  {result.lastCheckpoint &&
                    `，最近一个签到第 ${result.lastCheckpoint.seq} 条（${formatTime(result.lastCheckpoint.signedAt)}）`}
                  {result.unpinned > 0 && `；其后 ${result.unpinned} 条待下次签名`}
                </Descriptions.Item>
                <Descriptions.Item label="审计签名证书">
                  {result.certificate ? (
                    <Typography.Text code style={{ wordBreak: 'break-all' }}>
                      SHA-256 {result.certificate.sha256}
                    </Typography.Text>
                  ) : (
                    'CA 中没有审计签名证书'
                  )}
                </Descriptions.Item>
              </Descriptions>
            </>
          }
        />
      )}
    </div>
  );
}
