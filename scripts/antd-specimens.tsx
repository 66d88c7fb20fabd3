/**
 * One rendering of each antd component our pages import, for the build step that writes antd's styles ahead
 * of time (scripts/antd-styles.ts, issue 14). antd makes a component's CSS when the component renders, so a
 * specimen only needs to render the component and the parts of it our pages show (a Form.Item with its label
 * grid, a Table with a row and its pagination, Input's password and text-area forms…): the CSS of a component
 * does not depend on its props. A part missing here is no fault, only slower: the page then makes that CSS in
 * the browser, as it did before.
 *
 * Rendered on the server (react-dom/server), so nothing here may need a DOM; popups (Modal, Drawer, Tooltip's
 * bubble) register their CSS when their component renders, open or not.
 */
import type { ComponentType, ReactElement, ReactNode } from 'react';
import * as antdModule from 'antd';

type Antd = Record<string, unknown>;
// antd loads as CommonJS under Node: its exports may sit on the namespace or on its default export.
const antd = antdModule as unknown as Antd & { default?: Antd };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- specimens render whatever antd exports, with the props each needs
type Any = ComponentType<any> & Record<string, any>;
const c = (name: string): Any => (antd[name] ?? antd.default?.[name]) as Any;

const items = [
  { key: 'a', label: '甲', title: '甲', children: '内容' },
  { key: 'b', label: '乙', title: '乙', children: '内容' },
];
/** Menu items (a `children` there is a submenu). */
const menuItems = [
  { key: 'a', label: '甲' },
  { key: 'b', label: '乙', children: [{ key: 'c', label: '丙' }] },
];

/** Specimens by antd export name; a name without one is rendered with no props (see specimensFor). */
const SPECIMENS: Record<string, () => ReactNode> = {
  Alert: () => {
    const Alert = c('Alert');
    return <Alert type="warning" showIcon title="提示" description="说明" closable />;
  },
  Anchor: () => {
    const Anchor = c('Anchor');
    return <Anchor items={[{ key: 'a', href: '#a', title: '甲' }]} />;
  },
  App: () => {
    const App = c('App');
    return <App>内容</App>;
  },
  AutoComplete: () => {
    const AutoComplete = c('AutoComplete');
    return <AutoComplete options={[{ value: '甲' }]} />;
  },
  Badge: () => {
    const Badge = c('Badge');
    return (
      <>
        <Badge count={5}>
          <span>甲</span>
        </Badge>
        <Badge status="success" text="正常" />
      </>
    );
  },
  Breadcrumb: () => {
    const Breadcrumb = c('Breadcrumb');
    return <Breadcrumb items={[{ title: '首页' }, { title: '订单' }]} />;
  },
  Button: () => {
    const Button = c('Button');
    return (
      <Button type="primary" icon={<span />}>
        确定
      </Button>
    );
  },
  Card: () => {
    const Card = c('Card');
    return (
      <Card title="标题" extra="更多" size="small">
        <Card.Meta title="甲" description="乙" />
      </Card>
    );
  },
  Checkbox: () => {
    const Checkbox = c('Checkbox');
    return <Checkbox.Group options={['甲', '乙']} />;
  },
  Col: () => {
    const [Row, Col] = [c('Row'), c('Col')];
    return (
      <Row gutter={16}>
        <Col xs={24} md={12}>
          甲
        </Col>
      </Row>
    );
  },
  DatePicker: () => {
    const DatePicker = c('DatePicker');
    return (
      <>
        <DatePicker />
        <DatePicker.RangePicker />
      </>
    );
  },
  Descriptions: () => {
    const Descriptions = c('Descriptions');
    return <Descriptions bordered title="标题" items={items} />;
  },
  Drawer: () => {
    const Drawer = c('Drawer');
    return <Drawer open={false} />;
  },
  Dropdown: () => {
    const Dropdown = c('Dropdown');
    return (
      <Dropdown menu={{ items: menuItems }}>
        <span>更多</span>
      </Dropdown>
    );
  },
  Empty: () => {
    const Empty = c('Empty');
    return (
      <>
        <Empty />
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      </>
    );
  },
  FloatButton: () => {
    const FloatButton = c('FloatButton');
    return (
      <>
        <FloatButton />
        <FloatButton.BackTop visibilityHeight={0} />
      </>
    );
  },
  Form: () => {
    const [Form, Input] = [c('Form'), c('Input')];
    return (
      <Form layout="vertical">
        <Form.Item label="名称" name="a" required help="说明" extra="补充" validateStatus="error" hasFeedback>
          <Input />
        </Form.Item>
        <Form.Item label="名称" name="b" labelCol={{ span: 6 }} wrapperCol={{ span: 18 }}>
          <Input />
        </Form.Item>
      </Form>
    );
  },
  Image: () => {
    const Image = c('Image');
    return <Image src="data:," alt="" width={10} />;
  },
  Input: () => {
    const Input = c('Input');
    return (
      <>
        <Input allowClear prefix={<span />} addonAfter="元" />
        <Input.Password />
        <Input.TextArea autoSize showCount maxLength={10} />
        <Input.Search />
      </>
    );
  },
  InputNumber: () => {
    const InputNumber = c('InputNumber');
    return <InputNumber />;
  },
  Layout: () => {
    const Layout = c('Layout');
    return (
      <Layout>
        <Layout.Header />
        <Layout.Sider />
        <Layout.Content />
        <Layout.Footer />
      </Layout>
    );
  },
  List: () => {
    const List = c('List');
    return <List dataSource={['甲']} renderItem={(x: string) => <List.Item>{x}</List.Item>} />;
  },
  Menu: () => {
    const Menu = c('Menu');
    return <Menu mode="inline" items={menuItems} />;
  },
  Modal: () => {
    const Modal = c('Modal');
    return <Modal open={false} />;
  },
  Popconfirm: () => {
    const Popconfirm = c('Popconfirm');
    return (
      <Popconfirm title="确定？">
        <span>删除</span>
      </Popconfirm>
    );
  },
  Progress: () => {
    const Progress = c('Progress');
    return <Progress percent={50} />;
  },
  Radio: () => {
    const Radio = c('Radio');
    return (
      <>
        <Radio.Group options={['甲', '乙']} />
        <Radio.Group optionType="button" options={['甲', '乙']} />
      </>
    );
  },
  Result: () => {
    const Result = c('Result');
    return <Result status="success" title="完成" subTitle="说明" extra="操作" />;
  },
  Row: () => SPECIMENS.Col!(),
  Segmented: () => {
    const Segmented = c('Segmented');
    return <Segmented options={['甲', '乙']} />;
  },
  Select: () => {
    const Select = c('Select');
    return <Select options={[{ value: 'a', label: '甲' }]} />;
  },
  Skeleton: () => {
    const Skeleton = c('Skeleton');
    return (
      <>
        <Skeleton active />
        <Skeleton.Button />
        <Skeleton.Input />
      </>
    );
  },
  Slider: () => {
    const Slider = c('Slider');
    return <Slider />;
  },
  Space: () => {
    const Space = c('Space');
    return (
      <>
        <Space wrap>甲</Space>
        <Space.Compact>甲</Space.Compact>
      </>
    );
  },
  Spin: () => {
    const Spin = c('Spin');
    return <Spin spinning />;
  },
  Statistic: () => {
    const Statistic = c('Statistic');
    return <Statistic title="甲" value={1} />;
  },
  Steps: () => {
    const Steps = c('Steps');
    return <Steps current={1} items={items} />;
  },
  Switch: () => {
    const Switch = c('Switch');
    return <Switch />;
  },
  Table: () => {
    const Table = c('Table');
    const columns = [{ title: '甲', dataIndex: 'a', key: 'a' }];
    return (
      <>
        <Table size="small" columns={columns} dataSource={[{ key: 1, a: '甲' }]} pagination={{ total: 100 }} />
        <Table columns={columns} dataSource={[]} loading />
      </>
    );
  },
  Tabs: () => {
    const Tabs = c('Tabs');
    return <Tabs items={items} />;
  },
  Tag: () => {
    const Tag = c('Tag');
    // A preset colour (blue, red…) and a status colour (success, error…) each bring their own CSS.
    return (
      <>
        <Tag color="blue" icon={<span />}>
          甲
        </Tag>
        <Tag color="success">乙</Tag>
      </>
    );
  },
  Timeline: () => {
    const Timeline = c('Timeline');
    return <Timeline items={items} />;
  },
  Tooltip: () => {
    const Tooltip = c('Tooltip');
    return (
      <Tooltip title="提示">
        <span>甲</span>
      </Tooltip>
    );
  },
  Typography: () => {
    const Typography = c('Typography');
    return (
      <Typography>
        <Typography.Title level={4}>甲</Typography.Title>
        <Typography.Paragraph copyable>乙</Typography.Paragraph>
        <Typography.Text type="secondary">丙</Typography.Text>
        <Typography.Link href="#a">丁</Typography.Link>
      </Typography>
    );
  },
  Upload: () => {
    const Upload = c('Upload');
    return (
      <>
        <Upload>
          <span>上传</span>
        </Upload>
        <Upload.Dragger>拖入</Upload.Dragger>
      </>
    );
  },
};

/** Exports that draw nothing (hooks, functions, the theme object) or are the wrapper itself. */
const NOT_DRAWN = new Set(['ConfigProvider', 'Grid', 'message', 'notification', 'theme', 'version']);

/**
 * The specimens for a set of antd export names, in the given order, and the names that have no specimen (they
 * are rendered with no props, which may draw less than a page does: the build prints them so one is added).
 */
export function specimensFor(names: readonly string[]): { elements: [string, ReactElement][]; unknown: string[] } {
  const elements: [string, ReactElement][] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if (NOT_DRAWN.has(name)) continue;
    const specimen = SPECIMENS[name];
    if (specimen) {
      elements.push([name, <>{specimen()}</>]);
      continue;
    }
    const Component = c(name);
    if (typeof Component !== 'function' && !(Component as { $$typeof?: unknown } | undefined)?.$$typeof) continue;
    unknown.push(name);
    elements.push([name, <Component />]);
  }
  return { elements, unknown };
}
