/**
 * 提交 and 删除订单: the buttons come from the order's `actions` (the workflow table on the server); the
 * submit button is enabled only when the server's `missing` list is empty, and otherwise lists it. (The
 * status and what to do next are in the page header.)
 */
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, App, Button, Space } from 'antd';
import { DeleteOutlined, SendOutlined } from '@ant-design/icons';
import { apiPost, ApiError } from '../../../api.js';
import { useAction } from '../../../components/useAction.js';
import type { OrderView } from '../../../../core/orders-schemas.js';

export function SubmitPanel({
  view,
  onView,
  flush,
  revealForm,
}: {
  view: OrderView;
  onView: (v: OrderView) => void;
  flush: () => Promise<boolean>;
  revealForm: () => void;
}) {
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const { run, busy } = useAction();
  const [error, setError] = useState<string | null>(null);
  const submit = view.actions.find((a) => a.action === 'submit' || a.action === 'resubmit');
  const del = view.actions.find((a) => a.action === 'delete');

  const doSubmit = async () => {
    if (!submit) return;
    await run(
      async () => {
        setError(null);
        if (!(await flush())) {
          setError('订单信息还没有保存成功，请查看“填写订单信息”中的提示后再提交');
          return;
        }
        const v = await apiPost<OrderView>(`/api/orders/${view.order.id}/submit`, {});
        onView(v);
        message.success(`已提交，订单状态：${v.order.statusLabel}`);
      },
      (e) => setError(e instanceof ApiError ? e.message : '系统繁忙，请稍后再试'),
    );
  };

  const confirmDelete = () => {
    if (!del) return;
    modal.confirm({
      title: '确定删除这个订单吗？',
      content: (
        <div>
          <p>删除后订单不能恢复，也不再显示在“我的订单”中，但系统仍会保留记录。</p>
          <p style={{ marginBottom: 0 }}>本订单法人授权委托书上的二维码将随即失效。如需重新申请，须重新下载模板并再次进行法人核验。</p>
        </div>
      ),
      okText: del.label,
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        try {
          await apiPost(`/api/orders/${view.order.id}/delete`, {});
          message.success('订单已删除');
          navigate('/orders');
        } catch (e) {
          setError(e instanceof ApiError ? e.message : '系统繁忙，请稍后再试');
        }
      },
    });
  };

  /** Where on the page each missing item is dealt with. */
  const targetOf = (m: string): (() => void) | null => {
    if (m.startsWith('订单信息')) return revealForm;
    let id: string | null = null;
    if (m.includes('法人核验')) id = 'legal-check';
    else if (m.includes('申请表') && m.includes('下载')) id = 'slot-application-form';
    else {
      // 请上传… before the first submission; 请重新上传：… for what failed 预审.
      const slot = view.slots.find((s) => m === `请上传${s.label}` || (m.startsWith('请重新上传') && m.endsWith(s.label)));
      if (slot) id = `slot-${slot.code}`;
    }
    const target = id;
    return target ? () => document.getElementById(target)?.scrollIntoView({ behavior: 'smooth', block: 'center' }) : null;
  };
  return (
    <div className="submit-panel" data-testid="submit-panel">
      {submit && view.missing.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title="还不能提交，请先完成以下事项："
          description={
            <ul className="missing-list" data-testid="missing-list">
              {view.missing.map((m) => {
                const go = targetOf(m);
                return (
                  <li key={m}>
                    {go ? (
                      <Button type="link" size="small" className="inline-link" onClick={go}>
                        {m}
                      </Button>
                    ) : (
                      m
                    )}
                  </li>
                );
              })}
            </ul>
          }
        />
      )}
      {submit && view.missing.length === 0 && (
        <Alert
          type="success"
          showIcon
          title="资料已齐全，可以提交"
          description="提交后订单状态变为“正在审核”，订单信息和资料不能再修改。审核结果会以短信发送到经办人手机。"
        />
      )}
      {error && <Alert type="error" showIcon title={error} data-testid="submit-error" />}
      {(submit || del) && (
        <Space wrap className="submit-actions">
          {submit && (
            <Button
              type="primary"
              size="large"
              icon={<SendOutlined />}
              disabled={view.missing.length > 0}
              loading={busy}
              onClick={() => void doSubmit()}
              data-testid="submit-order"
            >
              {submit.label}
            </Button>
          )}
          {del && (
            <Button danger icon={<DeleteOutlined />} onClick={confirmDelete} data-testid="delete-order">
              {del.label}
            </Button>
          )}
        </Space>
      )}
    </div>
  );
}
