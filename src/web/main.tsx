import { StrictMode, Suspense } from 'react';
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
import { lazyPage, PageLoading, reloadOnStaleChunk } from './components/lazyPage.js';

// Each area is its own chunk, loaded when its route is first opened (issue 14).
const PublicSite = lazyPage(() => import('./PublicSite.js'), 'PublicSite');
const StaffApp = lazyPage(() => import('./pages/staff/StaffApp.js'), 'StaffApp');
const LegalCheckPage = lazyPage(() => import('./pages/mobile/LegalCheck.js'), 'LegalCheckPage');
const SandboxPayPage = lazyPage(() => import('./pages/mobile/SandboxPay.js'), 'SandboxPayPage');

reloadOnStaleChunk();
dayjs.locale('zh-cn');
// TypeScript reads antd/es as CommonJS and types the default import as the module; Vite loads it as ESM.
// The browser tests check that components really speak Chinese.
const zhCN = zhCNModule as unknown as Locale;

const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
const theme = appTheme(reducedMotion);

// index.html's old-browser check renames #root when it shows its notice: then there is nothing to render into.
const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <ConfigProvider locale={zhCN} theme={theme}>
        <AntApp>
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
        </AntApp>
      </ConfigProvider>
    </StrictMode>,
  );
