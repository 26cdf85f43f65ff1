import { lazy, Suspense, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import type { ThemeConfig } from 'antd';
import zhCNLocale from 'antd/locale/zh_CN';
import enUSLocale from 'antd/locale/en_US';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError } from './api/client';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { AppLayout } from './components/AppLayout';
import { Forbidden, FullPageSpin, NotFound, QueryError } from './components/Status';
import { currentLanguage } from './i18n';
import LoginPage from './pages/LoginPage';

const OverviewPage = lazy(() => import('./pages/OverviewPage'));
const OrganizationsPage = lazy(() => import('./pages/OrganizationsPage'));
// -- operations page --
const JobsPage = lazy(() => import('./pages/operations/JobsPage'));
const MerchantsPage = lazy(() => import('./pages/MerchantsPage'));
const SitesPage = lazy(() => import('./pages/SitesPage'));
const TerminalsPage = lazy(() => import('./pages/TerminalsPage'));
const TerminalDetailPage = lazy(() => import('./pages/TerminalDetailPage'));
const ImportPage = lazy(() => import('./pages/ImportPage'));
const UsersPage = lazy(() => import('./pages/UsersPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const TokensPage = lazy(() => import('./pages/TokensPage'));
const SecurityPage = lazy(() => import('./pages/security/SecurityPage'));
const SignInPolicyPage = lazy(() => import('./pages/security/SignInPolicyPage'));
const EnrolmentRequiredPage = lazy(() => import('./pages/security/SecurityPage').then((m) => ({ default: m.EnrolmentRequiredPage })));
const FleetPage = lazy(() => import('./pages/FleetPage'));
const EnrollmentCodesPage = lazy(() => import('./pages/EnrollmentCodesPage'));
const RejectionsPage = lazy(() => import('./pages/RejectionsPage'));
const TroubleshootPage = lazy(() => import('./pages/TroubleshootPage'));
const AlertsPage = lazy(() => import('./pages/alerts/AlertsPage'));
const AlertDetailPage = lazy(() => import('./pages/alerts/AlertDetailPage'));
const AlertRulesPage = lazy(() => import('./pages/alerts/RulesPage'));
const SilencesPage = lazy(() => import('./pages/alerts/SilencesPage'));
const NotificationSettingsPage = lazy(() => import('./pages/alerts/NotificationSettingsPage'));
const ChannelsPage = lazy(() => import('./pages/notifications/ChannelsPage'));
const ContactsPage = lazy(() => import('./pages/notifications/ContactsPage'));
const ShortLinkPage = lazy(() => import('./pages/notifications/ShortLinkPage'));
const TicketsPage = lazy(() => import('./pages/tickets/TicketsPage'));
const TicketDetailPage = lazy(() => import('./pages/tickets/TicketDetailPage'));
// -- kb pages --
const KbPage = lazy(() => import('./pages/kb/KbPage'));
const KbArticlePage = lazy(() => import('./pages/kb/KbArticlePage'));
const KbEditorPage = lazy(() => import('./pages/kb/KbEditorPage'));
// -- fieldwork pages --
const WorkOrdersPage = lazy(() => import('./pages/fieldwork/WorkOrdersPage'));
const WorkOrderPage = lazy(() => import('./pages/fieldwork/WorkOrderPage'));
const PartsPage = lazy(() => import('./pages/fieldwork/PartsPage'));
// -- reports pages --
const ReportsPage = lazy(() => import('./pages/reports/ReportsPage'));
// -- money pages --
const MoneyPage = lazy(() => import('./pages/money/MoneyPage'));
const FindingsPage = lazy(() => import('./pages/money/FindingsPage'));
const FindingDetailPage = lazy(() => import('./pages/money/FindingDetailPage'));
// -- payments pages --
const PaymentsPage = lazy(() => import('./pages/payments/PaymentsPage'));
const ReconciliationPage = lazy(() => import('./pages/payments/ReconciliationPage'));
// -- disputes pages --
const DisputesPage = lazy(() => import('./pages/disputes/DisputesPage'));
const DisputePage = lazy(() => import('./pages/disputes/DisputePage'));
const DisputeReportPage = lazy(() => import('./pages/disputes/DisputeReportPage'));
// -- risk pages --
const RiskInboxPage = lazy(() => import('./pages/risk/RiskInboxPage'));
const RiskCasePage = lazy(() => import('./pages/risk/RiskCasePage'));
const RiskBlocksPage = lazy(() => import('./pages/risk/RiskBlocksPage'));
const RiskThresholdsPage = lazy(() => import('./pages/risk/RiskThresholdsPage'));
const BulkCommandsPage = lazy(() => import('./pages/commands/BulkCommandsPage').then((m) => ({ default: m.BulkCommandsPage })));
const BatchPage = lazy(() => import('./pages/commands/BulkCommandsPage').then((m) => ({ default: m.BatchPage })));
const SoftwarePage = lazy(() => import('./pages/software/SoftwarePage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => {
        if (isApiError(err) && err.status >= 400 && err.status < 500) return false;
        return count < 2;
      },
    },
    mutations: { retry: false },
  },
});

const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1f4fd6',
    colorInfo: '#1f4fd6',
    borderRadius: 8,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif",
    colorBgLayout: '#f4f6fa',
  },
  components: {
    Layout: { headerBg: '#ffffff', siderBg: '#ffffff', headerPadding: '0 20px', headerHeight: 56 },
    Menu: { itemBorderRadius: 8, activeBarBorderWidth: 0 },
    Table: { headerBg: '#fafbfd' },
  },
};

function RequireAuth({ children }: { children: ReactNode }) {
  const { me, loading, error, retry } = useAuth();
  const location = useLocation();
  if (loading) return <FullPageSpin />;
  if (!me && error) return <QueryError error={error} onRetry={retry} />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  // The sign-in policy asks for a second factor this user has not set up: nothing else until they do.
  if (me.mfa?.enrolmentRequired) {
    return (
      <Suspense fallback={<FullPageSpin />}>
        <EnrolmentRequiredPage />
      </Suspense>
    );
  }
  return <>{children}</>;
}

/** `staff`: not for merchant users even when they hold the permission (rules, silences). */
function Guard({ permission, staff, children }: { permission: string; staff?: boolean; children: ReactNode }) {
  const { can, me } = useAuth();
  if (!can(permission) || (staff && me?.role === 'merchant')) return <Forbidden />;
  return <Suspense fallback={<FullPageSpin />}>{children}</Suspense>;
}

function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Guard permission="inventory:read"><OverviewPage /></Guard>} />
        <Route path="fleet" element={<Guard permission="fleet:read"><FleetPage /></Guard>} />
        <Route path="troubleshoot" element={<Guard permission="diagnosis:run"><TroubleshootPage /></Guard>} />
        <Route path="organizations" element={<Guard permission="inventory:read"><OrganizationsPage /></Guard>} />
        <Route path="merchants" element={<Guard permission="inventory:read"><MerchantsPage /></Guard>} />
        <Route path="sites" element={<Guard permission="inventory:read"><SitesPage /></Guard>} />
        <Route path="terminals" element={<Guard permission="inventory:read"><TerminalsPage /></Guard>} />
        <Route path="terminals/import" element={<Guard permission="import:run"><ImportPage /></Guard>} />
        <Route path="terminals/:id" element={<Guard permission="inventory:read"><TerminalDetailPage /></Guard>} />
        <Route path="commands" element={<Guard permission="devices:command"><BulkCommandsPage /></Guard>} />
        <Route path="commands/batches/:id" element={<Guard permission="devices:command"><BatchPage /></Guard>} />
        <Route path="software" element={<Guard permission="software:read"><SoftwarePage /></Guard>} />
        <Route path="users" element={<Guard permission="users:manage"><UsersPage /></Guard>} />
        <Route path="devices/enrollment" element={<Guard permission="devices:manage"><EnrollmentCodesPage /></Guard>} />
        <Route path="devices/rejections" element={<Guard permission="devices:manage"><RejectionsPage /></Guard>} />
        <Route path="audit" element={<Guard permission="audit:read"><AuditPage /></Guard>} />
        {/* -- operations routes -- */}
        <Route path="admin/jobs" element={<Guard permission="system:operate"><JobsPage /></Guard>} />
        <Route path="alerts" element={<Guard permission="alerts:read"><AlertsPage /></Guard>} />
        <Route path="alerts/rules" element={<Guard permission="alerts:read" staff><AlertRulesPage /></Guard>} />
        <Route path="alerts/silences" element={<Guard permission="alerts:read" staff><SilencesPage /></Guard>} />
        <Route path="alerts/:id" element={<Guard permission="alerts:read"><AlertDetailPage /></Guard>} />
        <Route path="tickets" element={<Guard permission="tickets:read"><TicketsPage /></Guard>} />
        <Route path="tickets/:id" element={<Guard permission="tickets:read"><TicketDetailPage /></Guard>} />
        {/* -- kb routes -- */}
        <Route path="kb" element={<Guard permission="kb:read"><KbPage /></Guard>} />
        <Route path="kb/new" element={<Guard permission="kb:write"><KbEditorPage /></Guard>} />
        <Route path="kb/:id" element={<Guard permission="kb:read"><KbArticlePage /></Guard>} />
        <Route path="kb/:id/edit" element={<Guard permission="kb:write"><KbEditorPage /></Guard>} />
        {/* -- fieldwork routes -- */}
        <Route path="work-orders" element={<Guard permission="workorders:read"><WorkOrdersPage /></Guard>} />
        <Route path="work-orders/:id" element={<Guard permission="workorders:read"><WorkOrderPage /></Guard>} />
        <Route path="parts" element={<Guard permission="parts:read"><PartsPage /></Guard>} />
        {/* -- reports routes -- */}
        <Route path="reports" element={<Guard permission="reports:read"><ReportsPage /></Guard>} />
        {/* -- money routes -- */}
        <Route path="money" element={<Guard permission="payments:read"><MoneyPage /></Guard>} />
        <Route path="findings" element={<Guard permission="payments:read" staff><FindingsPage /></Guard>} />
        <Route path="findings/:id" element={<Guard permission="payments:read"><FindingDetailPage /></Guard>} />
        {/* -- payments routes -- */}
        <Route path="payments" element={<Guard permission="payments:read"><PaymentsPage /></Guard>} />
        <Route path="payments/reconciliation" element={<Guard permission="payments:read"><ReconciliationPage /></Guard>} />
        {/* -- disputes routes -- */}
        <Route path="disputes" element={<Guard permission="disputes:read"><DisputesPage /></Guard>} />
        <Route path="disputes/report" element={<Guard permission="reports:read"><DisputeReportPage /></Guard>} />
        <Route path="disputes/:id" element={<Guard permission="disputes:read"><DisputePage /></Guard>} />
        {/* -- risk routes -- */}
        <Route path="risk" element={<Guard permission="risk:work"><RiskInboxPage /></Guard>} />
        <Route path="risk/cases/:id" element={<Guard permission="risk:work"><RiskCasePage /></Guard>} />
        <Route path="risk/blocks" element={<Guard permission="risk:work"><RiskBlocksPage /></Guard>} />
        <Route path="risk/thresholds" element={<Guard permission="risk:work"><RiskThresholdsPage /></Guard>} />
        <Route path="settings/tokens" element={<Suspense fallback={<FullPageSpin />}><TokensPage /></Suspense>} />
        <Route path="settings/security" element={<Suspense fallback={<FullPageSpin />}><SecurityPage /></Suspense>} />
        <Route path="settings/sign-in-policy" element={<Guard permission="users:manage"><SignInPolicyPage /></Guard>} />
        <Route path="settings/notifications" element={<Suspense fallback={<FullPageSpin />}><NotificationSettingsPage /></Suspense>} />
        <Route path="settings/channels" element={<Guard permission="alerts:read" staff><Suspense fallback={<FullPageSpin />}><ChannelsPage /></Suspense></Guard>} />
        <Route path="settings/contacts" element={<Guard permission="alerts:read"><ContactsPage /></Guard>} />
        {/* A short link from an SMS: after sign-in, the page it stands for (if this person may see it). */}
        <Route path="s/:token" element={<Suspense fallback={<FullPageSpin />}><ShortLinkPage /></Suspense>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function Shell() {
  const { i18n } = useTranslation();
  void i18n.language; // re-render on language change
  const lng = currentLanguage();
  return (
    <ConfigProvider locale={lng === 'en-US' ? enUSLocale : zhCNLocale} theme={theme}>
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export default function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Shell />
    </QueryClientProvider>
  );
}
