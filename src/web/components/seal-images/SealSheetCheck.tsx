/**
 * 印模检查, under the 电子签章采集表 upload slot: right after a sheet is uploaded, the seals CertDesk cut out of
 * it (transparent, on a checkerboard) and, when an impression will not do, why and what to do — before the
 * application is submitted and the paper mailed. A flagged sheet is not refused: the applicant can upload a
 * better scan, or submit anyway and let 预审 decide.
 */
import { useEffect, useState } from 'react';
import { Alert, Spin, Tag } from 'antd';
import { apiGet, ApiError } from '../../api.js';
import { BOX_SIDE, rowsOf, type SealImagesView, type SealRun } from './types.js';
import './seal-images.css';

export function SealSheetCheck({ orderId, documentId }: { orderId: string; documentId: string | null }) {
  const [view, setView] = useState<SealImagesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!documentId) return;
    let live = true;
    setLoading(true);
    setError(null);
    apiGet<SealImagesView>(`/api/orders/${orderId}/seal-images`)
      .then((v) => live && setView(v))
      .catch((e: unknown) => live && setError(e instanceof ApiError ? e.message : '印模检查暂时无法完成，请稍后刷新页面'))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [orderId, documentId]);

  if (!documentId) return null;
  if (loading && view?.document?.id !== documentId)
    return (
      <div className="seal-check" data-testid="seal-check-loading">
        <Spin size="small" /> 正在检查采集表上的印模……
      </div>
    );
  if (error)
    return (
      <div className="seal-check">
        <Alert type="warning" showIcon title={error} />
      </div>
    );
  const run = view?.auto;
  if (!run) return null;
  return (
    <div className="seal-check" data-testid="seal-check" data-verdict={run.verdict}>
      {run.verdict === 'ok' ? (
        <Alert type="success" showIcon title="印模检查通过：系统已从采集表中提取出以下电子签章图样" />
      ) : (
        <Alert
          type={run.verdict === 'unreadable' ? 'error' : 'warning'}
          showIcon
          title={run.verdict === 'unreadable' ? '无法识别这份采集表' : '印模检查发现问题，这样的印模可能无法制作电子签章'}
          description={
            <>
              <ul className="seal-issues" data-testid="seal-issues">
                {run.issues.map((i) => (
                  <li key={`${i.kind}-${i.box}-${i.code}`}>{i.message}</li>
                ))}
              </ul>
              <div>建议按提示在新打印的采集表上重新盖章（签字），扫描后点“重新上传”。之前上传的文件在新文件上传成功前保持不变。</div>
            </>
          }
        />
      )}
      {run.images.length > 0 && <SealGrid orderId={orderId} run={run} />}
    </div>
  );
}

function SealGrid({ orderId, run }: { orderId: string; run: SealRun }) {
  return (
    <div className="seal-rows">
      {rowsOf(run).map((row) => (
        <div key={row.kind}>
          <div className="seal-row-label">{row.label}</div>
          <div className="seal-row-boxes">
            {row.boxes.map((b) => (
              <div key={b.box} className={`seal-box${b.codes.length ? ' bad' : ''}`} data-testid={`seal-${b.kind}-${b.box}`}>
                <div className="seal-pic">
                  {b.hasImage ? (
                    <img
                      src={`/api/orders/${orderId}/seal-images/${run.id}/${b.kind}/${b.box}`}
                      alt={`${row.label}（${BOX_SIDE[b.box]}）`}
                    />
                  ) : (
                    <span className="empty">未提取到</span>
                  )}
                </div>
                <div className="seal-box-meta">
                  <span>{BOX_SIDE[b.box]}</span>
                  {b.codes.length ? <Tag color="error">有问题</Tag> : b.hasImage ? <Tag color="success">清晰</Tag> : null}
                </div>
                {b.reasons.map((r) => (
                  <div key={r} className="seal-reason">
                    {r}
                  </div>
                ))}
              </div>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
