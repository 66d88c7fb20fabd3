/**
 * The uploaded file's own name, kept only as text to show (「已上传：身份证正面.jpg」) and to name the file in
 * error messages. Files are stored and served under names the server chooses, so this never reaches a
 * path, a header or a query; it is still cleaned so it shows as the user typed it and nothing more: no
 * folders, no control or invisible formatting characters (a right-to-left override can make
 * "gpj.exe" look like "exe.jpg"), at most 100 characters with the extension kept.
 */
export const DISPLAY_NAME_MAX = 100;

export function displayName(raw: string | undefined | null): string {
  let s = (raw ?? '').normalize('NFC');
  s = s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);
  s = s
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = [...s];
  if (chars.length > DISPLAY_NAME_MAX) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? [...s.slice(dot)] : [];
    s = `${chars.slice(0, DISPLAY_NAME_MAX - 1 - ext.length).join('')}…${ext.join('')}`;
  }
  return s || '未命名文件';
}
