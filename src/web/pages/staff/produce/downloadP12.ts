/**
 * Saves the one-time PKCS#12 that 制证 answers with (ProduceDialog, online and at the counter): the
 * server keeps no copy of the generated key, so the browser turns the base64 in the answer into the file.
 */
export function downloadP12(base64: string, name: string) {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/x-pkcs12' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // Revoked later, not at once: the click only starts the download, which still reads the URL.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
