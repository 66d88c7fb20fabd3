import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Button, Layout, Menu, Space, Spin, Tag } from 'antd';
import { AuditOutlined, DashboardOutlined, LogoutOutlined, SearchOutlined, TeamOutlined } from '@ant-design/icons';
import { apiPost } from '../../api.js';
import { StaffSessionProvider, hasRole, useStaffSession } from './staffSession.js';
import { StaffLoginPage } from './StaffLogin.js';
import { StaffDashboardPage } from './StaffDashboard.js';
import { StaffOrganizationsPage } from './StaffOrganizations.js';
import { StaffAccountsPage } from './StaffAccounts.js';
import { StaffAuditPage } from './StaffAudit.js';

export function StaffApp() {
  return (
    <StaffSessionProvider>
      <Routes>
        <Route path="login" element={<StaffLoginPage />} />
        <Route path="*" element={<StaffShell />} />
      </Routes>
    </StaffSessionProvider>
  );
}

/** The staff console shell: menu entries follow the person's roles; the server checks them again. */
function StaffShell() {
  const { loaded, staff, setStaff } = useStaffSession();
  const location = useLocation();
  const navigate = useNavigate();
  if (!loaded) return <Spin style={{ margin: 48 }} />;
  if (!staff) return <Navigate to="/staff/login" replace />;
  const items = [
    { key: '/staff', icon: <DashboardOutlined />, label: <Link to="/staff">工作台</Link> },
    { key: '/staff/organizations', icon: <SearchOutlined />, label: <Link to="/staff/organizations">单位查询</Link> },
    ...(hasRole(staff, '管理员')
      ? [
          { key: '/staff/accounts', icon: <TeamOutlined />, label: <Link to="/staff/accounts">工作人员</Link> },
          { key: '/staff/audit', icon: <AuditOutlined />, label: <Link to="/staff/audit">操作记录</Link> },
        ]
      : []),
  ];
  const selected = items.map((i) => i.key).filter((k) => location.pathname === k || (k !== '/staff' && location.pathname.startsWith(k)));
  const logout = async () => {
    await apiPost('/api/staff/logout').catch(() => {});
    setStaff(null);
    navigate('/staff/login');
  };
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="light" width={200} style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ padding: '16px 20px', fontWeight: 600 }}>江西CA 工作台</div>
        <Menu mode="inline" selectedKeys={selected} items={items} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Space>
            <span data-testid="staff-name">{staff.displayName}</span>
            {staff.roles.map((r) => (
              <Tag key={r} color="red">
                {r}
              </Tag>
            ))}
            <Button icon={<LogoutOutlined />} onClick={() => void logout()}>
              退出
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Routes>
            <Route index element={<StaffDashboardPage />} />
            <Route path="organizations/*" element={<StaffOrganizationsPage />} />
            <Route path="accounts" element={<StaffAccountsPage />} />
            <Route path="audit" element={<StaffAuditPage />} />
            <Route path="*" element={<Navigate to="/staff" replace />} />
          </Routes>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
