/**
 * antd's settings for the phone pages (法人核验, the sandbox payer), opened from a QR code on a phone over a
 * slow network (issue 14): the brand theme and Chinese texts, and none of the shared AntRoot (no App/message/notification, no dayjs) — these pages show their messages in the page itself.
 */
import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd';
import zhCNModule from 'antd/es/locale/zh_CN.js';
import type { Locale } from 'antd/es/locale/index.js';
import { appTheme } from '../../theme.js';

// See components/AntRoot.tsx for why the ES locale and this cast.
const zhCN = zhCNModule as unknown as Locale;
const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
const theme = appTheme(reducedMotion);

export function PhoneRoot({ children }: { children: ReactNode }) {
  return (
    <ConfigProvider locale={zhCN} theme={theme}>
      {children}
    </ConfigProvider>
  );
}
