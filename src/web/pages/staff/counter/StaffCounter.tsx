/** 柜台业务（现场办理）: counter orders of type 新办, 补办, 变更, 续费. */
export function StaffCounterPage() {
  return null;
}
