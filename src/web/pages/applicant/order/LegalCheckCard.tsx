/**
 * 法人核验: the legal representative scans the QR code bound to this order (printed on the power of
 * attorney, and shown here too) with WeChat and passes face verification. The order page watches the
 * status and turns green when the phone shows 认证成功, without a reload.
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, Spin, Typography } from 'antd';
import { CheckCircleFilled, ScanOutlined } from '@ant-design/icons';
import { beijing } from './time.js';
import { apiGet, ApiError } from '../../../api.js';
import type { LegalCheckState } from '../../../../core/legal-check-schemas.js';
import type { LegalCheckStatus, LegalCheckView } from '../../../../core/orders-schemas.js';

const POLL_MS = 3000;

export function LegalCheckCard({
  orderId,
  check,
  legalPersonReady,
  onChange,
}: {
  orderId: string;
  check: LegalCheckView;
  /** The form names the legal representative (name and ID number): the phone page checks against them. */
  legalPersonReady: boolean;
  onChange: () => void;
}) {
  const [live, setLive] = useState<Pick<LegalCheckView, 'status' | 'at' | 'lastFailure'>>(check);
  const [qr, setQr] = useState<string | null>(null);
  const notify = useRef(onChange);
  useEffect(() => {
    notify.current = onChange;
  }, [onChange]);

  // A fresher order view (after a reload or an upload) wins over what the poll last saw.
  useEffect(
    () => setLive({ status: check.status, at: check.at, lastFailure: check.lastFailure }),
    [check.status, check.at, check.lastFailure],
  );

  useEffect(() => {
    const url = check.url;
    if (!url) return setQr(null);
    let on = true;
    // The QR code library is loaded when a code is to be drawn, not with the order form (issue 14).
    import('qrcode')
      .then(({ default: QRCode }) => QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, width: 220 }))
      .then((d) => on && setQr(d))
      .catch(() => on && setQr(null));
    return () => {
      on = false;
    };
  }, [check.url]);

  // Watch the status every 3 s while the page is visible and the check has not passed.
  const passed = live.status === 'passed';
  useEffect(() => {
    if (passed || !check.url) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: LegalCheckStatus = live.status;
    const tick = async () => {
      if (stop) return;
      if (document.visibilityState === 'visible') {
        try {
          const s = await apiGet<LegalCheckState>(`/api/orders/${orderId}/legal-check`);
          if (stop) return;
          setLive({ status: s.status, at: s.at, lastFailure: s.lastFailure });
          if (s.status !== last) {
            last = s.status;
            notify.current();
          }
          if (s.status === 'passed') return;
        } catch (e) {
          // No such order any more (deleted elsewhere): stop asking.
          if (e instanceof ApiError && e.status === 404) return;
        }
      }
      if (!stop) timer = setTimeout(() => void tick(), POLL_MS);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') {
        clearTimeout(timer);
        void tick();
      }
    };
    timer = setTimeout(() => void tick(), POLL_MS);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stop = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
    // `live.status` only seeds the comparison; restarting on every poll answer is not wanted.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [passed, check.url, orderId]);

  if (passed)
    return (
      <div className="legal-check passed" data-testid="legal-check">
        <CheckCircleFilled className="legal-icon" />
        <div>
          <div className="legal-title" data-testid="legal-status">
            认证成功
          </div>
          <div className="muted">法定代表人已完成刷脸核验{live.at ? `（${beijing(live.at, 'YYYY-MM-DD HH:mm:ss')}）` : ''}。</div>
        </div>
      </div>
    );

  if (!check.url)
    return (
      <div className="legal-check" data-testid="legal-check">
        <Alert type="warning" showIcon title="订单已删除，法人授权委托书上的二维码已失效。重新申请须重新下载模板并再次进行法人核验。" />
      </div>
    );

  return (
    <div className="legal-check waiting" data-testid="legal-check">
      <div className="legal-qr">
        {qr ? <img src={qr} alt="法人核验二维码" width={180} height={180} data-testid="legal-qr" /> : <Spin />}
        <span className="muted">与委托书上的二维码相同</span>
      </div>
      <div className="legal-body">
        <div className="legal-title" data-testid="legal-status">
          <ScanOutlined /> {live.status === 'failed' ? '核验未通过，请重新扫码' : '等待法定代表人扫码核验'}
        </div>
        {!legalPersonReady && (
          <Alert
            type="warning"
            showIcon
            style={{ margin: '8px 0' }}
            title="请先在“法人信息”中填写法定代表人姓名和身份证号"
            description="法定代表人扫码后须填写与订单一致的姓名和身份证号，才能开始刷脸核验。"
            data-testid="legal-person-missing"
          />
        )}
        {live.status === 'failed' && live.lastFailure && (
          <Alert type="error" showIcon title={`上次核验未通过：${live.lastFailure}`} style={{ margin: '8px 0' }} />
        )}
        <ol className="legal-steps">
          <li>请法定代表人本人用手机微信扫描本页（或法人授权委托书上）的二维码。</li>
          <li>按手机上的提示完成刷脸核验。</li>
          <li>
            手机页面显示<b>“认证成功”</b>后，本页会自动变为“认证成功”，方可提交申请。
          </li>
        </ol>
        <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 13 }}>
          法定代表人不在身边时，可把委托书上的二维码或下面的链接发给法定代表人本人操作。二维码只绑定本订单，订单删除后失效。
        </Typography.Paragraph>
        <Typography.Text copyable={{ text: check.url, tooltips: ['复制核验链接', '已复制'] }} type="secondary" style={{ fontSize: 13 }}>
          复制核验链接
        </Typography.Text>
        <div style={{ marginTop: 4 }}>
          <Spin size="small" /> <span className="muted">正在等待核验结果，无需刷新页面</span>
        </div>
      </div>
    </div>
  );
}
