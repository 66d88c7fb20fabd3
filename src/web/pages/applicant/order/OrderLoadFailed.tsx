/**
 * What an applicant's order page (订单详情, 付款) shows when its order would not load and there is nothing
 * older to keep showing: 找不到该订单 for a 404 (another unit's order, or a mistyped link), the page's own
 * failure title otherwise, and the way back to the list. A 401 is not shown here: the pages send it to log in.
 */
import { Link } from 'react-router-dom';
import { Button, Result } from 'antd';
import type { ApiError } from '../../../api.js';

export function OrderLoadFailed({ error, title }: { error: ApiError; title: string }) {
  return (
    <Result
      status={error.status === 404 ? '404' : 'error'}
      title={error.status === 404 ? '找不到该订单' : title}
      // The server's 404 message repeats the title; say instead what usually causes it.
      subTitle={error.status === 404 ? '链接可能有误，或该订单不属于当前登录的单位。' : error.message}
      extra={
        <Link to="/orders">
          <Button type="primary">返回我的订单</Button>
        </Link>
      }
    />
  );
}
