/**
 * The sandbox's stand-in for Tencent's H5 liveness page: a small server-rendered page (no script, so it
 * works in any phone browser and under the app's CSP) that says plainly it is a sandbox and lets the tester
 * choose how the "face scan" ends.
 */
import { maskIdNumber } from '../../../core/id-number.js';
import { SANDBOX_H5_PATH, SANDBOX_OUTCOMES, returnUrl, type SandboxOutcome, type SandboxSession } from './sandbox-gateway.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** 张* / 欧阳** — enough for the person to recognise, not enough to read off a screenshot. */
export const maskName = (n: string): string => {
  const chars = [...n];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
};

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,'PingFang SC','Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;background:#f2f4f7;color:#1d2129}
.sandbox{background:#fa8c16;color:#fff;text-align:center;font-size:18px;font-weight:700;padding:12px 16px;letter-spacing:2px}
.sandbox small{display:block;font-size:13px;font-weight:400;letter-spacing:0;margin-top:2px}
main{max-width:480px;margin:0 auto;padding:20px 16px 40px}
h1{font-size:22px;margin:8px 0 16px;text-align:center}
.card{background:#fff;border-radius:12px;padding:18px 16px;margin-bottom:16px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.face{width:132px;height:132px;border-radius:50%;margin:4px auto 16px;border:4px dashed #c9cdd4;display:grid;place-items:center;color:#86909c;font-size:15px}
.who{font-size:17px;line-height:1.8}.who b{font-family:monospace;font-size:17px}
p{font-size:15px;line-height:1.7;color:#4e5969;margin:0}
button,.btn{display:block;width:100%;font-size:18px;padding:15px 12px;border-radius:10px;border:0;margin:12px 0;font-weight:600;text-align:center;text-decoration:none;font-family:inherit;cursor:pointer}
.ok{background:#00b42a;color:#fff}.bad{background:#fff;color:#d4380d;border:2px solid #ff7a45}.neutral{background:#165dff;color:#fff}
`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<div class="sandbox" role="alert">沙箱环境<small>模拟腾讯云人脸核身，不会打开摄像头，也不会真实核验身份</small></div>
<main>${body}</main></body></html>`;
}

export function choosePage(s: SandboxSession): string {
  const buttons = (Object.entries(SANDBOX_OUTCOMES) as [SandboxOutcome, string][])
    .map(
      ([value, label]) =>
        `<button type="submit" name="outcome" value="${value}" class="${value === 'passed' ? 'ok' : 'bad'}">${esc(label)}</button>`,
    )
    .join('\n');
  return layout(
    '人脸核身（沙箱）',
    `<h1>人脸核身</h1>
<div class="card"><div class="face" aria-hidden="true">刷脸区域</div>
<div class="who">核验对象：${esc(maskName(s.name))}<br>身份证号：<b>${esc(maskIdNumber(s.idCard))}</b></div></div>
<div class="card"><p>这是测试用的沙箱页面。正式环境中，这里由腾讯云慧眼打开前置摄像头进行活体检测，并将人脸与公安权威库中该身份证的照片比对。请选择要模拟的结果：</p>
<form method="post" action="${SANDBOX_H5_PATH}">
<input type="hidden" name="BizToken" value="${esc(s.bizToken)}">
${buttons}
</form></div>`,
  );
}

export function endedPage(s: SandboxSession, why: 'done' | 'expired'): string {
  const text = why === 'done' ? '本次校验已完成，请返回查看结果。' : '本次核验已超时（超过2小时），请返回重新开始。';
  return layout(
    '人脸核身（沙箱）',
    `<h1>${why === 'done' ? '本次校验已完成' : '核验已超时'}</h1>
<div class="card"><p>${text}</p><a class="btn neutral" href="${esc(returnUrl(s))}">返回</a></div>`,
  );
}

export function unknownPage(): string {
  return layout(
    '人脸核身（沙箱）',
    `<h1>链接无效</h1><div class="card"><p>找不到这次核验（BizToken 不存在）。请回到法人核验页面重新开始。</p></div>`,
  );
}
