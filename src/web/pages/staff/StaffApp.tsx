import { useState, type ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Button, Drawer, Grid, Layout, Menu, Result, Space, Spin, Tag } from 'antd';
import {
  AccountBookOutlined,
  AppstoreOutlined,
  AuditOutlined,
  SafetyCertificateOutlined,
  StopOutlined,
  TransactionOutlined,
  DashboardOutlined,
  FileSearchOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  OrderedListOutlined,
  SearchOutlined,
  ShopOutlined,
  SettingOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { apiPost } from '../../api.js';
import { isAuditor, type StaffRole } from '../../../core/staff-roles.js';
import { StaffSessionProvider, hasRole, useStaffSession } from './staffSession.js';
import { lazyPage } from '../../components/lazyPage.js';
import { AntRoot } from '../../components/AntRoot.js';

// Each page of the console is its own chunk (issue 14), shown under main.tsx's one Suspense boundary (see
// PublicSite.tsx for why there is no boundary per area).
const StaffLoginPage = lazyPage(() => import('./StaffLogin.js'), 'StaffLoginPage');
const StaffDashboardPage = lazyPage(() => import('./StaffDashboard.js'), 'StaffDashboardPage');
const StaffOrganizationsPage = lazyPage(() => import('./StaffOrganizations.js'), 'StaffOrganizationsPage');
const StaffAccountsPage = lazyPage(() => import('./StaffAccounts.js'), 'StaffAccountsPage');
const StaffAuditPage = lazyPage(() => import('./StaffAudit.js'), 'StaffAuditPage');
const StaffCatalogPage = lazyPage(() => import('./StaffCatalog.js'), 'StaffCatalogPage');
const StaffOrderSearchPage = lazyPage(() => import('./orders/StaffQueue.js'), 'StaffOrderSearchPage');
const StaffQueuePage = lazyPage(() => import('./orders/StaffQueue.js'), 'StaffQueuePage');
const StaffOrderPage = lazyPage(() => import('./orders/StaffOrder.js'), 'StaffOrderPage');
const StaffCounterPage = lazyPage(() => import('./counter/StaffCounter.js'), 'StaffCounterPage');
const StaffInvoicesPage = lazyPage(() => import('./orders/StaffInvoices.js'), 'StaffInvoicesPage');
const StaffSettingsPage = lazyPage(() => import('./StaffSettings.js'), 'StaffSettingsPage');
const StaffPaymentsPage = lazyPage(() => import('./StaffPayments.js'), 'StaffPaymentsPage');
const StaffCertificatesPage = lazyPage(() => import('./StaffCertificates.js'), 'StaffCertificatesPage');
const StaffRevocationsPage = lazyPage(() => import('./StaffRevocations.js'), 'StaffRevocationsPage');
const StaffKeyRecoveryPage = lazyPage(() => import('./StaffKeyRecovery.js'), 'StaffKeyRecoveryPage');

export function StaffApp() {
  return (
    <AntRoot>
      <StaffSessionProvider>
        <Routes>
          <Route path="login" element={<StaffLoginPage />} />
          <Route path="*" element={<StaffShell />} />
        </Routes>
      </StaffSessionProvider>
    </AntRoot>
  );
}

/** Pages only some roles may open; the server refuses their API calls to anyone else anyway. */
function RoleOnly({ role, also = [], children }: { role: StaffRole; also?: StaffRole[]; children: ReactNode }) {
  const { staff } = useStaffSession();
  if (hasRole(staff, role, ...also)) return <>{children}</>;
  return (
    <Result
      status="403"
      title={role === '管理员' ? '需要管理员角色' : `需要${role}角色`}
      subTitle={`此页面只对${role === '管理员' ? '管理员' : `${role}人员`}开放；如需开通请联系本单位的管理员。`}
      extra={
        <Link to="/staff">
          <Button type="primary">返回工作台</Button>
        </Link>
      }
    />
  );
}
const AdminOnly = ({ children }: { children: ReactNode }) => <RoleOnly role="管理员">{children}</RoleOnly>;

/**
 * The staff console shell: menu entries follow the person's roles (the server checks them again). On a
 * desktop the menu is a side bar; on a narrow screen it opens from a button in the header.
 */
function StaffShell() {
  const { loaded, staff, setStaff } = useStaffSession();
  const location = useLocation();
  const navigate = useNavigate();
  const wide = Grid.useBreakpoint().lg ?? true;
  const [drawer, setDrawer] = useState(false);
  if (!loaded) return <Spin style={{ margin: 48 }} />;
  if (!staff) return <Navigate to="/staff/login" replace />;
  // An 审计员 sees 操作记录 and nothing else (the server refuses the role every other route).
  const auditor = isAuditor(staff.roles);
  // 待办队列 for the roles that work on orders (the queues themselves come from the workflow table); every
  // member of staff may look an order up.
  const auditItems = [{ key: '/staff/audit', icon: <AuditOutlined />, label: <Link to="/staff/audit">操作记录</Link> }];
  const items = auditor
    ? auditItems
    : [
        { key: '/staff', icon: <DashboardOutlined />, label: <Link to="/staff">工作台</Link> },
        ...(hasRole(staff, '预审', '受理', '制证', '发放')
          ? [{ key: '/staff/queue', icon: <OrderedListOutlined />, label: <Link to="/staff/queue">待办队列</Link> }]
          : []),
        { key: '/staff/orders', icon: <FileSearchOutlined />, label: <Link to="/staff/orders">订单查询</Link> },
        ...(hasRole(staff, '财务')
          ? [
              { key: '/staff/payments', icon: <TransactionOutlined />, label: <Link to="/staff/payments">收款对账</Link> },
              { key: '/staff/invoices', icon: <AccountBookOutlined />, label: <Link to="/staff/invoices">发票</Link> },
            ]
          : []),
        { key: '/staff/certificates', icon: <SafetyCertificateOutlined />, label: <Link to="/staff/certificates">证书登记簿</Link> },
        // 吊销申请 for those who may ask for or approve a revocation (the server checks the roles again).
        ...(hasRole(staff, '制证', '受理', '管理员')
          ? [{ key: '/staff/revocations', icon: <StopOutlined />, label: <Link to="/staff/revocations">吊销申请</Link> }]
          : []),
        // 密钥恢复 for the key administrators (docs/kmc.md): one asks, another approves.
        ...(hasRole(staff, '密钥管理员')
          ? [{ key: '/staff/key-recovery', icon: <KeyOutlined />, label: <Link to="/staff/key-recovery">密钥恢复</Link> }]
          : []),
        // 柜台业务 (现场办理) for counter clerks, 制证 at an office, 财务 and administrators.
        ...(hasRole(staff, '受理', '制证', '财务', '管理员')
          ? [{ key: '/staff/counter', icon: <ShopOutlined />, label: <Link to="/staff/counter">柜台业务</Link> }]
          : []),
        { key: '/staff/organizations', icon: <SearchOutlined />, label: <Link to="/staff/organizations">单位查询</Link> },
        ...(hasRole(staff, '管理员')
          ? [
              { key: '/staff/accounts', icon: <TeamOutlined />, label: <Link to="/staff/accounts">工作人员</Link> },
              { key: '/staff/catalog', icon: <AppstoreOutlined />, label: <Link to="/staff/catalog">证书项目</Link> },
              { key: '/staff/settings', icon: <SettingOutlined />, label: <Link to="/staff/settings">系统设置</Link> },
              ...auditItems,
            ]
          : []),
      ];
  const selected = items.map((i) => i.key).filter((k) => location.pathname === k || (k !== '/staff' && location.pathname.startsWith(k)));
  const logout = async () => {
    await apiPost('/api/staff/logout').catch(() => {});
    setStaff(null);
    navigate('/staff/login');
  };
  const menu = <Menu mode="inline" selectedKeys={selected} items={items} onClick={() => setDrawer(false)} style={{ borderInlineEnd: 0 }} />;
  const brand = <div style={{ padding: '16px 20px', fontWeight: 600, whiteSpace: 'nowrap' }}>江西CA 工作台</div>;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {wide && (
        <Layout.Sider theme="light" width={200} style={{ borderRight: '1px solid #f0f0f0' }}>
          {brand}
          {menu}
        </Layout.Sider>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{
            background: '#fff',
            padding: wide ? '0 24px' : '0 12px',
            display: 'flex',
            alignItems: 'center',
            gap: 8,
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          {!wide && (
            <>
              <Button type="text" icon={<MenuOutlined />} onClick={() => setDrawer(true)} aria-label="打开菜单" />
              <span style={{ fontWeight: 600, whiteSpace: 'nowrap' }}>江西CA 工作台</span>
            </>
          )}
          <Space style={{ marginInlineStart: 'auto', minWidth: 0 }} size={wide ? 8 : 4}>
            <span data-testid="staff-name" style={{ whiteSpace: 'nowrap' }}>
              {staff.displayName}
            </span>
            {wide &&
              staff.roles.map((r) => (
                <Tag key={r} color="red">
                  {r}
                </Tag>
              ))}
            <Button icon={<LogoutOutlined />} onClick={() => void logout()} aria-label="退出">
              {wide ? '退出' : null}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: wide ? 24 : 12 }}>
          {auditor ? (
            <Routes>
              <Route path="audit" element={<StaffAuditPage />} />
              <Route path="*" element={<Navigate to="/staff/audit" replace />} />
            </Routes>
          ) : (
            <Routes>
              <Route index element={<StaffDashboardPage />} />
              <Route path="organizations/*" element={<StaffOrganizationsPage />} />
              <Route path="queue/:status?" element={<StaffQueuePage />} />
              <Route path="orders" element={<StaffOrderSearchPage />} />
              <Route path="orders/:id" element={<StaffOrderPage />} />
              <Route
                path="invoices"
                element={
                  <RoleOnly role="财务">
                    <StaffInvoicesPage />
                  </RoleOnly>
                }
              />
              <Route
                path="payments"
                element={
                  <RoleOnly role="财务">
                    <StaffPaymentsPage />
                  </RoleOnly>
                }
              />
              <Route path="certificates/*" element={<StaffCertificatesPage />} />
              <Route path="revocations/*" element={<StaffRevocationsPage />} />
              <Route path="counter/*" element={<StaffCounterPage />} />
              <Route
                path="key-recovery"
                element={
                  <RoleOnly role="密钥管理员">
                    <StaffKeyRecoveryPage />
                  </RoleOnly>
                }
              />
              <Route
                path="settings"
                element={
                  <AdminOnly>
                    <StaffSettingsPage />
                  </AdminOnly>
                }
              />
              <Route
                path="accounts"
                element={
                  <AdminOnly>
                    <StaffAccountsPage />
                  </AdminOnly>
                }
              />
              <Route
                path="catalog"
                element={
                  <AdminOnly>
                    <StaffCatalogPage />
                  </AdminOnly>
                }
              />
              <Route
                path="audit"
                element={
                  <RoleOnly role="管理员" also={['审计员']}>
                    <StaffAuditPage />
                  </RoleOnly>
                }
              />
              <Route path="*" element={<Navigate to="/staff" replace />} />
            </Routes>
          )}
        </Layout.Content>
      </Layout>
      {!wide && (
        <Drawer
          open={drawer}
          onClose={() => setDrawer(false)}
          placement="left"
          size={240}
          title="江西CA 工作台"
          styles={{ body: { padding: 0 } }}
        >
          <div style={{ padding: '12px 20px', color: '#86909c' }}>
            {staff.displayName}（{staff.roles.join('、')}）
          </div>
          {menu}
        </Drawer>
      )}
    </Layout>
  );
}
