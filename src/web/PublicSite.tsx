/**
 * The public site and the applicant pages, under the site's header and footer. Each page is its own chunk
 * (components/lazyPage.tsx). No Suspense boundary of its own: the first load shows main.tsx's 正在加载… until
 * layout and page can appear together (never a header over an empty page), and a later navigation keeps the
 * current page on screen until the next one's code is there (React Router navigates in a transition).
 */
import { Route, Routes } from 'react-router-dom';
import { OrgSessionProvider } from './session.js';
import { PublicLayout } from './components/PublicLayout.js';
import { lazyPage } from './components/lazyPage.js';
import { AntRoot } from './components/AntRoot.js';

const HomePage = lazyPage(() => import('./pages/public/Home.js'), 'HomePage');
const HelpPage = lazyPage(() => import('./pages/public/Help.js'), 'HelpPage');
const OfficesPage = lazyPage(() => import('./pages/public/Offices.js'), 'OfficesPage');
const AgreementPage = lazyPage(() => import('./pages/public/Agreement.js'), 'AgreementPage');
const CertStatusPage = lazyPage(() => import('./pages/public/CertStatus.js'), 'CertStatusPage');
const DownloadsPage = lazyPage(() => import('./pages/public/Downloads.js'), 'DownloadsPage');
const NotFoundPage = lazyPage(() => import('./pages/public/NotFound.js'), 'NotFoundPage');
const RegisterPage = lazyPage(() => import('./pages/applicant/Register.js'), 'RegisterPage');
const LoginPage = lazyPage(() => import('./pages/applicant/Login.js'), 'LoginPage');
const ForgotPasswordPage = lazyPage(() => import('./pages/applicant/ForgotPassword.js'), 'ForgotPasswordPage');
const AccountPage = lazyPage(() => import('./pages/applicant/Account.js'), 'AccountPage');
const ApplyPage = lazyPage(() => import('./pages/applicant/Apply.js'), 'ApplyPage');
const OrdersPage = lazyPage(() => import('./pages/applicant/Orders.js'), 'OrdersPage');
const OrderPage = lazyPage(() => import('./pages/applicant/Order.js'), 'OrderPage');
const PayPage = lazyPage(() => import('./pages/applicant/Pay.js'), 'PayPage');
const SealTryPage = lazyPage(() => import('./pages/applicant/SealTry.js'), 'SealTryPage');
const MyCertificatesPage = lazyPage(() => import('./pages/applicant/MyCertificates.js'), 'MyCertificatesPage');
const RenewPage = lazyPage(() => import('./pages/applicant/renewal/Renew.js'), 'RenewPage');
const UkeyUnlockPage = lazyPage(() => import('./pages/applicant/UkeyUnlock.js'), 'UkeyUnlockPage');
const DevInboxPage = lazyPage(() => import('./pages/dev/DevInbox.js'), 'DevInboxPage');

export function PublicSite() {
  return (
    <AntRoot>
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
            <Route path="/certificates/:id/renew" element={<RenewPage />} />
            <Route path="/certificates/ukey-unlock" element={<UkeyUnlockPage />} />
            <Route path="/cert-status" element={<CertStatusPage />} />
            <Route path="/downloads" element={<DownloadsPage />} />
            <Route path="/dev/inbox" element={<DevInboxPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </PublicLayout>
      </OrgSessionProvider>
    </AntRoot>
  );
}
