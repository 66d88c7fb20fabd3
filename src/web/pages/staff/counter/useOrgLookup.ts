/**
 * 查询申请单位 on the 办理新业务 page: a lookup is a load, not an action — a newer one (typed again, or the
 * reload after 柜台登记) replaces one still out, and only the newest may fill the page (useLatestLoad).
 */
import { useState } from 'react';
import type { FormInstance } from 'antd';
import type { OrgLookup } from '../../../../core/counter-response-schemas.js';
import { ZUscc } from '../../../../core/schemas.js';
import { apiGet } from '../../../api.js';
import { showServerErrors } from '../../../components/forms.js';
import { useLatestLoad } from '../../../components/useLatestLoad.js';
import { useStaffErrors } from '../staffSession.js';

const lookupUrl = (uscc: string) => `/api/staff/counter/organizations?uscc=${encodeURIComponent(uscc)}`;

export function useOrgLookup(form: FormInstance<{ uscc: string }>, setError: (text: string | null) => void) {
  const fail = useStaffErrors();
  const [found, setFound] = useState<OrgLookup | null>(null);
  const [searchedUscc, setSearchedUscc] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const begin = useLatestLoad();

  const lookup = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const current = begin();
    setSearching(true);
    setError(null);
    try {
      const r = await apiGet<OrgLookup>(lookupUrl(v.uscc));
      if (!current()) return;
      setFound(r);
      setSearchedUscc(ZUscc.safeParse(v.uscc).data ?? v.uscc);
    } catch (e) {
      if (!current()) return;
      setError(showServerErrors(form, e) ?? null);
      fail(e);
    } finally {
      if (current()) setSearching(false);
    }
  };

  /** The unit looked up again after 柜台登记 (its errors are the registration's). */
  const reload = async (uscc: string) => {
    const current = begin();
    const r = await apiGet<OrgLookup>(lookupUrl(uscc));
    if (current()) setFound(r);
  };

  /** The USCC is being typed again: what was found is no longer this unit's. */
  const forget = () => setFound(null);

  return { found, searchedUscc, searching, lookup, reload, forget };
}
