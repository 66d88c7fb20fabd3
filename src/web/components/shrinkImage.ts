/**
 * Phone photos of a licence are 3–8 MB; the server takes scans of at most 1 MB (UPLOAD_RULES, unchanged). Rather
 * than send the clerk off to find a compression tool, the browser re-encodes such a photo as JPEG: first at
 * A4-at-300-dpi size (longer side 2480 px), then with less quality and fewer pixels, never below A4 at 150 dpi
 * (1240 px), where a licence's small print is still readable for 预审. The server judges the result like any
 * upload (type by bytes, size, dimensions), so nothing here is trusted.
 */

/** The tries, in order: the first that fits is sent. */
export const SHRINK_STEPS: readonly { longSide: number; quality: number }[] = [
  { longSide: 2480, quality: 0.85 },
  { longSide: 2480, quality: 0.72 },
  { longSide: 2000, quality: 0.72 },
  { longSide: 1600, quality: 0.7 },
  { longSide: 1240, quality: 0.65 },
];

/** The size a picture is drawn at so its longer side is at most `longSide` (never enlarged). */
export function scaledSize(width: number, height: number, longSide: number): { width: number; height: number } {
  const k = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** The shrunk file's name: the same name, ending in .jpg. */
export const jpegName = (name: string) => `${name.replace(/\.[^./\\]*$/, '') || 'photo'}.jpg`;

/** Decodes the picture the way it is seen (EXIF orientation applied): ImageBitmap where the browser has it, else an <img>. */
async function decode(file: File): Promise<{ source: CanvasImageSource; width: number; height: number; close(): void }> {
  if (typeof createImageBitmap === 'function') {
    try {
      const b = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { source: b, width: b.width, height: b.height, close: () => b.close() };
    } catch {
      // Older engines reject the options bag: the <img> way below.
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { source: img, width: img.naturalWidth, height: img.naturalHeight, close: () => undefined };
  } finally {
    URL.revokeObjectURL(url);
  }
}

const toJpeg = (canvas: HTMLCanvasElement, quality: number) =>
  new Promise<Blob | null>((resolve) => canvas.toBlob((b) => resolve(b), 'image/jpeg', quality));

/** A JPEG of the picture of at most `maxBytes`, or null when the browser cannot decode it or no step fits. */
export async function shrinkToFit(file: File, maxBytes: number): Promise<File | null> {
  let pic;
  try {
    pic = await decode(file);
  } catch {
    return null;
  }
  try {
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    for (const step of SHRINK_STEPS) {
      const { width, height } = scaledSize(pic.width, pic.height, step.longSide);
      canvas.width = width;
      canvas.height = height;
      // A scan on white, also where a PNG was transparent.
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(pic.source, 0, 0, width, height);
      const blob = await toJpeg(canvas, step.quality);
      if (blob && blob.size > 0 && blob.size <= maxBytes) return new File([blob], jpegName(file.name), { type: 'image/jpeg' });
    }
    return null;
  } finally {
    pic.close();
  }
}
