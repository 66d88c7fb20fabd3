/**
 * The browsers CertDesk supports, said once. The web build's target (vite.config.ts) is BROWSER_TARGETS; the
 * help and payment pages say SUPPORTED_BROWSERS; index.html's inline check shows OLD_BROWSER_NOTICE to
 * browsers below the target (IE, 360 兼容模式, old Chromium). A test holds index.html to these words.
 *
 * Why these versions: the bundle is ES modules (no IE at all), and antd 6 scopes its styles with the CSS
 * :where() selector (Chrome/Edge 88, Firefox 78, Safari 14); Promise.any (Firefox 79) and CSS.supports's
 * selector() (Safari 14.1) are what the inline check tests for, so the target is the same versions.
 */
export const BROWSER_TARGETS = ['chrome88', 'edge88', 'firefox79', 'safari14.1'];

export const SUPPORTED_BROWSERS = 'Chrome 88、Edge 88、Firefox 79、Safari 14.1 及以上版本';

export const BROWSER_ADVICE = `本系统支持 ${SUPPORTED_BROWSERS}；360、QQ 等双核浏览器请使用极速模式（不支持兼容模式和 IE 浏览器）。`;

/** What index.html shows IE, 360 兼容模式 and old Chromium (kept word for word in index.html's inline script). */
export const OLD_BROWSER_NOTICE = {
  title: '您的浏览器版本过低或正处于兼容模式，无法使用本系统',
  steps: [
    '使用 360 浏览器、QQ 浏览器等：请点击地址栏右侧的“闪电”或“e”图标，切换到“极速模式”后刷新页面；仍无法打开的，请将浏览器升级到最新版本。',
    '使用 IE 浏览器的：请安装并使用谷歌 Chrome 或微软 Edge 浏览器打开本网址。',
    `本系统支持 ${SUPPORTED_BROWSERS}。`,
  ],
};
