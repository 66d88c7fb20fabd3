import { Card, Empty } from 'antd';
import { useStaffSession } from './staffSession.js';

/** The work queues arrive with the order workflow (issue 4); until then the console says so plainly. */
export function StaffDashboardPage() {
  const { staff } = useStaffSession();
  return (
    <Card title={`您好，${staff?.displayName ?? ''}`}>
      <Empty description="暂无待办：在线申请的订单队列将在这里按角色显示" />
    </Card>
  );
}
