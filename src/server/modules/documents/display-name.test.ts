import { describe, expect, it } from 'vitest';
import { DISPLAY_NAME_MAX, displayName } from './display-name.js';

describe('displayName: the uploaded name, kept as text only', () => {
  it.each([
    ['身份证正面.jpg', '身份证正面.jpg'],
    ['C:\\Users\\张三\\Desktop\\营业执照.png', '营业执照.png'],
    ['../../etc/passwd', 'passwd'],
    ['  扫描   件.bmp ', '扫描 件.bmp'],
    // U+202E RIGHT-TO-LEFT OVERRIDE would make "gpj.exe" display as "exe.jpg".
    ['photo\u202Egpj.exe', 'photogpj.exe'],
    ['a\u0000b\u0007c\r\nd.jpg', 'abcd.jpg'],
    ['zero\u200Bwidth.png', 'zerowidth.png'],
    ['', '未命名文件'],
    [undefined, '未命名文件'],
    ['\u202E', '未命名文件'],
  ])('%j → %j', (raw, shown) => {
    expect(displayName(raw)).toBe(shown);
  });

  it('keeps at most 100 characters, with the extension', () => {
    const long = `${'很长的文件名'.repeat(40)}.jpeg`;
    const shown = displayName(long);
    expect([...shown]).toHaveLength(DISPLAY_NAME_MAX);
    expect(shown.endsWith('….jpeg')).toBe(true);
    expect([...displayName('😀'.repeat(150))]).toHaveLength(DISPLAY_NAME_MAX);
  });
});
