/**
 * How the web build groups library code into chunks (issue 14), used by vite.config.ts.
 *
 * Left alone, the bundler makes one chunk for every distinct set of pages that share a module: the order form
 * then fetched 90 small files, each a round trip on a slow phone network. Here every library module (antd,
 * its rc-components, icons, dayjs…) goes to one chunk named by the AREAS whose pages use it:
 *
 * - phone   法人核验 and the sandbox payer (pages/mobile), opened on a phone from a QR code;
 * - entry   the public site's shell and its login page;
 * - public  the public site's other pages (home, help, offices, register…);
 * - order   the order form (/orders/<id>), where an applicant spends most of the visit;
 * - site    the applicant's other pages behind the login (apply, orders, pay, certificates…);
 * - desk    the staff console's shell and the pages every staff visit starts on: its login, 工作台, 待办队列;
 * - console the console's other pages (an order, the counter, payments, settings, audit…).
 *
 * So the phone pages load React (the boot chunk) + `ui-phone` + their own page, and nothing the staff console
 * or the public site use alone; the login page loads `ui-phone` and `ui-entry` too, and so on. A module used
 * by the phone pages and others is in `ui-phone`, which all the others load as well.
 *
 * Which area uses which library module is read from the module graph. Our pages import antd and the icons
 * from their index modules (`import { Button } from 'antd'`), which re-export everything, and the index is
 * tree-shaken later: followed as written, every page would seem to use all of antd. So an import from an
 * index is followed to the components it names (Button → antd/es/button/index.js), and the index itself is
 * not followed. Application code is left to the bundler: each page is its own chunk, loaded on demand.
 *
 * A page loads the whole of every chunk it uses a module of, so which area comes first decides who pays for
 * what. The console is two areas because as one its pages shared `ui-console`, everything any two console pages
 * use (the date pickers, InputNumber, Switch of payments, audit, settings): the 待办队列 page used 2 KB of its
 * 39 KB. And our own code goes by its own order, with the desk ahead of the order form: the few modules the queue
 * shares with the order form (the workflow, schemas, status names) are in `app-desk` (4 KB, which the applicant
 * pages load too: 1.5 KB and one file more), not in `app-order`, whose 19 KB are otherwise the order form's
 * components, all of which the queue downloaded. Library code keeps the desk after the applicant areas: ahead of
 * them, the queue's own Table and the like would land in a chunk the order form loads (+58 KB). Moving the whole
 * console earlier does not do it either: the order form then loads the console's chunk (439 KB, over its budget)
 * and the queue still needs the applicant chunks (415 KB). Either order keeps chunks free of cycles: what a module
 * imports is used by every area that uses it, so it sits in the same area's chunk or an earlier one.
 * e2e/web-loading.test.ts holds each page's budget from the build.
 */
import path from 'node:path';

/** A page's area, from where its source file lives (the targets of main.tsx's and the areas' lazy imports). */
export type Area = 'phone' | 'entry' | 'order' | 'public' | 'site' | 'desk' | 'console';

const SRC = path.resolve(import.meta.dirname, '..', 'src') + path.sep;
const WEB = `${path.sep}src${path.sep}web${path.sep}`;
/** The public site's shell and its login page, the first page of every clerk's visit. */
const ENTRY_PAGES = /[\\/]src[\\/]web[\\/](PublicSite\.tsx|pages[\\/]applicant[\\/]Login\.tsx)/;
/** The public site's other pages: home, help, offices, downloads, register, forgotten password… */
const PUBLIC_PAGES = /[\\/]src[\\/]web[\\/]pages[\\/](public[\\/]|dev[\\/]|applicant[\\/](Register|ForgotPassword)\.tsx)/;
/** The console's shell and its first pages: the login, 工作台 and 待办队列 (订单查询 is the same module). */
const DESK_PAGES = /[\\/]src[\\/]web[\\/]pages[\\/]staff[\\/](StaffApp|StaffLogin|StaffDashboard|orders[\\/]StaffQueue)\.tsx$/;

export function areaOfPage(id: string): Area {
  if (/[\\/]pages[\\/]mobile[\\/]/.test(id)) return 'phone';
  if (DESK_PAGES.test(id)) return 'desk';
  if (/[\\/]pages[\\/]staff[\\/]/.test(id)) return 'console';
  if (ENTRY_PAGES.test(id)) return 'entry';
  if (PUBLIC_PAGES.test(id)) return 'public';
  if (/[\\/]pages[\\/]applicant[\\/]Order\.tsx$/.test(id)) return 'order';
  return 'site';
}

/** The order in which a library module used by several areas is placed: with the first of its areas in this list. */
const LIBRARY_ORDER: Area[] = ['phone', 'entry', 'order', 'site', 'public', 'desk', 'console'];
/** The same for our own modules (under src/): the console's desk comes before the order form (see above). */
const APP_ORDER: Area[] = ['phone', 'entry', 'desk', 'order', 'site', 'public', 'console'];

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Named imports from a library index, as the compiled module writes them (`import { A, B as C } from "antd"`). */
function namedImports(code: string, from: string): string[] {
  const re = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*["']${from.replace(/[/.]/g, '\\$&')}["']`, 'g');
  const names: string[] = [];
  for (const m of code.matchAll(re))
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)[0]!
        .trim();
      if (name && !name.startsWith('type ')) names.push(name);
    }
  return names;
}

interface ModuleGraph {
  getModuleInfo(id: string): {
    code: string | null;
    importedIds: readonly string[];
    dynamicallyImportedIds: readonly string[];
    dynamicImporters: readonly string[];
  } | null;
}

/** The index modules we follow by name, and where a named export lives. */
function indexTargets(code: string | null, importedIds: readonly string[]): { skip: Set<string>; add: string[] } {
  const skip = new Set<string>();
  const add: string[] = [];
  for (const dep of importedIds) {
    const antd = dep.match(/^(.*[\\/]node_modules[\\/]antd[\\/]es[\\/])index\.js$/);
    if (antd) {
      skip.add(dep);
      for (const name of namedImports(code ?? '', 'antd')) {
        // App → antd/es/app, DatePicker → antd/es/date-picker, QRCode → antd/es/qr-code, theme → antd/es/theme.
        const dir = name === 'QRCode' ? 'qr-code' : kebab(name);
        add.push(`${antd[1]}${dir}${path.sep}index.js`);
      }
    }
    const icons = dep.match(/^(.*[\\/]node_modules[\\/]@ant-design[\\/]icons[\\/]es[\\/])index\.js$/);
    if (icons) {
      skip.add(dep);
      for (const name of namedImports(code ?? '', '@ant-design/icons')) add.push(`${icons[1]}icons${path.sep}${name}.js`);
    }
  }
  return { skip, add };
}

interface Use {
  areas: Set<Area | 'boot'>;
  /** The pages (lazily loaded modules) that use it; more than one: it is shared. */
  pages: Set<string>;
}

/** For every module: the pages that use it (statically) and their areas, walking from each lazily loaded page. */
function usesOfModules(graph: ModuleGraph, entry: string): Map<string, Use> {
  const uses = new Map<string, Use>();
  const roots: [string, Area | 'boot'][] = [[entry, 'boot']];
  const walked = new Set<string>();
  while (roots.length > 0) {
    const [root, area] = roots.pop()!;
    if (walked.has(root)) continue;
    walked.add(root);
    const seen = new Set<string>();
    const stack = [root];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const use = uses.get(id) ?? { areas: new Set(), pages: new Set() };
      use.areas.add(area);
      use.pages.add(root);
      uses.set(id, use);
      const info = graph.getModuleInfo(id);
      if (!info) continue;
      const { skip, add } = indexTargets(info.code, info.importedIds);
      for (const dep of info.importedIds) if (!skip.has(dep)) stack.push(dep);
      for (const dep of add) if (graph.getModuleInfo(dep)) stack.push(dep);
      // A page loaded on demand starts its own walk, in its own area.
      for (const dep of info.dynamicallyImportedIds) if (dep.includes(WEB)) roots.push([dep, areaOfPage(dep)]);
    }
  }
  return uses;
}

/**
 * The `name` function of one rolldown codeSplitting group. A module that pages of several areas share goes
 * to the chunk of the first of them: in LIBRARY_ORDER (`ui-<area>`) for library code, APP_ORDER (`app-<area>`)
 * for ours.
 * The bundler places the rest: what the boot chunk holds (React, the router), what one page alone uses (into
 * that page's chunk), the pages themselves, and the library index modules (empty once tree-shaken).
 */
export function chunkNamer(entry: string) {
  let uses: Map<string, Use> | undefined;
  return (id: string, graph: ModuleGraph): string | null => {
    if (/[\\/]node_modules[\\/](antd|@ant-design[\\/]icons)[\\/]es[\\/]index\.js$/.test(id)) return null;
    // The rule library: forms of nearly every area use it, but no page's first view (the order form imports its
    // rules once it shows). Placed by area it would sit in the first area's chunk that a later area loads anyway
    // (the console's queue downloaded it with the applicant chunks); in a chunk of its own it comes only with the
    // modules that import it.
    if (/[\\/]node_modules[\\/]zod[\\/]/.test(id)) return 'ui-zod';
    uses ??= usesOfModules(graph, entry);
    const use = uses.get(id);
    if (!use || use.areas.has('boot') || use.pages.size < 2) return null;
    // Ours is what lives under src/; everything else is library code, also the helpers the compiler adds
    // (class fields, typeof) that both libraries and our code use. Library code never imports ours, so the
    // ui-* chunks never import an app-* chunk: no cycle between chunks (a cycle can leave an import undefined
    // while its chunk is still being evaluated).
    const library = !id.includes(SRC) || /[\\/]node_modules[\\/]/.test(id);
    // Our page modules stay chunks of their own, loaded when their route is opened. Not other modules imported on
    // demand (the order form's rules, core/order-form.ts): as a chunk of their own they import the area chunk
    // that imports them statically too (a submitted order's cards), a cycle between chunks that leaves an import
    // undefined while the other is still being evaluated ("_ is not a function"). They go with their area.
    if (!library && id.includes(WEB) && (graph.getModuleInfo(id)?.dynamicImporters.length ?? 0) > 0) return null;
    const first = (library ? LIBRARY_ORDER : APP_ORDER).find((a) => use.areas.has(a));
    return first ? `${library ? 'ui' : 'app'}-${first}` : null;
  };
}
