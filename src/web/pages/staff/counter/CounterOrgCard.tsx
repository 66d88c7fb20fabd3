/** The unit found by 查询: its account and the valid certificates a 补办/变更/续费 may replace. */
import { Card, Descriptions, Empty, Tag, Typography } from 'antd';
import type { OrgLookup } from '../../../../core/counter-response-schemas.js';
import { beijing, mono } from '../orders/format.js';

export function CounterOrgCard({
  organization,
  certs,
}: {
  organization: NonNullable<OrgLookup['organization']>;
  certs: OrgLookup['certificates'];
}) {
  return (
    <Card size="small" title="申请单位" data-testid="counter-org">
      <Descriptions column={1} size="small">
        <Descriptions.Item label="单位名称">{organization.name}</Descriptions.Item>
        <Descriptions.Item label="统一社会信用代码">
          <span style={mono}>{organization.uscc}</span>
        </Descriptions.Item>
        <Descriptions.Item label="登记手机号">{organization.mobileMasked}</Descriptions.Item>
        <Descriptions.Item label="在线账号">
          {organization.claimed ? <Tag color="green">已注册</Tag> : <Tag>柜台登记，未认领</Tag>}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>
        有效证书
      </Typography.Text>
      {certs.length ? (
        <ul style={{ paddingInlineStart: 20, margin: '4px 0' }} data-testid="counter-org-certs">
          {certs.map((c) => (
            <li key={c.id}>
              {c.projectName} · {c.keyType === 'main' ? '主锁' : '副锁'} · <span style={mono}>{c.serial}</span> · 有效期至{' '}
              {beijing(c.notAfter, 'YYYY-MM-DD')}
              {c.expired && (
                <Tag color="red" style={{ marginInlineStart: 4 }}>
                  已过期
                </Tag>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="该单位没有有效证书" />
      )}
    </Card>
  );
}
