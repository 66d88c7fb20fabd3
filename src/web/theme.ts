import type { ThemeConfig } from 'antd';

/** The brand red: buttons, links, the selected menu item. */
export const BRAND_RED = '#c8102e';

/**
 * Focus has its own colour. antd draws a focused field in the primary colour, and ours is the brand red,
 * which is also the colour of an error: a clerk typing a correct USCC saw a red box and thought it wrong.
 * A field being typed in is blue; only a field with a problem is red.
 */
export const FOCUS_BLUE = '#1677ff';
const FIELD_FOCUS = {
  hoverBorderColor: '#4096ff',
  activeBorderColor: FOCUS_BLUE,
  activeShadow: '0 0 0 2px rgba(22, 119, 255, 0.2)',
};

export function appTheme(reducedMotion: boolean): ThemeConfig {
  return {
    // Whoever asks the system for less motion gets none: antd then opens dialogs, popovers and messages at
    // once. The browser tests ask for it too, so a click never lands on a dialog still zooming in.
    token: { colorPrimary: BRAND_RED, borderRadius: 6, motion: !reducedMotion },
    components: {
      Input: FIELD_FOCUS,
      InputNumber: FIELD_FOCUS,
      DatePicker: FIELD_FOCUS,
      // Select (and AutoComplete, drawn by Select) names its focus glow activeOutlineColor.
      Select: {
        hoverBorderColor: FIELD_FOCUS.hoverBorderColor,
        activeBorderColor: FOCUS_BLUE,
        activeOutlineColor: 'rgba(22, 119, 255, 0.2)',
      },
    },
  };
}
