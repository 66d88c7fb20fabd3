import { Link } from 'react-router-dom';
import { Button, FloatButton } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { AGREEMENT, CIRCLED } from '../../../core/content/agreement.js';
import './public.css';

export function AgreementPage() {
  return (
    <div className="pub">
      <div className="agreement-bar no-print">
        <span className="muted" style={{ fontSize: 13 }}>
          在线申请证书时，须在“新制申请”中阅读并勾选同意本协议。<Link to="/help#apply">查看申请步骤</Link>
        </span>
        <Button icon={<PrinterOutlined />} onClick={() => window.print()}>
          打印协议
        </Button>
      </div>
      <article className="agreement-doc" data-testid="agreement">
        <h1>{AGREEMENT.title}</h1>
        <div className="preamble">
          {AGREEMENT.preamble.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
        {AGREEMENT.sections.map((s) => (
          <section key={s.heading}>
            <h2>{s.heading}</h2>
            <ol className="clauses">
              {s.clauses.map((c, i) => (
                <li key={c.text}>
                  <span>{i + 1}、</span>
                  <div>
                    {c.text}
                    {c.items && (
                      <ol className="items">
                        {c.items.map((it, j) => (
                          <li key={it}>
                            <span>{CIRCLED[j]}</span>
                            <span>{it}</span>
                          </li>
                        ))}
                      </ol>
                    )}
                  </div>
                </li>
              ))}
            </ol>
          </section>
        ))}
      </article>
      <FloatButton.BackTop className="no-print" visibilityHeight={800} />
    </div>
  );
}
