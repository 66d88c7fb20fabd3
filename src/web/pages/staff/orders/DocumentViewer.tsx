/**
 * The documents of an order for staff: a thumbnail per upload, and a viewer with zoom, rotation in 90°
 * steps and a side-by-side comparison of two documents (the ID card's two sides, or a replaced scan and
 * the one that replaced it). Images come from the staff document routes; every view is audited there.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import { Button, Empty, Grid, Modal, Select, Space, Tag, Tooltip, Typography } from 'antd';
import {
  ColumnWidthOutlined,
  CompressOutlined,
  RotateLeftOutlined,
  RotateRightOutlined,
  SplitCellsOutlined,
  ZoomInOutlined,
  ZoomOutOutlined,
} from '@ant-design/icons';
import { beijing } from './format.js';
import type { StaffDocument } from '../../../../core/staff-orders-schemas.js';

export const fileUrl = (orderId: string, docId: string) => `/api/staff/orders/${orderId}/documents/${docId}/file`;
export const thumbUrl = (orderId: string, docId: string) => `/api/staff/orders/${orderId}/documents/${docId}/thumbnail`;

const kb = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)}MB` : `${Math.max(1, Math.round(bytes / 1024))}KB`;

/** A document's name in lists: the slot's label, and for a replaced version when it was uploaded. */
export const docName = (d: StaffDocument) => (d.current ? d.label : `${d.label}（${beijing(d.uploadedAt, 'MM-DD HH:mm')}上传，已更换）`);

/** The document to show next to `doc` by default: the other side of the ID card, else its previous version, else the next one. */
export function companionOf(doc: StaffDocument, docs: StaffDocument[]): StaffDocument | undefined {
  const current = docs.filter((d) => d.current);
  const pair: Record<string, string> = { 'agent-id-front': 'agent-id-back', 'agent-id-back': 'agent-id-front' };
  const side = pair[doc.slot] && current.find((d) => d.slot === pair[doc.slot]);
  if (side) return side;
  const older = docs
    .filter((d) => d.slot === doc.slot && d.id !== doc.id && !d.current)
    .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))[0];
  if (older) return older;
  const i = current.findIndex((d) => d.id === doc.id);
  return current[(i + 1) % current.length] === doc ? undefined : current[(i + 1) % current.length];
}

export interface ViewerRequest {
  left: string;
  right?: string;
}

/** The thumbnails of the current uploads; a click opens the viewer. Replaced versions are listed under them. */
export function DocumentGallery({
  orderId,
  documents,
  highlight,
  onOpen,
}: {
  orderId: string;
  documents: StaffDocument[];
  highlight?: Set<string>;
  onOpen: (r: ViewerRequest) => void;
}) {
  const current = documents.filter((d) => d.current);
  const replaced = documents.filter((d) => !d.current);
  if (!documents.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚未上传证件" />;
  return (
    <>
      <div
        data-testid="document-gallery"
        style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))', gap: 12 }}
      >
        {current.map((d) => (
          <button
            key={d.id}
            type="button"
            data-testid={`doc-${d.slot}`}
            onClick={() => onOpen({ left: d.id })}
            aria-label={`查看${d.label}`}
            style={{
              display: 'grid',
              gap: 4,
              padding: 8,
              border: `1px solid ${highlight?.has(d.slot) ? '#faad14' : '#f0f0f0'}`,
              borderRadius: 8,
              background: highlight?.has(d.slot) ? '#fffbe6' : '#fafafa',
              cursor: 'zoom-in',
              textAlign: 'left',
              minWidth: 0,
            }}
          >
            <div style={{ height: 110, display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#fff' }}>
              <img
                src={thumbUrl(orderId, d.id)}
                alt={`${d.label}缩略图`}
                style={{ maxWidth: '100%', maxHeight: 110, objectFit: 'contain' }}
              />
            </div>
            <span style={{ fontSize: 13, lineHeight: 1.4 }}>{d.label}</span>
            <span style={{ fontSize: 12, color: '#8c8c8c' }}>
              {beijing(d.uploadedAt, 'MM-DD HH:mm')} · {kb(d.bytes)}
            </span>
            {highlight?.has(d.slot) && (
              <Tag color="gold" style={{ justifySelf: 'start', marginInlineEnd: 0 }}>
                本轮已更换
              </Tag>
            )}
          </button>
        ))}
      </div>
      {replaced.length > 0 && (
        <div style={{ marginTop: 12 }}>
          <Typography.Text type="secondary">已更换的旧版本：</Typography.Text>
          <Space wrap size={[8, 4]}>
            {replaced.map((d) => {
              const now = current.find((c) => c.slot === d.slot);
              return (
                <Button
                  key={d.id}
                  size="small"
                  type="link"
                  data-testid={`old-doc-${d.slot}`}
                  onClick={() => onOpen({ left: now?.id ?? d.id, right: now ? d.id : undefined })}
                >
                  {d.label} {beijing(d.uploadedAt, 'MM-DD HH:mm')}
                </Button>
              );
            })}
          </Space>
        </div>
      )}
    </>
  );
}

/** The viewer: one pane, or two side by side (stacked on a narrow screen), each with its own zoom and rotation. */
export function DocumentViewer({
  orderId,
  documents,
  request,
  onClose,
}: {
  orderId: string;
  documents: StaffDocument[];
  request: ViewerRequest;
  onClose: () => void;
}) {
  const [left, setLeft] = useState(request.left);
  const [right, setRight] = useState<string | undefined>(request.right);
  const wide = Grid.useBreakpoint().md ?? true;
  const byId = (id: string | undefined) => documents.find((d) => d.id === id);
  const leftDoc = byId(left);
  const compare = () => {
    if (right) setRight(undefined);
    else if (leftDoc) setRight((companionOf(leftDoc, documents) ?? leftDoc).id);
  };
  const options = documents.map((d) => ({ value: d.id, label: docName(d) }));
  return (
    <Modal
      open
      onCancel={onClose}
      footer={null}
      width={wide ? 'min(1440px, 96vw)' : '100vw'}
      style={{ top: wide ? 16 : 0, maxWidth: wide ? undefined : '100vw', paddingBottom: 0 }}
      title={
        <Space wrap size={8}>
          <span>证件查看</span>
          <Button
            size="small"
            icon={<SplitCellsOutlined />}
            onClick={compare}
            type={right ? 'primary' : 'default'}
            data-testid="viewer-compare"
          >
            {right ? '关闭对比' : '并排对比'}
          </Button>
        </Space>
      }
      destroyOnHidden
    >
      <div data-testid="document-viewer" style={{ display: 'grid', gridTemplateColumns: right && wide ? '1fr 1fr' : '1fr', gap: 12 }}>
        <ViewerPane
          key={left}
          orderId={orderId}
          doc={leftDoc}
          options={options}
          onPick={setLeft}
          testId="viewer-pane-left"
          tall={!right || wide}
        />
        {right && (
          <ViewerPane
            key={right}
            orderId={orderId}
            doc={byId(right)}
            options={options}
            onPick={setRight}
            testId="viewer-pane-right"
            tall={wide}
          />
        )}
      </div>
    </Modal>
  );
}

const STEPS = [0.1, 0.15, 0.25, 0.33, 0.5, 0.67, 0.75, 1, 1.25, 1.5, 2, 3, 4];

function ViewerPane({
  orderId,
  doc,
  options,
  onPick,
  testId,
  tall,
}: {
  orderId: string;
  doc: StaffDocument | undefined;
  options: { value: string; label: string }[];
  onPick: (id: string) => void;
  testId: string;
  tall: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number } | null>(null);
  // The pane is keyed by the document: choosing another one starts again at 0° and 适应窗口.
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(
    doc?.width && doc.height ? { w: doc.width, h: doc.height } : null,
  );
  const [rotation, setRotation] = useState(0);
  // null: fit the pane; otherwise the scale against the image's own pixels.
  const [zoom, setZoom] = useState<number | null>(null);
  const [pane, setPane] = useState({ w: 600, h: 500 });

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setPane({ w: el.clientWidth, h: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const turned = rotation % 180 !== 0;
  const fit = natural ? Math.min((pane.w - 16) / (turned ? natural.h : natural.w), (pane.h - 16) / (turned ? natural.w : natural.h), 4) : 1;
  const scale = zoom ?? fit;
  const w = (natural?.w ?? 0) * scale;
  const h = (natural?.h ?? 0) * scale;
  const boxW = turned ? h : w;
  const boxH = turned ? w : h;
  const step = (dir: 1 | -1) => {
    const next = dir > 0 ? STEPS.find((s) => s > scale + 1e-6) : [...STEPS].reverse().find((s) => s < scale - 1e-6);
    setZoom(next ?? scale);
  };

  return (
    <div data-testid={testId} style={{ display: 'grid', gap: 8, minWidth: 0 }}>
      <Select
        value={doc?.id}
        options={options}
        onChange={onPick}
        aria-label="选择证件"
        style={{ width: '100%' }}
        popupMatchSelectWidth={false}
      />
      <div style={{ display: 'flex', gap: 4, flexWrap: 'wrap', alignItems: 'center' }}>
        <Tooltip title="缩小">
          <Button icon={<ZoomOutOutlined />} onClick={() => step(-1)} aria-label="缩小" />
        </Tooltip>
        <span data-testid="viewer-zoom" style={{ minWidth: 48, textAlign: 'center' }}>
          {Math.round(scale * 100)}%
        </span>
        <Tooltip title="放大">
          <Button icon={<ZoomInOutlined />} onClick={() => step(1)} aria-label="放大" />
        </Tooltip>
        <Tooltip title="适应窗口">
          <Button icon={<CompressOutlined />} onClick={() => setZoom(null)} aria-label="适应窗口" />
        </Tooltip>
        <Tooltip title="原始大小">
          <Button icon={<ColumnWidthOutlined />} onClick={() => setZoom(1)} aria-label="原始大小" />
        </Tooltip>
        <Tooltip title="向左旋转90°">
          <Button icon={<RotateLeftOutlined />} onClick={() => setRotation((r) => (r + 270) % 360)} aria-label="向左旋转" />
        </Tooltip>
        <Tooltip title="向右旋转90°">
          <Button icon={<RotateRightOutlined />} onClick={() => setRotation((r) => (r + 90) % 360)} aria-label="向右旋转" />
        </Tooltip>
        {doc && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {doc.current ? '当前版本' : '已更换的版本'} · {beijing(doc.uploadedAt)}上传
            {natural ? ` · ${natural.w}×${natural.h}` : ''} · {kb(doc.bytes)}
          </Typography.Text>
        )}
      </div>
      <div
        ref={box}
        onPointerDown={(e) => {
          // Drag to move around a zoomed scan (a mouse; touch screens scroll by themselves).
          if (e.pointerType !== 'mouse' || e.button !== 0) return;
          drag.current = { x: e.clientX, y: e.clientY, left: e.currentTarget.scrollLeft, top: e.currentTarget.scrollTop };
          e.currentTarget.setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          e.currentTarget.scrollLeft = d.left - (e.clientX - d.x);
          e.currentTarget.scrollTop = d.top - (e.clientY - d.y);
        }}
        onPointerUp={() => (drag.current = null)}
        onPointerCancel={() => (drag.current = null)}
        style={{
          height: tall ? 'calc(100vh - 230px)' : 'calc(50vh - 170px)',
          minHeight: 200,
          overflow: 'auto',
          cursor: boxW > pane.w || boxH > pane.h ? 'grab' : 'default',
          background: '#f0f0f0',
          borderRadius: 6,
          display: 'grid',
          placeItems: boxW < pane.w && boxH < pane.h ? 'center' : 'start',
        }}
      >
        {doc && (
          <div style={{ position: 'relative', width: boxW, height: boxH, margin: 8 }}>
            <img
              key={doc.id}
              src={fileUrl(orderId, doc.id)}
              alt={doc.label}
              data-testid="viewer-image"
              data-rotation={rotation}
              draggable={false}
              onLoad={(e) => {
                const img = e.currentTarget;
                setNatural({ w: img.naturalWidth, h: img.naturalHeight });
              }}
              style={{
                position: 'absolute',
                width: w || undefined,
                height: h || undefined,
                left: (boxW - w) / 2,
                top: (boxH - h) / 2,
                transform: `rotate(${rotation}deg)`,
                transformOrigin: 'center',
                maxWidth: 'none',
                background: '#fff',
                boxShadow: '0 1px 4px rgba(0,0,0,.15)',
              }}
            />
          </div>
        )}
      </div>
    </div>
  );
}
