/** What the counter API answers, as the pages use it. */
export interface Material {
  code: string;
  label: string;
  group?: string;
}

export interface CounterMeta {
  myOffice: { code: string; name: string; active: boolean } | null;
  offices: { code: string; name: string; city: string; active: boolean }[];
  businesses: { code: 'new' | 'reissue' | 'change' | 'renew'; label: string }[];
  payChannels: { code: string; label: string }[];
  revocationReasons: Record<string, { code: number; label: string }[]>;
  roles: string[];
}

export interface OrgLookup {
  organization: { id: string; uscc: string; name: string; mobileMasked: string; claimed: boolean } | null;
  certificates: {
    id: string;
    serial: string;
    projectCode: string;
    projectName: string;
    keyType: 'main' | 'sub';
    source: string;
    notBefore: string;
    notAfter: string;
    expired: boolean;
  }[];
  keyChoices: {
    projectCode: string;
    projectName: string;
    allowed: ('main' | 'sub')[];
    reason: string;
    prices: Record<string, number | null>;
  }[];
  counterOrders: { id: string; orderNo: string; businessLabel: string; statusLabel: string; createdAt: string }[];
}

export interface CertSummary {
  id: string;
  serial: string;
  status: string;
  notBefore: string;
  notAfter: string;
  revokedAt: string | null;
  revocationReasonLabel: string | null;
  unitName: string;
}

export interface CounterView {
  order: {
    id: string;
    orderNo: string;
    business: string;
    businessLabel: string;
    status: string;
    statusLabel: string;
    step: number;
    steps: string[];
    unitName: string;
    newUnitName: string | null;
    uscc: string;
    projectCode: string;
    projectName: string;
    keyType: 'main' | 'sub';
    keyTypeLabel: string;
    agentName: string;
    agentMobile: string;
    createdAt: string;
    revocationReasonLabel: string | null;
  };
  office: { code: string; name: string } | null;
  materials: (Material & { ticked: boolean; scan: { id: string; uploadedAt: string; originalName: string } | null })[];
  missing: string[];
  priceFen: number | null;
  payment: { channelName: string; amountFen: number; receiptNo: string; paidAt: string } | null;
  certificate: CertSummary | null;
  replaced: CertSummary | null;
  /** What the certificate runs to and why (core/certificate-validity.ts); `planned`: not issued yet, as if issued now. */
  validity: { notBefore: string; notAfter: string; basis: 'fresh' | 'extended' | 'kept'; basisText: string; planned: boolean };
  revocationRequest: { id: string; status: 'pending' | 'approved' | 'refused'; requestedAt: string } | null;
  actions: { action: string; label: string; needsReason: boolean }[];
  events: {
    id: number;
    action: string;
    fromStatus: string | null;
    toStatus: string | null;
    reason: string | null;
    actorName: string | null;
    at: string;
    detail: Record<string, unknown>;
  }[];
}

export interface DailyLine {
  id: string;
  orderNo: string;
  businessLabel: string;
  unitName: string;
  uscc: string;
  keyType: 'main' | 'sub';
  agentName: string;
  status: string;
  statusLabel: string;
  createdAt: string;
  payment: { channelName: string; amountFen: number; receiptNo: string } | null;
}

export interface Daily {
  office: { code: string; name: string };
  myOffice: { code: string; name: string } | null;
  canChooseOffice: boolean;
  day: string;
  orders: DailyLine[];
  openEarlier: DailyLine[];
  totals: {
    byBusiness: { business: string; label: string; opened: number; completed: number; cancelled: number }[];
    byChannel: { channel: string; label: string; count: number; amountFen: number }[];
    opened: number;
    paidCount: number;
    paidFen: number;
  };
}
