import { useEffect, useState } from 'react';
import { PROJECTS, type ProjectInfo } from '../../core/content/projects.js';
import type { Catalog } from '../../core/orders-schemas.js';
import { apiGet } from '../api.js';

/**
 * The projects as the seeds describe them, with the prices and the 法人核验 setting the catalog holds now:
 * administrators set and change them (e.g. the 公共资源 price the seeds do not state), and the public pages must show those.
 * Until the catalog answers, the seeds' prices are shown.
 */
export function useLiveProjects(): ProjectInfo[] {
  const [projects, setProjects] = useState(PROJECTS);
  useEffect(() => {
    let live = true;
    apiGet<Catalog>('/api/catalog')
      .then(({ items }) => {
        if (!live) return;
        setProjects(
          PROJECTS.map((p) => {
            const c = items.find((i) => i.code === p.code);
            if (!c) return p;
            return {
              ...p,
              // Whether 法人核验 is required is the catalog's setting (seeded from the seeds, set by administrators).
              legalPersonVerification: c.legalCheckRequired,
              // So is whether it issues a pair (签名证书 + 加密证书).
              dualCertificates: c.dualCertificates,
              keys: p.keys.map((k) => {
                const priceFen = c.keys.find((x) => x.keyType === k.kind)?.priceFen ?? null;
                return { ...k, priceFen, priceNeedsAdminConfirmation: priceFen === null };
              }),
            };
          }),
        );
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return projects;
}
