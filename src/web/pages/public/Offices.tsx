import { Link } from 'react-router-dom';
import { Alert, Button, Tag, Typography } from 'antd';
import { EnvironmentOutlined, FileTextOutlined, PhoneOutlined } from '@ant-design/icons';
import { OFFICES, ON_SITE_COMMON_MATERIALS, ON_SITE_FLOW, ON_SITE_MATERIALS, type Office } from '../../../core/content/offices.js';
import { FlowList, HotlineLink, SectionTitle } from './parts.js';

const CITIES = new Set(OFFICES.map((o) => o.city)).size;

function OfficeCard({ o }: { o: Office }) {
  return (
    <article className="office-card" data-testid={`office-${o.code}`}>
      <h3>
        <Tag color="red">{o.city}</Tag>
        <span>{o.name}</span>
      </h3>
      <div className="line">
        <EnvironmentOutlined />
        <Typography.Text copyable={{ text: o.address }}>{o.address}</Typography.Text>
      </div>
      <div className="line">
        <PhoneOutlined />
        <span className="phones">
          {o.phones.map((p) => (
            <a key={p.tel} className="tel" href={`tel:${p.tel}`}>
              {p.display}
            </a>
          ))}
        </span>
      </div>
    </article>
  );
}

export function OfficesPage() {
  return (
    <div className="pub">
      <div>
        <h1 style={{ fontSize: 26, margin: '0 0 6px' }}>现场办理</h1>
        <p className="pub-lead" style={{ margin: 0 }}>
          我司在全省{CITIES}个设区市设有{OFFICES.length}
          个证书业务受理点。新办、补办、变更、续费以及换卡、解锁、吊销等业务均可到现场办理，现场办理时效性更强，着急使用证书的单位建议到现场办理。
        </p>
        <div className="quick-links">
          <Button href="#office-list" icon={<EnvironmentOutlined />}>
            受理点地址和电话
          </Button>
          <Button href="#materials" icon={<FileTextOutlined />}>
            需要带哪些资料
          </Button>
        </div>
      </div>

      <section>
        <SectionTitle lead="新办、补办、变更的现场办理流程相同：">现场办理流程</SectionTitle>
        <FlowList steps={ON_SITE_FLOW} compact />
      </section>

      <section id="materials" className="anchor-target">
        <SectionTitle lead="以下为已办理三证合一的企业须提交的资料。">所需资料</SectionTitle>
        <div className="pub-grid-2">
          {ON_SITE_MATERIALS.map((m) => (
            <div className="materials-card" key={m.business} data-testid={`materials-${m.business}`}>
              <h3>
                <Tag color="red" style={{ fontSize: 14, margin: 0 }}>
                  {m.label}
                </Tag>
                <span>{m.label}证书</span>
              </h3>
              <p className="summary">{m.summary}</p>
              <ol className="pub-list">
                {m.items.map((it) => (
                  <li key={it} className={ON_SITE_COMMON_MATERIALS.includes(it) || m.business === 'renew' ? undefined : 'extra'}>
                    {it}
                  </li>
                ))}
              </ol>
              {m.alternative && (
                <>
                  <p style={{ margin: '10px 0 4px', fontWeight: 500 }}>{m.alternative.when}</p>
                  <ol className="pub-list">
                    {m.alternative.items.map((it) => (
                      <li key={it}>{it}</li>
                    ))}
                  </ol>
                </>
              )}
            </div>
          ))}
        </div>
      </section>

      <section id="office-list" className="anchor-target">
        <SectionTitle lead="前往办理前，可先致电受理点咨询。点击电话号码可直接拨打。">全省受理点</SectionTitle>
        <div className="pub-grid" data-testid="office-list">
          {OFFICES.map((o) => (
            <OfficeCard key={o.code} o={o} />
          ))}
        </div>
      </section>

      <Alert
        type="info"
        showIcon
        title="已取得统一社会信用代码的单位，也可在线新制证书"
        description={
          <>
            <div style={{ marginBottom: 8 }}>
              在线申请无需到现场，但仍须邮寄纸质资料，纸质资料合格后约2个工作日制证并顺丰到付寄回。客服热线：
              <HotlineLink />
            </div>
            <Link to="/help">
              <Button size="small">查看在线办理帮助手册</Button>
            </Link>
          </>
        }
      />
    </div>
  );
}
