import { Link, Navigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Descriptions, Space, Spin, Steps, Typography } from 'antd';
import { useOrgSession } from '../../session.js';
import { ONLINE_FLOW } from '../../../core/content/flow.js';
import { ExpiringCertificates } from './certificates/ExpiringCertificates.js';

/** 我的工作台: who is logged in and what to do next. The application wizard (issue 3) starts here. */
export function AccountPage() {
  const { loaded, organization } = useOrgSession();
  const [params] = useSearchParams();
  if (!loaded) return <Spin />;
  if (!organization) return <Navigate to="/login" replace />;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      {params.get('welcome') && (
        <Alert
          type="success"
          showIcon
          message="注册成功，已为您登录"
          description="下一步：阅读帮助手册，准备好营业执照、经办人身份证等材料后申请数字证书。"
        />
      )}
      <ExpiringCertificates />
      <Card
        title="我的工作台"
        extra={
          <Space wrap size={8}>
            <Link to="/orders">
              <Button data-testid="account-orders">我的订单</Button>
            </Link>
            <Link to="/apply">
              <Button type="primary" data-testid="account-apply">
                数字证书申请
              </Button>
            </Link>
          </Space>
        }
      >
        <Descriptions column={{ xs: 1, sm: 2 }} size="small">
          <Descriptions.Item label="单位名称">{organization.name}</Descriptions.Item>
          <Descriptions.Item label="统一社会信用代码">
            <Typography.Text copyable style={{ fontFamily: 'monospace' }}>
              {organization.uscc}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="注册手机号">{organization.mobile}</Descriptions.Item>
        </Descriptions>
        <p className="muted" style={{ marginBottom: 0 }}>
          单位名称如有错误，请致电客服热线 400-800-1040 登记修改。
        </p>
        <p style={{ marginBottom: 0 }}>
          本单位的全部数字证书（含现场办理的）、到期时间和吊销申请：
          <Link to="/certificates" data-testid="account-certificates">
            我的证书
          </Link>
        </p>
      </Card>
      <Card title="在线办理流程">
        <Steps direction="vertical" size="small" current={2} items={ONLINE_FLOW.map((s) => ({ title: s.title, description: s.detail }))} />
        <Space wrap>
          <Link to="/help">
            <Button>阅读帮助手册</Button>
          </Link>
          <Link to="/offices">
            <Button>变更、补办、续费请到现场办理</Button>
          </Link>
        </Space>
      </Card>
    </Space>
  );
}
