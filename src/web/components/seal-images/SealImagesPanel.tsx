/**
 * 电子签章印模 on the staff order page. Everyone sees the scanned 电子签章采集表 beside the seals cut out of
 * it, with the automatic check's problems (预审 uses them to judge the sheet). 制证, while the order is 正在制证,
 * adjusts the ink threshold and a box's crop (millimetres from the box's top-left corner), has the server
 * extract again, picks the left or right impression of each kind and confirms — the electronic seal is made
 * from what is confirmed. A confirmation someone else changed meanwhile is refused (409) and the panel reloads.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Image, InputNumber, Radio, Slider, Space, Spin, Tag, Typography } from 'antd';
import { apiGet, apiPost, ApiError } from '../../api.js';
import { BOX_SIDE, rowsOf, type MmRect, type SealConfirmation, type SealImage, type SealImagesView, type SealRun } from './types.js';
import './seal-images.css';

const beijing = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });

/** Which box to pick by default: a confirmed pick, else the first box without problems that has an image. */
function defaultPicks(run: SealRun, c: SealConfirmation | null): Record<string, number> {
  if (c && c.extractionId === run.id) return { ...c.picks };
  const picks: Record<string, number> = {};
  for (const row of rowsOf(run)) {
    const good = row.boxes.find((b) => b.hasImage && !b.codes.length) ?? row.boxes.find((b) => b.hasImage);
    if (good) picks[row.kind] = good.box;
  }
  return picks;
}

export function SealImagesPanel({
  orderId,
  wide,
  onConfirmed,
}: {
  orderId: string;
  wide?: boolean;
  /** Staff: after a confirmation (the order page reloads: the seals can be made, 发放 may change). */
  onConfirmed?: () => void;
}) {
  const { message } = App.useApp();
  const [view, setView] = useState<SealImagesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(0.15);
  const [crops, setCrops] = useState<Record<string, MmRect>>({});
  const [picks, setPicks] = useState<Record<string, number>>({});
  const [busy, setBusy] = useState<'extract' | 'confirm' | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const v = await apiGet<SealImagesView>(`/api/staff/orders/${orderId}/seal-images`);
      setView(v);
      setError(null);
      const run = v.latest ?? v.auto;
      if (run) {
        setThreshold(run.params.threshold);
        setCrops(run.params.crops ?? {});
        setPicks(defaultPicks(run, v.confirmation));
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '印模加载失败，请刷新页面');
    }
  }, [orderId]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error)
    return (
      <Card title="电子签章印模" size="small">
        <Alert type="error" showIcon title={error} />
      </Card>
    );
  if (!view)
    return (
      <Card title="电子签章印模" size="small">
        <Spin size="small" />
      </Card>
    );
  if (!view.required) return null;
  const run = view.latest ?? view.auto;
  const c = view.confirmation;

  const extract = async () => {
    if (!view.document) return;
    setBusy('extract');
    try {
      await apiPost(`/api/staff/orders/${orderId}/seal-images/extract`, { documentId: view.document.id, threshold, crops });
      message.success('已按调整后的参数重新提取');
      setEditing(null);
      await load();
    } catch (e) {
      message.error(e instanceof ApiError ? (Object.values(e.fields)[0] ?? e.message) : '重新提取失败，请重试');
      if (e instanceof ApiError && e.status === 409) await load();
    } finally {
      setBusy(null);
    }
  };

  const confirm = async () => {
    if (!run) return;
    setBusy('confirm');
    try {
      await apiPost(`/api/staff/orders/${orderId}/seal-images/confirm`, {
        extractionId: run.id,
        picks,
        expectedVersion: c?.version ?? null,
      });
      message.success('印模已确认，可用于制作电子签章');
      await load();
      onConfirmed?.();
    } catch (e) {
      message.error(e instanceof ApiError ? (Object.values(e.fields)[0] ?? e.message) : '确认失败，请重试');
      if (e instanceof ApiError && e.status === 409) await load();
    } finally {
      setBusy(null);
    }
  };

  const cropOf = (img: SealImage): MmRect => crops[`${img.kind}:${img.box}`] ?? img.crop ?? { x: 0, y: 0, width: 60, height: 50 };
  const setCrop = (img: SealImage, k: keyof MmRect, v: number | null) =>
    setCrops((all) => ({ ...all, [`${img.kind}:${img.box}`]: { ...cropOf(img), [k]: v ?? 0 } }));

  return (
    <Card
      title="电子签章印模"
      size={wide ? 'default' : 'small'}
      data-testid="seal-images-panel"
      extra={
        c ? (
          <Tag color="success" data-testid="seal-confirmed">
            已确认（{c.confirmedBy ?? '工作人员'} {beijing(c.confirmedAt)}）
          </Tag>
        ) : run ? (
          <Tag color={run.verdict === 'ok' ? 'success' : 'warning'}>{run.verdict === 'ok' ? '自动检查通过' : '自动检查有问题'}</Tag>
        ) : null
      }
    >
      {!view.document || !run ? (
        <Typography.Text type="secondary">申请人尚未上传电子签章采集表。</Typography.Text>
      ) : (
        <div className="seal-staff">
          <div className="seal-original">
            <Typography.Text type="secondary">采集表原件（点击放大）</Typography.Text>
            <Image
              src={`/api/staff/orders/${orderId}/documents/${view.document.id}/thumbnail`}
              preview={{ src: `/api/staff/orders/${orderId}/documents/${view.document.id}/file` }}
              alt="电子签章采集表原件"
              data-testid="seal-original"
            />
            {run.sheet.pxPerMm ? (
              <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>
                约 {Math.round(run.sheet.pxPerMm * 25.4)} dpi，倾斜 {run.sheet.rotationDeg?.toFixed(1)}°
              </div>
            ) : null}
          </div>
          <div>
            {view.auto && view.auto.issues.length > 0 && (
              <Alert
                type={view.auto.verdict === 'unreadable' ? 'error' : 'warning'}
                showIcon
                title="自动检查发现的问题（申请人上传时已看到）"
                description={
                  <ul className="seal-issues" data-testid="seal-staff-issues">
                    {view.auto.issues.map((i) => (
                      <li key={`${i.kind}-${i.box}-${i.code}`}>{i.message}</li>
                    ))}
                  </ul>
                }
              />
            )}
            {run.source === 'staff' && (
              <div className="muted" style={{ fontSize: 12, marginTop: 6 }} data-testid="seal-run-by">
                当前显示：{run.createdBy ?? '工作人员'} {beijing(run.createdAt)} 调整后的提取结果（阈值 {run.params.threshold}）
              </div>
            )}
            <div className="seal-rows">
              {rowsOf(run).map((row) => (
                <div key={row.kind}>
                  <div className="seal-row-label">{row.label}</div>
                  {view.canConfirm && (
                    <Radio.Group
                      size="small"
                      value={picks[row.kind]}
                      onChange={(e) => setPicks((p) => ({ ...p, [row.kind]: e.target.value as number }))}
                      data-testid={`seal-pick-${row.kind}`}
                    >
                      {row.boxes.map((b) => (
                        <Radio key={b.box} value={b.box} disabled={!b.hasImage}>
                          用{BOX_SIDE[b.box]}
                        </Radio>
                      ))}
                    </Radio.Group>
                  )}
                  <div className="seal-row-boxes">
                    {row.boxes.map((b) => {
                      const key = `${b.kind}:${b.box}`;
                      const crop = cropOf(b);
                      return (
                        <div
                          key={b.box}
                          className={`seal-box${b.codes.length ? ' bad' : ''}${picks[row.kind] === b.box ? ' picked' : ''}`}
                          data-testid={`staff-seal-${b.kind}-${b.box}`}
                        >
                          <div className="seal-pic">
                            {b.hasImage ? (
                              <img
                                src={`/api/staff/orders/${orderId}/seal-images/${run.id}/${b.kind}/${b.box}`}
                                alt={`${row.label}（${BOX_SIDE[b.box]}）`}
                              />
                            ) : (
                              <span className="empty">未提取到</span>
                            )}
                          </div>
                          <div className="seal-box-meta">
                            <span>{BOX_SIDE[b.box]}</span>
                            {b.hasImage && (
                              <span>
                                {b.widthMm.toFixed(1)}×{b.heightMm.toFixed(1)}mm
                              </span>
                            )}
                            {b.codes.length > 0 && <Tag color="error">有问题</Tag>}
                            {view.canConfirm && (
                              <Button
                                size="small"
                                type="link"
                                onClick={() => setEditing(editing === key ? null : key)}
                                data-testid={`seal-crop-edit-${key}`}
                              >
                                调整裁剪
                              </Button>
                            )}
                          </div>
                          {b.reasons.map((r) => (
                            <div key={r} className="seal-reason">
                              {r}
                            </div>
                          ))}
                          {editing === key && (
                            <div className="seal-crop" data-testid={`seal-crop-${key}`}>
                              {(['x', 'y', 'width', 'height'] as const).map((k) => (
                                <InputNumber
                                  key={k}
                                  size="small"
                                  min={k === 'x' || k === 'y' ? -3 : 3}
                                  max={100}
                                  step={0.5}
                                  value={crop[k]}
                                  onChange={(v) => setCrop(b, k, v)}
                                  prefix={{ x: '左', y: '上', width: '宽', height: '高' }[k]}
                                  aria-label={
                                    { x: '裁剪左边（毫米）', y: '裁剪上边（毫米）', width: '裁剪宽度（毫米）', height: '裁剪高度（毫米）' }[
                                      k
                                    ]
                                  }
                                />
                              ))}
                              <span className="muted" style={{ fontSize: 12 }}>
                                毫米，从格子左上角起
                              </span>
                            </div>
                          )}
                        </div>
                      );
                    })}
                  </div>
                </div>
              ))}
            </div>
            {view.canConfirm && (
              <div style={{ marginTop: 12 }}>
                <div>
                  红色阈值：<b data-testid="seal-threshold-value">{threshold.toFixed(2)}</b>
                  <span className="muted" style={{ fontSize: 12 }}>
                    （调高去掉淡红杂色，调低保留淡的笔画）
                  </span>
                </div>
                <Slider min={0.05} max={0.6} step={0.01} value={threshold} onChange={(v) => setThreshold(v)} data-testid="seal-threshold" />
                <Space wrap>
                  <Button onClick={() => void extract()} loading={busy === 'extract'} disabled={busy !== null} data-testid="seal-extract">
                    按调整重新提取
                  </Button>
                  <Button
                    type="primary"
                    onClick={() => void confirm()}
                    loading={busy === 'confirm'}
                    disabled={busy !== null}
                    data-testid="seal-confirm"
                  >
                    {c ? '重新确认印模' : '确认印模'}
                  </Button>
                </Space>
              </div>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}
