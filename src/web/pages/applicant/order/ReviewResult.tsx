/**
 * 资料审核失败: what the reviewer said, per document — the failed ones with their reasons, in one list of
 * what to upload again ("只需重新上传以下资料"), and a word that the rest passed and stays as it is.
 */
import { Alert, Button } from 'antd';
import { CheckCircleFilled } from '@ant-design/icons';
import { beijing } from './time.js';
import { adviceFor } from '../../../../core/review-reasons.js';
import { replaced, VerdictReasons } from './Documents.js';
import type { OrderView, ReviewView } from '../../../../core/orders-schemas.js';

const scrollTo = (id: string) => document.getElementById(id)?.scrollIntoView({ behavior: 'smooth', block: 'center' });

export function ReviewResult({ view, review }: { view: OrderView; review: ReviewView }) {
  const failed = view.slots.filter((s) => review.documents[s.code]?.verdict === 'fail');
  const passed = view.slots.filter((s) => review.documents[s.code]?.verdict === 'pass');
  const left = failed.filter((s) => !replaced(view, s)).length;
  return (
    <Alert
      type="error"
      showIcon
      className="review-result"
      data-testid="review-result"
      title={`资料审核失败（${beijing(review.at)}）`}
      description={
        <div className="review-result-body">
          {review.orderReason && (
            <div className="review-order-reason" data-testid="review-order-reason">
              审核意见：{review.orderReason}
              {adviceFor(review.orderReason) && <div className="review-order-advice">{adviceFor(review.orderReason)}</div>}
            </div>
          )}
          {failed.length > 0 && (
            <>
              <div className="review-redo-title">只需重新上传以下资料：</div>
              <ol className="review-redo" data-testid="review-redo">
                {failed.map((s) => {
                  const v = review.documents[s.code]!;
                  const done = replaced(view, s);
                  return (
                    <li key={s.code} className={done ? 'done' : undefined} data-testid={`redo-${s.code}`}>
                      <Button type="link" size="small" className="inline-link" onClick={() => scrollTo(`slot-${s.code}`)}>
                        {s.label}
                      </Button>
                      {done && (
                        <span className="redo-done">
                          <CheckCircleFilled /> 已重新上传
                        </span>
                      )}
                      <div className="review-redo-why">
                        <VerdictReasons verdict={v} />
                      </div>
                    </li>
                  );
                })}
              </ol>
            </>
          )}
          {passed.length > 0 && (
            <div className="muted" data-testid="review-passed-list">
              已通过、无需重新上传：{passed.map((s) => s.label).join('、')}
            </div>
          )}
          <div>
            {failed.length === 0
              ? '请按审核意见修改后点击页面下方的“重新提交”，或删除订单后重新申请。'
              : left > 0
                ? `重新上传${failed.length > 1 ? '以上资料' : '该资料'}后，点击页面下方的“重新提交”；如需修改订单信息，也请一并修改。也可以删除订单后重新申请。`
                : '需重新上传的资料已全部上传，请点击页面下方的“重新提交”，等待工作人员重新审核。'}
          </div>
        </div>
      }
    />
  );
}
