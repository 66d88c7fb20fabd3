/** 我的证书: every certificate of the organization, online and counter. */
export function MyCertificatesPage() {
  return null;
}
