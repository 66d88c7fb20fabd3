import { useCallback, useEffect, useState } from 'react';
import { Form, Input, Space, Tooltip } from 'antd';
import type { CaptchaImage } from '../../core/accounts-schemas.js';
import { apiGet } from '../api.js';

/**
 * The image captcha: a text field plus the picture, click to change. The captcha id travels in a hidden
 * field; `version` changes force a new picture (after every failed submit — the server spends the captcha).
 */
export function CaptchaField({ version }: { version: number }) {
  const form = Form.useFormInstance();
  const [svg, setSvg] = useState<string>();
  const [failed, setFailed] = useState(false);
  const load = useCallback(async () => {
    try {
      const c = await apiGet<CaptchaImage>('/api/captcha');
      form.setFieldsValue({ captchaId: c.captchaId, captchaAnswer: '' });
      setSvg(c.svg);
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, [form]);
  useEffect(() => {
    void load();
  }, [load, version]);
  return (
    <>
      <Form.Item name="captchaId" hidden>
        <Input />
      </Form.Item>
      <Form.Item label="验证码" required>
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item name="captchaAnswer" noStyle rules={[{ required: true, message: '请填写验证码' }]}>
            <Input placeholder="请输入右侧图片中的字符" autoComplete="off" maxLength={6} style={{ flex: 1 }} aria-label="验证码" />
          </Form.Item>
          <Tooltip title="看不清？点击换一张">
            <button type="button" onClick={() => void load()} className="captcha-img" aria-label="换一张验证码">
              {svg ? (
                <img alt="验证码图片" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} />
              ) : failed ? (
                '点击重试'
              ) : (
                '加载中'
              )}
            </button>
          </Tooltip>
        </Space.Compact>
      </Form.Item>
    </>
  );
}
