/**
 * Invoice PDFs must be documents, not programs (issue 16). 财务 uploads the PDF the invoicing platform
 * produced; we keep it and mail it to the customer, so a PDF carrying JavaScript, an action run on opening,
 * a program to launch, embedded files, Flash/video or an XFA form would be delivered by us, from our
 * address. Such a file is refused with the reason; a plain invoice passes unchanged (it is never
 * rewritten: the platform's signature over it must stay valid).
 *
 * The file is read two ways, and either finding refuses it:
 *  1. parsed with @cantoo/pdf-lib's parser, which also unpacks compressed object streams (where a PDF 1.5+
 *     keeps most dictionaries), and every object is walked: dictionary keys, name values (an action's /S),
 *     arrays, stream dictionaries, with #xx escapes in names decoded (/J#61vaScript is /JavaScript);
 *  2. scanned as bytes outside stream bodies for the same names (escapes decoded), so an object the parser
 *     skipped or replaced — a duplicate object number, an object it found invalid — is still seen, while
 *     the binary data of fonts and images (where any three bytes can spell "/JS") is not read as names.
 * /OpenAction is refused when it is an action (a dictionary); a destination array only says which page to
 * show first. A file that does not parse to a document with a catalog, or that is encrypted (its object
 * streams could not be read), cannot be checked and is refused too.
 */
import {
  PDFArray,
  PDFDict,
  PDFInvalidObject,
  PDFName,
  PDFParser,
  PDFRef,
  PDFStream,
  type PDFContext,
  type PDFObject,
} from '@cantoo/pdf-lib';

/** Names that make a PDF active, and what to call them in the refusal. */
const ACTIVE: Record<string, string> = {
  JavaScript: 'JavaScript脚本',
  JS: 'JavaScript脚本',
  AA: '打开文件或页面时自动执行的动作',
  OpenAction: '打开文件时自动执行的动作',
  Launch: '启动其他程序的动作',
  EmbeddedFile: '嵌入的文件',
  EmbeddedFiles: '嵌入的文件',
  GoToE: '打开嵌入文件的动作',
  RichMedia: '富媒体内容（Flash、音视频）',
  XFA: 'XFA动态表单',
  SubmitForm: '提交表单数据的动作',
  ImportData: '导入数据的动作',
};

export type PdfCheck =
  { ok: true } | { ok: false; problem: 'active'; name: string; what: string } | { ok: false; problem: 'unreadable' | 'encrypted' };

/** PDF name escapes (ISO 32000-1 §7.3.5): #xx is the byte xx. Applied until stable, so nesting cannot hide a name. */
export function decodeNameEscapes(name: string): string {
  let prev: string;
  let s = name;
  do {
    prev = s;
    s = s.replace(/#([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  } while (s !== prev);
  return s;
}

const active = (rawName: string): PdfCheck | undefined => {
  const name = decodeNameEscapes(rawName.replace(/^\//, ''));
  const what = ACTIVE[name];
  return what && name !== 'OpenAction' ? { ok: false, problem: 'active', name, what } : undefined;
};

const openAction: PdfCheck = { ok: false, problem: 'active', name: 'OpenAction', what: ACTIVE.OpenAction! };

/** Layer 1: every object the parser found (object streams unpacked), walked to the leaves. */
function walkObjects(context: PDFContext): PdfCheck | undefined {
  const seen = new Set<PDFObject>();
  const visit = (obj: PDFObject | undefined): PdfCheck | undefined => {
    if (!obj || seen.has(obj)) return undefined;
    seen.add(obj);
    if (obj instanceof PDFName) return active(obj.asString());
    if (obj instanceof PDFStream) return visit(obj.dict);
    if (obj instanceof PDFArray) {
      for (const item of obj.asArray()) {
        const found = visit(item);
        if (found) return found;
      }
      return undefined;
    }
    if (obj instanceof PDFDict) {
      for (const [key, value] of obj.entries()) {
        const name = decodeNameEscapes(key.asString().slice(1));
        if (name === 'OpenAction') {
          const target = value instanceof PDFRef ? context.lookup(value) : value;
          if (!(target instanceof PDFArray)) return openAction;
        }
        const found = active(name) ?? visit(value);
        if (found) return found;
      }
      return undefined;
    }
    if (obj instanceof PDFInvalidObject) {
      // An object the parser could not read (possibly unpacked from an object stream): its bytes are
      // scanned for names like the file's.
      const bytes = Buffer.alloc(obj.sizeInBytes());
      obj.copyBytesInto(bytes, 0);
      return scanNames(bytes);
    }
    return undefined;
  };
  for (const [, obj] of context.enumerateIndirectObjects()) {
    const found = visit(obj);
    if (found) return found;
  }
  return visit(context.trailerInfo.Root) ?? undefined;
}

/** Name tokens (ISO 32000-1 §7.3.5): a solidus, then regular characters up to a delimiter or white space. */
const NAME = /\/([^\s()<>[\]{}/%]*)(\s*)(<<|\[)?/g;
const STREAM = /stream(?:\r\n|\r|\n)/g;

/** Layer 2: names in the bytes outside stream bodies (each body runs from "stream" to the next "endstream"). */
function scanNames(bytes: Buffer): PdfCheck | undefined {
  const text = bytes.toString('latin1');
  const outside: string[] = [];
  let at = 0;
  STREAM.lastIndex = 0;
  for (let m = STREAM.exec(text); m; m = STREAM.exec(text)) {
    if (text.slice(Math.max(0, m.index - 3), m.index) === 'end') continue; // "endstream" itself
    outside.push(text.slice(at, m.index));
    const end = text.indexOf('endstream', STREAM.lastIndex);
    if (end === -1) {
      at = text.length;
      break;
    }
    at = end + 'endstream'.length;
    STREAM.lastIndex = at;
  }
  outside.push(text.slice(at));
  for (const part of outside) {
    for (const m of part.matchAll(NAME)) {
      const name = decodeNameEscapes(m[1]!);
      // An /OpenAction written as a dictionary is an action; as an array, a destination; as a reference,
      // layer 1 has looked it up.
      if (name === 'OpenAction') {
        if (m[3] === '<<') return openAction;
        continue;
      }
      const found = active(name);
      if (found) return found;
    }
  }
  return undefined;
}

export async function checkPdf(bytes: Buffer): Promise<PdfCheck> {
  const raw = scanNames(bytes);
  if (raw) return raw;
  let context: PDFContext;
  try {
    context = await PDFParser.forBytesWithOptions(new Uint8Array(bytes), 500, false).parseDocument();
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
  if (context.trailerInfo.Encrypt) return { ok: false, problem: 'encrypted' };
  const root = context.trailerInfo.Root ? context.lookup(context.trailerInfo.Root) : undefined;
  if (!(root instanceof PDFDict)) return { ok: false, problem: 'unreadable' };
  return walkObjects(context) ?? { ok: true };
}

/** The refusal shown next to the file field, in Chinese. */
export function pdfRefusal(check: Exclude<PdfCheck, { ok: true }>): string {
  if (check.problem === 'active')
    return `发票PDF含有${check.what}（/${check.name}），不能保存或发送给客户；请从开票平台重新下载原版发票PDF后上传`;
  return check.problem === 'encrypted'
    ? '发票PDF已加密，无法检查其内容；请上传开票平台生成的未加密PDF'
    : '发票PDF已损坏或无法解析；请从开票平台重新下载后上传';
}
