import { useMemo, useState, type ReactNode } from 'react';
import { Avatar, Button, Drawer, Dropdown, Grid, Layout, Menu, Tag, Typography } from 'antd';
import type { MenuProps } from 'antd';
import {
  AppstoreAddOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  DashboardOutlined,
  DesktopOutlined,
  EnvironmentOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  ShopOutlined,
  TeamOutlined,
  BankOutlined,
  HeartOutlined,
  QrcodeOutlined,
  StopOutlined,
  ToolOutlined,
  ScheduleOutlined,
  AlertOutlined,
  ControlOutlined,
  PauseCircleOutlined,
  NotificationOutlined,
  ContactsOutlined,
  ProfileOutlined,
  BookOutlined,
  CarOutlined,
  InboxOutlined,
  LineChartOutlined,
  SafetyCertificateOutlined,
  // -- money icons --
  WalletOutlined,
  FileSearchOutlined,
  // -- payments icons --
  TransactionOutlined,
  ReconciliationOutlined,
  // -- risk icons --
  SafetyOutlined,
  SlidersOutlined,
} from '@ant-design/icons';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthContext';
import { NotificationBell } from '../pages/alerts/NotificationBell';
import { DemoBanner } from './DemoBanner';
import { LanguageSwitch } from './LanguageSwitch';
import { Logo } from './Logo';

const { Header, Sider, Content } = Layout;

interface NavItem {
  key: string;
  path: string;
  icon: ReactNode;
  label: string;
  permission?: string;
}

function selectedKey(pathname: string): string {
  if (pathname === '/') return 'overview';
  if (pathname.startsWith('/terminals/import')) return 'import';
  const first = pathname.split('/')[1] ?? '';
  if (pathname.startsWith('/settings/notifications')) return 'notifications';
  if (pathname.startsWith('/settings/channels')) return 'channels';
  if (pathname.startsWith('/settings/contacts')) return 'contacts';
  if (pathname.startsWith('/settings/sign-in-policy')) return 'sign-in-policy';
  if (first === 'settings') return 'tokens';
  if (pathname.startsWith('/alerts/rules')) return 'alert-rules';
  // -- payments menu keys --
  if (pathname.startsWith('/payments/reconciliation')) return 'reconciliation';
  // -- risk menu keys --
  if (pathname.startsWith('/risk/blocks')) return 'risk-blocks';
  if (pathname.startsWith('/risk/thresholds')) return 'risk-thresholds';
  if (first === 'risk') return 'risk';
  if (pathname.startsWith('/alerts/silences')) return 'silences';
  if (pathname.startsWith('/devices/enrollment')) return 'enrollment';
  if (pathname.startsWith('/devices/rejections')) return 'rejections';
  return first;
}

export function AppLayout() {
  const { t } = useTranslation();
  const { me, can, logout } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const isDesktop = screens.lg ?? true;
  const [drawerOpen, setDrawerOpen] = useState(false);

  const menuItems = useMemo<MenuProps['items']>(() => {
    const group = (key: string, label: string, items: NavItem[]) => {
      const visible = items.filter((i) => !i.permission || can(i.permission));
      if (!visible.length) return null;
      return {
        type: 'group' as const,
        key,
        label,
        children: visible.map((i) => ({
          key: i.key,
          icon: i.icon,
          label: (
            <Link to={i.path} data-testid={`nav-${i.key}`}>
              {i.label}
            </Link>
          ),
        })),
      };
    };
    const troubleshoot: NavItem = { key: 'troubleshoot', path: '/troubleshoot', icon: <ToolOutlined />, label: t('nav.troubleshoot'), permission: 'diagnosis:run' };
    const merchant = me?.role === 'merchant';
    const alerts: NavItem = { key: 'alerts', path: '/alerts', icon: <AlertOutlined />, label: t('nav.alerts'), permission: 'alerts:read' };
    const tickets: NavItem = { key: 'tickets', path: '/tickets', icon: <ProfileOutlined />, label: t('nav.tickets'), permission: 'tickets:read' };
    // Merchant contacts (SMS): admins and agents for any merchant, a merchant's users for their own.
    const contacts: NavItem[] = merchant || me?.role === 'admin' || me?.role === 'agent' ? [{ key: 'contacts', path: '/settings/contacts', icon: <ContactsOutlined />, label: t('channels.contacts.nav'), permission: 'alerts:read' }] : [];
    return [
      group('g-home', t('nav.groupHome'), [
        // Merchants come to PosCare to fix a problem: the troubleshooter is their first item.
        ...(merchant ? [troubleshoot] : []),
        { key: 'overview', path: '/', icon: <DashboardOutlined />, label: t('nav.overview'), permission: 'inventory:read' },
        { key: 'fleet', path: '/fleet', icon: <HeartOutlined />, label: t('nav.fleet'), permission: 'fleet:read' },
        // Merchants see their own alerts only: no rules, silences or webhooks.
        ...(merchant ? [alerts] : [troubleshoot]),
        // Every role that reads tickets: the service desk queue (merchants: their own tickets).
        tickets,
        ...(merchant ? contacts : []),
        // -- money menu --
        // Merchants: their own money (duplicate charges to refund); staff: the findings inbox.
        ...(merchant
          ? [{ key: 'money', path: '/money', icon: <WalletOutlined />, label: t('money.nav'), permission: 'payments:read' }]
          : [{ key: 'findings', path: '/findings', icon: <FileSearchOutlined />, label: t('money.navInbox'), permission: 'payments:read' }]),
        // -- disputes menu --
        { key: 'disputes', path: '/disputes', icon: <AlertOutlined />, label: t('disputes.nav'), permission: 'disputes:read' },
        // The knowledge base: every role reads it (merchants: published articles).
        { key: 'kb', path: '/kb', icon: <BookOutlined />, label: t('kb.nav'), permission: 'kb:read' },
        // Field service: engineers' visits and the depots' spare parts.
        { key: 'work-orders', path: '/work-orders', icon: <CarOutlined />, label: t('workOrders.nav'), permission: 'workorders:read' },
        { key: 'parts', path: '/parts', icon: <InboxOutlined />, label: t('parts.nav'), permission: 'parts:read' },
        { key: 'reports', path: '/reports', icon: <LineChartOutlined />, label: t('reports.nav'), permission: 'reports:read' },
      ]),
      merchant
        ? null
        : group('g-alerts', t('nav.groupAlerts'), [
            alerts,
            { key: 'alert-rules', path: '/alerts/rules', icon: <ControlOutlined />, label: t('nav.alertRules'), permission: 'alerts:read' },
            { key: 'silences', path: '/alerts/silences', icon: <PauseCircleOutlined />, label: t('nav.silences'), permission: 'alerts:read' },
            { key: 'notifications', path: '/settings/notifications', icon: <NotificationOutlined />, label: t('nav.notificationSettings') },
            { key: 'channels', path: '/settings/channels', icon: <NotificationOutlined />, label: t('channels.nav'), permission: 'alerts:read' },
            ...contacts,
          ]),
      // -- payments menu --
      group('g-payments', t('payments.navGroup'), [
        { key: 'payments', path: '/payments', icon: <TransactionOutlined />, label: t('payments.nav'), permission: 'payments:read' },
        { key: 'reconciliation', path: '/payments/reconciliation', icon: <ReconciliationOutlined />, label: t('payments.recon.nav'), permission: 'payments:read' },
      ]),
      // -- risk menu --
      group('g-risk', t('risk.nav.group'), [
        { key: 'risk', path: '/risk', icon: <SafetyOutlined />, label: t('risk.nav.inbox'), permission: 'risk:work' },
        { key: 'risk-blocks', path: '/risk/blocks', icon: <StopOutlined />, label: t('risk.nav.blocks'), permission: 'risk:work' },
        { key: 'risk-thresholds', path: '/risk/thresholds', icon: <SlidersOutlined />, label: t('risk.nav.thresholds'), permission: 'risk:configure' },
      ]),
      group('g-inventory', t('nav.groupInventory'), [
        // Merchants belong to one organization: the list of organizations is for staff.
        ...(merchant ? [] : [{ key: 'organizations', path: '/organizations', icon: <BankOutlined />, label: t('nav.organizations'), permission: 'inventory:read' }]),
        { key: 'merchants', path: '/merchants', icon: <ShopOutlined />, label: t('nav.merchants'), permission: 'inventory:read' },
        { key: 'sites', path: '/sites', icon: <EnvironmentOutlined />, label: t('nav.sites'), permission: 'inventory:read' },
        { key: 'terminals', path: '/terminals', icon: <DesktopOutlined />, label: t('nav.terminals'), permission: 'inventory:read' },
        { key: 'import', path: '/terminals/import', icon: <CloudUploadOutlined />, label: t('nav.import'), permission: 'import:run' },
        { key: 'commands', path: '/commands', icon: <ControlOutlined />, label: t('remote.nav'), permission: 'devices:command' },
        { key: 'software', path: '/software', icon: <AppstoreAddOutlined />, label: t('software.nav'), permission: 'software:read' },
      ]),
      group('g-admin', t('nav.groupAdmin'), [
        { key: 'users', path: '/users', icon: <TeamOutlined />, label: t('nav.users'), permission: 'users:manage' },
        { key: 'sign-in-policy', path: '/settings/sign-in-policy', icon: <SafetyCertificateOutlined />, label: t('nav.signInPolicy'), permission: 'users:manage' },
        { key: 'enrollment', path: '/devices/enrollment', icon: <QrcodeOutlined />, label: t('nav.enrollment'), permission: 'devices:manage' },
        { key: 'rejections', path: '/devices/rejections', icon: <StopOutlined />, label: t('nav.rejections'), permission: 'devices:manage' },
        { key: 'audit', path: '/audit', icon: <AuditOutlined />, label: t('nav.audit'), permission: 'audit:read' },
        // -- operations menu --
        // Installation-wide: platform administrators only.
        { key: 'admin-jobs', path: '/admin/jobs', icon: <ScheduleOutlined />, label: t('operations.nav'), permission: 'system:operate' },
      ]),
    ].filter((g): g is NonNullable<typeof g> => g !== null);
  }, [t, can, me?.role]);

  const userMenu: MenuProps = {
    items: [
      {
        key: 'who',
        disabled: true,
        label: (
          <div className="user-menu-who">
            <div className="user-menu-name">{me?.name}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {me?.email}
            </Typography.Text>
          </div>
        ),
      },
      { type: 'divider' },
      { key: 'security', icon: <SafetyCertificateOutlined />, label: <span data-testid="menu-security">{t('nav.security')}</span> },
      { key: 'notifications', icon: <NotificationOutlined />, label: <span data-testid="menu-notifications">{t('nav.notificationSettings')}</span> },
      // API tokens and the API browser are for integrations, which merchants' staff do not build.
      ...(me?.role === 'merchant'
        ? []
        : [
            { key: 'tokens', icon: <KeyOutlined />, label: <span data-testid="menu-tokens">{t('nav.tokens')}</span> },
            { key: 'docs', icon: <ApiOutlined />, label: <span data-testid="menu-api-docs">{t('nav.apiDocs')}</span> },
          ]),
      { type: 'divider' },
      { key: 'logout', icon: <LogoutOutlined />, danger: true, label: <span data-testid="menu-logout">{t('nav.signOut')}</span> },
    ],
    onClick: ({ key }) => {
      if (key === 'tokens') navigate('/settings/tokens');
      else if (key === 'security') navigate('/settings/security');
      else if (key === 'notifications') navigate('/settings/notifications');
      else if (key === 'docs') window.open('/api/docs', '_blank', 'noopener');
      else if (key === 'logout') void logout();
    },
  };

  const nav = (
    <Menu
      mode="inline"
      selectedKeys={[selectedKey(location.pathname)]}
      items={menuItems}
      onClick={() => setDrawerOpen(false)}
      className="app-menu"
      data-testid="app-menu"
    />
  );

  const initials = (me?.name ?? '?').trim().slice(0, 1).toUpperCase();

  return (
    <Layout className="app-shell">
      {isDesktop && (
        <Sider width={232} theme="light" className="app-sider">
          <Link to="/" className="app-brand">
            <Logo />
            <span className="app-brand-name">PosCare</span>
          </Link>
          {nav}
        </Sider>
      )}
      {!isDesktop && (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          size={260}
          styles={{ body: { padding: 0 } }}
          title={
            <span className="app-brand app-brand-drawer">
              <Logo />
              <span className="app-brand-name">PosCare</span>
            </span>
          }
        >
          {nav}
        </Drawer>
      )}
      <Layout>
        <Header className="app-header">
          <div className="app-header-left">
            {!isDesktop && (
              <Button
                type="text"
                icon={<MenuOutlined />}
                onClick={() => setDrawerOpen(true)}
                aria-label={t('nav.menu')}
                data-testid="nav-toggle"
              />
            )}
            <span className="app-org" data-testid="org-name" title={me?.orgName}>
              <ApartmentOutlined />
              <span className="app-org-name">{me?.orgName}</span>
            </span>
            {me?.platformAdmin && isDesktop && <Tag color="gold">{t('user.platformAdmin')}</Tag>}
          </div>
          <div className="app-header-right">
            {can('alerts:read') && <NotificationBell />}
            <LanguageSwitch size={isDesktop ? 'middle' : 'small'} />
            <Dropdown menu={userMenu} trigger={['click']} placement="bottomRight">
              <Button type="text" className="app-user" data-testid="user-menu">
                <Avatar size="small" style={{ backgroundColor: '#1f4fd6' }}>
                  {initials}
                </Avatar>
                {isDesktop && (
                  <span className="app-user-text">
                    <span className="app-user-name" data-testid="current-user-name">{me?.name}</span>
                    <span className="app-user-role">{me ? t(`roles.${me.role}`) : ''}</span>
                  </span>
                )}
              </Button>
            </Dropdown>
          </div>
        </Header>
        <Content className="app-content">
          <DemoBanner />
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
