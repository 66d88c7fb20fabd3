import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { App as AntApp, ConfigProvider } from 'antd';
// The ES build of the locale: the CommonJS one ('antd/locale/zh_CN') loads as English under Vite 8.
import zhCNModule from 'antd/es/locale/zh_CN.js';
import type { Locale } from 'antd/es/locale/index.js';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import './styles.css';
import { appTheme } from './theme.js';
import { OrgSessionProvider } from './session.js';
import { PublicLayout } from './components/PublicLayout.js';
import { HomePage } from './pages/public/Home.js';
import { HelpPage } from './pages/public/Help.js';
import { OfficesPage } from './pages/public/Offices.js';
import { AgreementPage } from './pages/public/Agreement.js';
import { RegisterPage } from './pages/applicant/Register.js';
import { LoginPage } from './pages/applicant/Login.js';
import { ForgotPasswordPage } from './pages/applicant/ForgotPassword.js';
import { AccountPage } from './pages/applicant/Account.js';
import { DevInboxPage } from './pages/dev/DevInbox.js';
import { NotFoundPage } from './pages/public/NotFound.js';
import { StaffApp } from './pages/staff/StaffApp.js';
import { ApplyPage } from './pages/applicant/Apply.js';
import { OrdersPage } from './pages/applicant/Orders.js';
import { OrderPage } from './pages/applicant/Order.js';
import { LegalCheckPage } from './pages/mobile/LegalCheck.js';
import { PayPage } from './pages/applicant/Pay.js';
import { SandboxPayPage } from './pages/mobile/SandboxPay.js';
import { CertStatusPage } from './pages/public/CertStatus.js';
import { DownloadsPage } from './pages/public/Downloads.js';
import { MyCertificatesPage } from './pages/applicant/MyCertificates.js';
import { SealTryPage } from './pages/applicant/SealTry.js';

dayjs.locale('zh-cn');
// TypeScript reads antd/es as CommonJS and types the default import as the module; Vite loads it as ESM.
// The browser tests check that components really speak Chinese.
const zhCN = zhCNModule as unknown as Locale;

const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
const theme = appTheme(reducedMotion);

function PublicSite() {
  return (
    <OrgSessionProvider>
      <PublicLayout>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/help" element={<HelpPage />} />
          <Route path="/offices" element={<OfficesPage />} />
          <Route path="/agreement" element={<AgreementPage />} />
          <Route path="/register" element={<RegisterPage />} />
          <Route path="/login" element={<LoginPage />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="/apply/*" element={<ApplyPage />} />
          <Route path="/orders" element={<OrdersPage />} />
          <Route path="/orders/:id" element={<OrderPage />} />
          <Route path="/orders/:id/pay" element={<PayPage />} />
          <Route path="/orders/:id/seal-try" element={<SealTryPage />} />
          <Route path="/certificates" element={<MyCertificatesPage />} />
          <Route path="/cert-status" element={<CertStatusPage />} />
          <Route path="/downloads" element={<DownloadsPage />} />
          <Route path="/dev/inbox" element={<DevInboxPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </PublicLayout>
    </OrgSessionProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} theme={theme}>
      <AntApp>
        <BrowserRouter>
          <Routes>
            <Route path="/staff/*" element={<StaffApp />} />
            {/* The legal representative's phone page (法人核验): no site chrome, opened from a QR code. */}
            <Route path="/v/:token/*" element={<LegalCheckPage />} />
            {/* The sandbox payment provider's payer page, opened by scanning the sandbox QR code on a phone. */}
            <Route path="/sandbox/pay/*" element={<SandboxPayPage />} />
            <Route path="/*" element={<PublicSite />} />
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
