import { useState, type ReactNode } from 'react';
import { Link, NavLink, useNavigate } from 'react-router-dom';
import { Button, Drawer, Dropdown, Grid, Space } from 'antd';
import { MenuOutlined, UserOutlined } from '@ant-design/icons';
import { apiPost } from '../api.js';
import { useOrgSession } from '../session.js';

const NAV = [
  { to: '/', label: '首页', end: true },
  { to: '/help', label: '帮助手册' },
  { to: '/offices', label: '现场办理' },
  { to: '/cert-status', label: '证书状态查询' },
  { to: '/downloads', label: '下载中心' },
  { to: '/agreement', label: '用户协议' },
];

export const HOTLINE = '400-800-1040';

export function PublicLayout({ children }: { children: ReactNode }) {
  const screens = Grid.useBreakpoint();
  const [open, setOpen] = useState(false);
  const { organization, sandbox, setOrganization, refresh } = useOrgSession();
  const navigate = useNavigate();
  const logout = async () => {
    await apiPost('/api/logout').catch(() => {});
    setOrganization(null);
    await refresh();
    navigate('/');
  };
  const links = NAV.map((n) => (
    <NavLink key={n.to} to={n.to} end={n.end} onClick={() => setOpen(false)}>
      {n.label}
    </NavLink>
  ));
  const account = organization ? (
    <Dropdown
      menu={{
        items: [
          { key: 'account', label: <Link to="/account">我的工作台</Link> },
          { key: 'orders', label: <Link to="/orders">我的订单</Link> },
          { key: 'certificates', label: <Link to="/certificates">我的证书</Link> },
          { key: 'apply', label: <Link to="/apply">数字证书申请</Link> },
          { key: 'logout', label: '退出登录', onClick: () => void logout() },
        ],
      }}
    >
      <Button icon={<UserOutlined />} data-testid="account-menu">
        {screens.sm ? organization.name : '我的'}
      </Button>
    </Dropdown>
  ) : (
    <Space size={8}>
      <Link to="/login">
        <Button type={screens.sm ? 'default' : 'primary'}>登录</Button>
      </Link>
      {screens.sm && (
        <Link to="/register">
          <Button type="primary">免费注册</Button>
        </Link>
      )}
    </Space>
  );
  return (
    <div style={{ minHeight: '100vh', display: 'flex', flexDirection: 'column' }}>
      {sandbox.sms && (
        <div className="sandbox-banner">
          演示环境：短信、支付等外部服务均为沙箱，不会真实发送或扣款。<Link to="/dev/inbox">查看沙箱短信收件箱</Link>
        </div>
      )}
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark">CA</span>
            <span className="brand-text">
              {screens.sm ? '江西CA数字证书在线受理系统' : '江西CA在线受理'}
              {screens.md && <small>江西省数字证书有限公司</small>}
            </span>
          </Link>
          {screens.md ? <nav className="site-nav">{links}</nav> : <span style={{ flex: 1 }} />}
          {account}
          {!screens.md && <Button icon={<MenuOutlined />} aria-label="菜单" onClick={() => setOpen(true)} />}
        </div>
      </header>
      <Drawer open={open} onClose={() => setOpen(false)} title="菜单" placement="right" size={260}>
        <nav className="site-nav" style={{ flexDirection: 'column' }}>
          {links}
          {organization && (
            <>
              <NavLink to="/orders" end onClick={() => setOpen(false)}>
                我的订单
              </NavLink>
              <NavLink to="/certificates" onClick={() => setOpen(false)}>
                我的证书
              </NavLink>
              <NavLink to="/apply" onClick={() => setOpen(false)}>
                数字证书申请
              </NavLink>
            </>
          )}
          {!organization && (
            <>
              <NavLink to="/login" onClick={() => setOpen(false)}>
                登录
              </NavLink>
              <NavLink to="/register" onClick={() => setOpen(false)}>
                免费注册
              </NavLink>
            </>
          )}
        </nav>
      </Drawer>
      <main className="site-main" style={{ flex: 1, width: '100%' }}>
        {children}
      </main>
      <footer className="site-footer">
        <div className="site-footer-inner">
          <span>江西省数字证书有限公司</span>
          <span>客服热线：{HOTLINE}</span>
          <span>办证大厅：南昌市省府大院西二路3号3楼</span>
          <Link to="/offices">全省受理点</Link>
        </div>
      </footer>
    </div>
  );
}
