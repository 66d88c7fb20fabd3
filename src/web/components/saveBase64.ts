/**
 * Saves bytes the server answered as base64 in JSON (an envelope, a one-time key file) as a file: nothing of it
 * is kept on the server or in the page afterwards.
 */
export function saveBase64(base64: string, name: string, type = 'application/octet-stream') {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // Revoked later, not at once: the click only starts the download, which still reads the URL.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
