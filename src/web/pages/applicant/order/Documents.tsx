/**
 * 下载模板、法人核验、上传证件: one card per upload slot of the order (what the server lists in `slots`),
 * each with its template to download where there is one, the seeds' notes, the upload control and the
 * thumbnail of what was uploaded; plus the 法人核验 card after the power of attorney. After 资料审核失败
 * each card shows its 预审 verdict: failed ones with the reasons and an upload control, passed ones as
 * 已通过 without one (the server takes replacements only for what failed).
 */
import { useState, type ReactNode } from 'react';
import { App, Button, Image, Progress, Tag, Upload } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { beijing } from './time.js';
import { APPLICATION_DOCUMENTS, SEAL_RULES, UPLOAD_RULES, type DocumentCode } from '../../../../core/content/documents.js';
import { OUT_OF_PROVINCE, type SlotCode } from '../../../../core/requirements.js';
import { adviceFor } from '../../../../core/review-reasons.js';
import { ENDED } from '../../../../core/workflow.js';
import { apiUpload, ApiError } from '../../../api.js';
import { shrinkToFit } from '../../../components/shrinkImage.js';
import { useAction } from '../../../components/useAction.js';
import { LegalCheckCard } from './LegalCheckCard.js';
import { ReuseScan } from './ReuseScan.js';
import { SealSheetCheck } from '../../../components/seal-images/SealSheetCheck.js';
import type {
  DocumentStored,
  DocumentVerdict,
  OrderView,
  ReviewView,
  SlotView,
  UploadedDocument,
} from '../../../../core/orders-schemas.js';

const DOCUMENT_OF: Record<SlotCode, DocumentCode> = {
  'application-form': 'application-form',
  'business-license': 'business-license',
  'agent-id-front': 'agent-id',
  'agent-id-back': 'agent-id',
  'power-of-attorney': 'power-of-attorney',
  'seal-sheet': 'seal-sheet',
  'appointment-letter': 'appointment-letter',
};

const ACCEPT = UPLOAD_RULES.extensions.map((e) => `.${e}`).join(',');
const TYPES = ['image/jpeg', 'image/png', 'image/bmp', 'image/x-ms-bmp', 'image/x-bmp'];
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)}MB`;

/** Formats people try that the server does not take, each with the way to a file it does. */
const HOW_TO: { extensions: string[]; types: string[]; advice: string }[] = [
  {
    extensions: ['heic', 'heif'],
    types: ['image/heic', 'image/heif'],
    advice:
      '是苹果手机的 HEIC 格式照片，不能直接上传。请在手机“设置 › 相机 › 格式”中选择“兼容性最佳”后重新拍照；或在相册中打开照片后截屏，上传截屏图片',
  },
  {
    extensions: ['pdf'],
    types: ['application/pdf'],
    advice: '是 PDF 文件，不能直接上传。请用扫描仪扫描为 JPG 图片；或在电脑上打开 PDF 后截图（或用手机打开后截屏），上传截图',
  },
];

/**
 * The browser's check before sending (the server checks the bytes again): type by name and MIME, then size. A
 * photo over 1 MB is not refused here: `shrink` says the browser re-encodes it to fit (components/shrinkImage.ts).
 */
export function checkUpload(file: { name: string; size: number; type: string }): { problem: string } | { shrink: boolean } {
  const ext = file.name.toLowerCase().split('.').pop() ?? '';
  const how = HOW_TO.find((h) => h.extensions.includes(ext) || h.types.includes(file.type));
  if (how) return { problem: `${file.name}：${how.advice}` };
  if (!(UPLOAD_RULES.extensions as readonly string[]).includes(ext) || (file.type && !TYPES.includes(file.type)))
    return { problem: `${file.name}：只能上传 jpg、jpeg、png、bmp 格式的图片，请用扫描仪扫描后保存为其中一种格式` };
  if (file.size === 0) return { problem: `${file.name}：文件是空的，请重新扫描` };
  return { shrink: file.size > UPLOAD_RULES.maxBytes };
}

/** When the browser could not bring a large file under the limit (not a picture it can read). */
const tooLarge = (file: File) =>
  `${file.name}：文件大小为${mb(file.size)}，超过1MB，浏览器也无法压缩这个文件。请降低扫描分辨率（200–300dpi即可）或压缩后重新上传`;

/** The 预审 round the applicant is answering: the latest one, while the order can be edited again (资料审核失败). */
export function failedReview(view: OrderView): ReviewView | null {
  return view.order.editable && view.review?.decision === 'reject' ? view.review : null;
}

/** A failed document is replaced once the server no longer asks for it again (请重新上传：…). */
export const replaced = (view: OrderView, slot: SlotView) => !view.missing.includes(`请重新上传：${slot.label}`);

/** The reviewer's reasons, each with what to do about it (preset reasons carry advice), and the free-text note. */
export function VerdictReasons({ verdict }: { verdict: DocumentVerdict }) {
  return (
    <>
      {verdict.reasons.map((r) => {
        const advice = adviceFor(r);
        return (
          <div key={r} className="verdict-reason">
            <b>{r}</b>
            {advice && <span>：{advice}</span>}
          </div>
        );
      })}
      {verdict.note && <div className="verdict-note">审核说明：{verdict.note}</div>}
    </>
  );
}

const sizeText = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)}MB` : `${Math.max(1, Math.round(b / 1024))}KB`);

/** Fetches a file (a generated template, the invoice) and hands it to the browser as a download; the server's refusal becomes a message. */
export async function downloadFile(url: string, filename: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? 'NETWORK', body?.error?.message ?? `下载失败（${res.status}），请稍后重试`);
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export function Documents({ view, onChanged, flush }: { view: OrderView; onChanged: () => void; flush: () => Promise<boolean> }) {
  const outOfProvince = view.project.code === OUT_OF_PROVINCE;
  const cards = view.slots.map((slot, i) => (
    <SlotCard key={slot.code} n={i + 1} slot={slot} view={view} outOfProvince={outOfProvince} onChanged={onChanged} flush={flush}>
      {slot.code === 'seal-sheet' && <SealSheetCheck orderId={view.order.id} documentId={slot.uploaded?.id ?? null} />}
      {slot.code === 'business-license' && slot.canUpload && !slot.uploaded && (
        <ReuseScan orderId={view.order.id} slot={slot} onChanged={onChanged} />
      )}
      {slot.code === 'power-of-attorney' && view.legalCheck.required && (
        <div className="slot-legal" id="legal-check" data-testid="slot-legal-check">
          <div className="slot-head">
            <b>法人核验</b>
            {view.legalCheck.status === 'passed' ? <Tag color="success">认证成功</Tag> : <Tag color="warning">未完成</Tag>}
          </div>
          <LegalCheckCard
            orderId={view.order.id}
            check={view.legalCheck}
            legalPersonReady={Boolean(view.order.form.legalPerson?.name?.trim() && view.order.form.legalPerson?.idNumber?.trim())}
            onChange={onChanged}
          />
        </div>
      )}
    </SlotCard>
  ));
  return (
    <div>
      <ul className="upload-rules">
        <li>{UPLOAD_RULES.summary}</li>
        <li data-testid="upload-shrink-note">{UPLOAD_RULES.browserHelp}</li>
        <li>需要模板的资料：先下载模板打印，按要求盖章（签字）后用扫描仪扫描上传；请勿上传手机翻拍照片。</li>
        <li>{SEAL_RULES[0]}</li>
      </ul>
      <div className="slot-grid">{cards}</div>
    </div>
  );
}

function SlotCard({
  n,
  slot,
  view,
  outOfProvince,
  onChanged,
  flush,
  children,
}: {
  children?: ReactNode;
  n: number;
  slot: SlotView;
  view: OrderView;
  outOfProvince: boolean;
  onChanged: () => void;
  flush: () => Promise<boolean>;
}) {
  const { message } = App.useApp();
  const orderId = view.order.id;
  const doc = APPLICATION_DOCUMENTS.find((d) => d.code === DOCUMENT_OF[slot.code]);
  const [uploaded, setUploaded] = useState<UploadedDocument | null>(slot.uploaded);
  const [shownFor, setShownFor] = useState(slot.uploaded);
  const [error, setError] = useState<string | null>(null);
  const { run: runUpload, busy } = useAction();
  /** While busy: 'shrink' while the browser re-encodes a large photo, else the share of the file sent (0–1). */
  const [progress, setProgress] = useState<'shrink' | number | null>(null);
  const { run: runDownload, busy: downloading } = useAction();
  // A newer order view (another upload, a reload) replaces what this card showed.
  if (shownFor !== slot.uploaded) {
    setShownFor(slot.uploaded);
    setUploaded(slot.uploaded);
  }

  const review = failedReview(view);
  const verdict = review?.documents[slot.code];
  const passed = verdict?.verdict === 'pass';
  const failed = verdict?.verdict === 'fail';
  const redone = failed && replaced(view, slot);
  // After a failed review only what failed is uploaded again (the server says which).
  const canUpload = slot.canUpload;
  const isForm = slot.code === 'application-form';
  const stale = isForm && view.applicationFormStale;
  const warnings = (doc?.warnings ?? []).filter((w) => !w.startsWith('只有主锁') && (outOfProvince || !w.includes('外省')));

  const download = async () => {
    if (!slot.template) return;
    const template = slot.template;
    await runDownload(
      async () => {
        setError(null);
        // The template is made from the order: save what was just typed first.
        await flush();
        await downloadFile(`/api/orders/${orderId}/templates/${template}.pdf`, `${slot.label}-${view.order.orderNoDisplay}.pdf`);
        onChanged();
      },
      (e) => setError(e instanceof ApiError ? e.message : '下载失败，请稍后重试'),
    );
  };

  const upload = (original: File, shrink: boolean) =>
    runUpload(
      async () => {
        setError(null);
        try {
          let file = original;
          if (shrink) {
            setProgress('shrink');
            const smaller = await shrinkToFit(original, UPLOAD_RULES.maxBytes);
            if (!smaller) return setError(tooLarge(original));
            file = smaller;
          }
          setProgress(0);
          const fd = new FormData();
          fd.append('file', file);
          const r = await apiUpload<DocumentStored>(`/api/orders/${orderId}/documents/${slot.code}`, fd, setProgress);
          setUploaded(r.document);
          message.success(shrink ? `${slot.label}已上传（照片已自动压缩为${mb(file.size)}）` : `${slot.label}已上传`);
          onChanged();
        } finally {
          setProgress(null);
        }
      },
      // The previous scan stays in place: a refused replacement changes nothing.
      (e) => setError(e instanceof ApiError ? (e.fields.file ?? e.message) : `${original.name}：上传失败，请重试`),
    );

  const base = `/api/orders/${orderId}/documents`;
  return (
    <div
      className={`slot-card${failed && !redone ? ' failed' : uploaded ? ' done' : ''}`}
      id={`slot-${slot.code}`}
      data-testid={`slot-${slot.code}`}
      data-verdict={verdict?.verdict}
    >
      <div className="slot-main">
        <div className="slot-head">
          <span className="slot-n">{n}</span>
          <b>{slot.label}</b>
          {passed ? (
            <Tag color="success" icon={<CheckCircleFilled />} data-testid={`verdict-${slot.code}`}>
              已通过
            </Tag>
          ) : failed ? (
            redone ? (
              <Tag color="processing" icon={<CheckCircleFilled />} data-testid={`verdict-${slot.code}`}>
                已重新上传
              </Tag>
            ) : (
              <Tag color="error" icon={<CloseCircleFilled />} data-testid={`verdict-${slot.code}`}>
                未通过，请重新上传
              </Tag>
            )
          ) : uploaded ? (
            <Tag color="success" icon={<CheckCircleFilled />}>
              已上传
            </Tag>
          ) : (
            <Tag>未上传</Tag>
          )}
        </div>
        {failed && verdict && (
          <div className={redone ? 'slot-verdict replaced' : 'slot-verdict'} data-testid={`slot-reasons-${slot.code}`}>
            <VerdictReasons verdict={verdict} />
            {redone && <div className="muted">已重新上传，提交后由工作人员重新审核。</div>}
          </div>
        )}
        {passed && <div className="muted slot-passed-note">预审已通过，无需重新上传。</div>}
        {stale && (
          <div className="slot-alert" data-testid="application-form-stale">
            <b>{uploaded ? '请重新下载申请表' : '请先下载申请表'}</b>
            {uploaded
              ? '：申请表须是本订单当前信息生成的线上专用表格（单位名称、信用代码、项目、通信地址或经办人信息变更后须重新下载），打印盖章后扫描重新上传。'
              : '：申请表由系统根据本订单自动生成并带有订单编号，打印后加盖单位公章原章，扫描上传。'}
          </div>
        )}
        {!passed && warnings.length > 0 && (
          <div className="doc-notes">
            {warnings.map((w) => (
              <div key={w}>{w}</div>
            ))}
          </div>
        )}
        {doc && !passed && (
          <details className="slot-howto">
            <summary>如何准备</summary>
            <ol>
              {doc.howTo.map((h) => (
                <li key={h}>{h}</li>
              ))}
            </ol>
          </details>
        )}
      </div>
      <div className="slot-side">
        {uploaded ? (
          <div className="slot-thumb">
            <Image
              src={`${base}/${uploaded.id}/thumbnail`}
              preview={{ src: `${base}/${uploaded.id}/file` }}
              alt={`${slot.label}缩略图`}
              width={88}
              height={88}
              data-testid={`thumb-${slot.code}`}
            />
            <div className="slot-file">
              <div className="name" title={uploaded.originalName}>
                {uploaded.originalName}
              </div>
              <div className="muted">
                {sizeText(uploaded.bytes)}
                {uploaded.width && uploaded.height ? ` · ${uploaded.width}×${uploaded.height}` : ''}
              </div>
              <div className="muted">{beijing(uploaded.uploadedAt, 'MM-DD HH:mm')} 上传 · 点击图片放大</div>
            </div>
          </div>
        ) : (
          <div className="slot-empty muted">尚未上传</div>
        )}
        <div className="slot-actions">
          {slot.template && !ENDED.includes(view.order.status) && (
            <Button icon={<DownloadOutlined />} onClick={() => void download()} loading={downloading} data-testid={`template-${slot.code}`}>
              {isForm ? '下载申请表' : '下载模板'}
            </Button>
          )}
          {canUpload && (
            <Upload
              accept={ACCEPT}
              showUploadList={false}
              disabled={busy}
              beforeUpload={(file) => {
                const c = checkUpload(file);
                if ('problem' in c) {
                  setError(c.problem);
                  return Upload.LIST_IGNORE;
                }
                return true;
              }}
              customRequest={({ file }) => {
                const c = checkUpload(file as File);
                if ('shrink' in c) void upload(file as File, c.shrink);
              }}
            >
              <Button
                type={uploaded && !(failed && !redone) ? 'default' : 'primary'}
                icon={<UploadOutlined />}
                loading={busy}
                data-testid={`upload-${slot.code}`}
              >
                {uploaded ? '重新上传' : '上传扫描件'}
              </Button>
            </Upload>
          )}
        </div>
        {progress !== null && (
          <div className="slot-progress" data-testid={`upload-progress-${slot.code}`}>
            {progress === 'shrink' ? (
              <span>照片超过1MB，正在自动压缩…</span>
            ) : (
              <>
                <Progress percent={Math.round(progress * 100)} size="small" status="active" />
                <span>{progress < 1 ? '正在上传…' : '已上传，正在检查图片…'}</span>
              </>
            )}
          </div>
        )}
        {error && (
          <div className="slot-error" role="alert" data-testid={`slot-error-${slot.code}`}>
            {error}
          </div>
        )}
      </div>
      {children}
    </div>
  );
}
