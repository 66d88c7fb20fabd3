/**
 * The materials checklist at the counter: each material ticked when its original is seen (saved at once,
 * useMaterialsAutosave.ts), its scan uploaded or viewed, and what 前台受理 still lacks.
 */
import { Alert, Button, Card, Checkbox } from 'antd';
import { CheckCircleFilled, CloudSyncOutlined, ExclamationCircleFilled, LoadingOutlined, UploadOutlined } from '@ant-design/icons';
import { missingMaterials, type CounterBusiness } from '../../../../core/counter.js';
import type { CounterView } from '../../../../core/counter-response-schemas.js';
import type { MaterialsSave } from './useMaterialsAutosave.js';

export function CounterMaterials({
  v,
  ticked,
  onTick,
  save,
  retry,
  onUpload,
}: {
  v: CounterView;
  ticked: string[];
  onTick: (codes: string[]) => void;
  save: MaterialsSave;
  retry: () => void;
  onUpload: (material: string, file: File) => void;
}) {
  const o = v.order;
  const open = o.status !== 'completed' && o.status !== 'cancelled';
  /** What the ticks on screen still lack (the same rule the server applies to the saved ticks at 前台受理). */
  const missing = missingMaterials(o.business as CounterBusiness, o.keyType, ticked);
  return (
    <Card size="small" title="资料清单（现场核对原件）" data-testid="counter-materials">
      <Checkbox.Group value={ticked} onChange={(x) => onTick(x as string[])} disabled={!open} style={{ display: 'grid', gap: 8 }}>
        {v.materials.map((m) => (
          <div key={m.code} style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
            <Checkbox value={m.code} data-testid={`material-${m.code}`}>
              {m.label}
            </Checkbox>
            {m.scan && (
              <a
                href={`/api/staff/counter/orders/${o.id}/scans/${m.scan.id}/file`}
                target="_blank"
                rel="noreferrer"
                data-testid={`scan-${m.code}`}
              >
                查看扫描件
              </a>
            )}
            {open && <ScanInput code={m.code} replacing={!!m.scan} onFile={(file) => onUpload(m.code, file)} />}
          </div>
        ))}
      </Checkbox.Group>
      {open && (
        <div style={{ marginTop: 8 }}>
          <MaterialsSaveStatus save={save} retry={retry} />
        </div>
      )}
      {missing.length > 0 && o.status === 'submitted' && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          message={`前台受理前尚缺：${missing.join('；')}`}
          data-testid="materials-missing"
        />
      )}
    </Card>
  );
}

function ScanInput({ code, replacing, onFile }: { code: string; replacing: boolean; onFile: (file: File) => void }) {
  return (
    <label style={{ cursor: 'pointer', color: '#595959' }}>
      <UploadOutlined /> {replacing ? '重新上传' : '上传扫描件'}
      <input
        type="file"
        accept=".jpg,.jpeg,.png,.bmp,image/jpeg,image/png,image/bmp"
        style={{ display: 'none' }}
        data-testid={`scan-input-${code}`}
        onChange={(ev) => {
          const file = ev.target.files?.[0];
          ev.target.value = '';
          if (file) onFile(file);
        }}
      />
    </label>
  );
}

const SAVE_COLOR = { muted: '#595959', saved: '#389e0d', failed: '#cf1322' };

/** Whether the ticks are saved: each tick saves at once; a failure keeps the ticks and offers 重试. */
function MaterialsSaveStatus({ save, retry }: { save: MaterialsSave; retry: () => void }) {
  switch (save.kind) {
    case 'idle':
      return (
        <span style={{ color: SAVE_COLOR.muted }} data-testid="materials-save-state">
          <CloudSyncOutlined /> 勾选即保存
        </span>
      );
    case 'saving':
      return (
        <span style={{ color: SAVE_COLOR.muted }} data-testid="materials-save-state">
          <LoadingOutlined /> 保存中…
        </span>
      );
    case 'saved':
      return (
        <span style={{ color: SAVE_COLOR.saved }} data-testid="materials-save-state">
          <CheckCircleFilled /> 已保存
        </span>
      );
    case 'failed':
      return (
        <span style={{ color: SAVE_COLOR.failed }} data-testid="materials-save-state" role="alert">
          <ExclamationCircleFilled /> 保存失败：{save.message}
          <Button type="link" onClick={retry} data-testid="materials-retry" style={{ paddingInline: 8 }}>
            重试
          </Button>
        </span>
      );
  }
}
