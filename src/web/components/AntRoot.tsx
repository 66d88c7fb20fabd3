/**
 * antd's settings for an area of the app (issue 14). The boot chunk (main.tsx) has no antd at all: each area
 * wraps itself, so the phone pages (法人核验, sandbox payer) get antd's theme and Chinese locale and nothing
 * else, while the public site and the staff console also get App (message, notification, modal.confirm)
 * and dayjs in Chinese. Both areas import this module, so it is one shared chunk.
 */
import type { ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
// The ES build of the locale: the CommonJS one ('antd/locale/zh_CN') loads as English under Vite 8.
import zhCNModule from 'antd/es/locale/zh_CN.js';
import type { Locale } from 'antd/es/locale/index.js';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { appTheme } from '../theme.js';

dayjs.locale('zh-cn');
// TypeScript reads antd/es as CommonJS and types the default import as the module; Vite loads it as ESM.
// The browser tests check that components really speak Chinese.
const zhCN = zhCNModule as unknown as Locale;

const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
const theme = appTheme(reducedMotion);

/** The public site, the applicant pages and the staff console: theme, locale and App's message/modal. */
export function AntRoot({ children }: { children: ReactNode }) {
  return (
    <ConfigProvider locale={zhCN} theme={theme}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}
