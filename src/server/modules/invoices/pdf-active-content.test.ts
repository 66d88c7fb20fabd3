import { PDFDocument, PDFName, PDFString, StandardFonts, type PDFDict, type PDFObject } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import { checkPdf, decodeNameEscapes, pdfRefusal } from './pdf-active-content.js';

/** A one-page invoice-like PDF made with pdf-lib; `dress` adds whatever the case needs before saving. */
async function invoice(
  dress: (doc: PDFDocument) => void | Promise<void> = () => {},
  opts: { useObjectStreams?: boolean } = {},
): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 420]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Invoice No. 26362000000012345678  Total 300.00', { x: 40, y: 360, size: 12, font });
  await dress(doc);
  return Buffer.from(await doc.save({ useObjectStreams: opts.useObjectStreams ?? true }));
}

const dict = (doc: PDFDocument, entries: Record<string, PDFObject>): PDFDict => doc.context.obj(entries as never) as unknown as PDFDict;
const js = (doc: PDFDocument) => dict(doc, { Type: PDFName.of('Action'), S: PDFName.of('JavaScript'), JS: PDFString.of('app.alert(1)') });
/**
 * A link annotation on the first page whose action (an indirect object: in an object stream when those are
 * on) is `action`: clicking runs it, and nothing else in the file is flagged.
 */
const linkWith = (doc: PDFDocument, action: PDFDict) =>
  doc.getPage(0).node.set(
    PDFName.of('Annots'),
    doc.context.obj([
      dict(doc, {
        Type: PDFName.of('Annot'),
        Subtype: PDFName.of('Link'),
        Rect: doc.context.obj([0, 0, 100, 20]),
        A: doc.context.register(action),
      }),
    ]),
  );
const catalogSet = (doc: PDFDocument, key: string, value: PDFObject) => doc.catalog.set(PDFName.of(key), value);

type Dress = (doc: PDFDocument) => void | Promise<void>;
const CASES: [string, Dress, string][] = [
  ['/OpenAction running JavaScript', (d) => catalogSet(d, 'OpenAction', d.context.register(js(d))), 'JavaScript|OpenAction'],
  ['a link running JavaScript', (d) => linkWith(d, js(d)), 'JavaScript|JS'],
  [
    '/OpenAction as a URI action (no script at all)',
    (d) => catalogSet(d, 'OpenAction', dict(d, { S: PDFName.of('URI'), URI: PDFString.of('http://evil.example/') })),
    'OpenAction',
  ],
  [
    '/Names /JavaScript name tree',
    (d) =>
      catalogSet(d, 'Names', dict(d, { JavaScript: dict(d, { Names: d.context.obj([PDFString.of('x'), d.context.register(js(d))]) }) })),
    'JavaScript',
  ],
  ['/AA on a page (additional actions)', (d) => d.getPage(0).node.set(PDFName.of('AA'), dict(d, { O: d.context.register(js(d)) })), 'AA'],
  ['/Launch action', (d) => linkWith(d, dict(d, { S: PDFName.of('Launch'), F: PDFString.of('cmd.exe') })), 'Launch'],
  [
    'an embedded file (attach)',
    (d) => d.attach(Buffer.from('MZ not really'), 'invoice.exe', { mimeType: 'application/octet-stream' }),
    'EmbeddedFiles?',
  ],
  [
    '/RichMedia annotation',
    (d) =>
      d
        .getPage(0)
        .node.set(PDFName.of('Annots'), d.context.obj([dict(d, { Type: PDFName.of('Annot'), Subtype: PDFName.of('RichMedia') })])),
    'RichMedia',
  ],
  ['/XFA form', (d) => catalogSet(d, 'AcroForm', dict(d, { Fields: d.context.obj([]), XFA: PDFString.of('<xdp:xdp/>') })), 'XFA'],
  [
    '/SubmitForm action',
    (d) => linkWith(d, dict(d, { S: PDFName.of('SubmitForm'), F: PDFString.of('http://evil.example/') })),
    'SubmitForm',
  ],
];

describe('invoice PDFs with active content are refused', () => {
  it('a clean invoice PDF passes, with and without object streams, and so does a destination /OpenAction', async () => {
    expect(await checkPdf(await invoice())).toEqual({ ok: true });
    expect(await checkPdf(await invoice(undefined, { useObjectStreams: false }))).toEqual({ ok: true });
    const goTo = await invoice((d) => catalogSet(d, 'OpenAction', d.context.obj([d.getPage(0).ref, PDFName.of('Fit')])));
    expect(await checkPdf(goTo)).toEqual({ ok: true });
  });

  it.each(CASES.flatMap(([label, dress, name]) => [true, false].map((streams) => [label, streams, dress, name] as const)))(
    '%s (object streams: %s)',
    async (_label, useObjectStreams, dress, name) => {
      const pdf = await invoice(dress, { useObjectStreams });
      const check = await checkPdf(pdf);
      expect(check).toMatchObject({ ok: false, problem: 'active' });
      expect(pdfRefusal(check as Exclude<typeof check, { ok: true }>)).toMatch(
        new RegExp(`^发票PDF含有.+（/(${name})），不能保存或发送给客户；请从开票平台重新下载原版发票PDF后上传$`),
      );
    },
  );

  it('inside a compressed object stream the names are not in the bytes: the parse finds them', async () => {
    const pdf = await invoice((d) => linkWith(d, js(d)));
    expect(pdf.includes('/JavaScript')).toBe(false);
    expect(pdf.includes('/JS')).toBe(false);
    expect(await checkPdf(pdf)).toMatchObject({ ok: false, problem: 'active' });
  });

  // pdf-lib writes names unescaped, so the escaped spellings are put into the bytes by hand (the parser
  // does not need the xref offsets this shifts).
  it.each([
    ['an action /S /J#61vaScript', 'action', '/JavaScript', '/J#61vaScript'],
    ['a key /#4A#53', 'key', '/JS ', '/#4A#53 '],
    ['/Open#41ction with a URI action', 'open', '/OpenAction', '/Open#41ction'],
  ])('an escaped name (%s) is the name it spells', async (_label, where, from, to) => {
    const plain = await invoice(
      (d) => {
        if (where === 'open') catalogSet(d, 'OpenAction', dict(d, { S: PDFName.of('URI'), URI: PDFString.of('http://evil.example/') }));
        else if (where === 'action') linkWith(d, dict(d, { S: PDFName.of('JavaScript') }));
        else d.getPage(0).node.set(PDFName.of('JS'), PDFString.of('app.alert(1)'));
      },
      { useObjectStreams: false },
    );
    const text = plain.toString('latin1');
    expect(text).toContain(from);
    const pdf = Buffer.from(text.split(from).join(to), 'latin1');
    // Only the escaped spelling is left of any active name.
    for (const n of ['/JavaScript', '/JS', '/OpenAction']) expect(pdf.toString('latin1')).not.toContain(n);
    expect(await checkPdf(pdf)).toMatchObject({ ok: false, problem: 'active' });
  });

  it('an object hidden from the parser (same number defined again later) is still seen in the bytes', async () => {
    const clean = await invoice(undefined, { useObjectStreams: false });
    // An extra revision-like object after the document with a JavaScript action; pdf-lib keeps the last
    // definition of an object number, a viewer follows the xref.
    const hidden = Buffer.concat([clean, Buffer.from('\n999 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n', 'latin1')]);
    expect(await checkPdf(hidden)).toMatchObject({ ok: false, name: 'JavaScript' });
  });

  it('binary stream data that happens to spell a name is not a name', async () => {
    const pdf = await invoice(
      async (d) => {
        const stream = d.context.stream(Buffer.from('BT /JavaScript /JS /AA /Launch ET', 'latin1'));
        d.catalog.set(PDFName.of('PieceInfo'), d.context.register(stream));
      },
      { useObjectStreams: false },
    );
    expect(await checkPdf(pdf)).toEqual({ ok: true });
  });

  it('refuses what cannot be checked: not a document, or encrypted', async () => {
    const junk = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x41), Buffer.from('\n%%EOF\n')]);
    expect(await checkPdf(junk)).toEqual({ ok: false, problem: 'unreadable' });
    expect(pdfRefusal({ ok: false, problem: 'unreadable' })).toBe('发票PDF已损坏或无法解析；请从开票平台重新下载后上传');
    const doc = await PDFDocument.create();
    doc.addPage();
    doc.encrypt({ userPassword: '', ownerPassword: 'owner' });
    expect(await checkPdf(Buffer.from(await doc.save()))).toEqual({ ok: false, problem: 'encrypted' });
  });

  it.each([
    ['J#61vaScript', 'JavaScript'],
    ['#4A#53', 'JS'],
    ['Open#41ction', 'OpenAction'],
    ['J#2361vaScript', 'JavaScript'],
    ['Plain', 'Plain'],
  ])('decodeNameEscapes(%s) = %s', (input, out) => {
    expect(decodeNameEscapes(input)).toBe(out);
  });
});
