import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import './styles.css';
import { lazyPage, PageLoading, reloadOnStaleChunk } from './components/lazyPage.js';

// Each area is its own chunk, loaded when its route is first opened (issue 14). This boot chunk is React and
// the router only: each area brings its own antd settings (components/AntRoot.tsx, pages/mobile/PhoneRoot.tsx),
// so the phone pages never download the public site's or the console's App/message.
const PublicSite = lazyPage(() => import('./PublicSite.js'), 'PublicSite');
const StaffApp = lazyPage(() => import('./pages/staff/StaffApp.js'), 'StaffApp');
const LegalCheckPage = lazyPage(() => import('./pages/mobile/LegalCheck.js'), 'LegalCheckPage');
const SandboxPayPage = lazyPage(() => import('./pages/mobile/SandboxPay.js'), 'SandboxPayPage');

reloadOnStaleChunk();

// index.html's old-browser check renames #root when it shows its notice: then there is nothing to render into.
const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <Suspense fallback={<PageLoading />}>
          <Routes>
            <Route path="/staff/*" element={<StaffApp />} />
            {/* The legal representative's phone page (法人核验): no site chrome, opened from a QR code. */}
            <Route path="/v/:token/*" element={<LegalCheckPage />} />
            {/* The sandbox payment provider's payer page, opened by scanning the sandbox QR code on a phone. */}
            <Route path="/sandbox/pay/*" element={<SandboxPayPage />} />
            <Route path="/*" element={<PublicSite />} />
          </Routes>
        </Suspense>
      </BrowserRouter>
    </StrictMode>,
  );
