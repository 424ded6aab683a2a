// A drawing turned into an MNIST-style digit, as MNIST's own preprocessing does: the
// ink's bounding box scaled to fit 20 × 20 pixels (keeping its aspect), placed in a
// 28 × 28 field so that its centre of mass is the centre. White ink on black, 0 … 255.
// Used by bench/app/app.js.

export const SIDE = 28;
const BOX = 20;

/** The 784 pixel values of what `canvas` shows, or null when nothing is drawn. */
export function toDigit(canvas) {
  const { width, height } = canvas;
  const ink = canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, width, height).data;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[(y * width + x) * 4] > 32) {
        left = Math.min(left, x); right = Math.max(right, x);
        top = Math.min(top, y); bottom = Math.max(bottom, y);
      }
    }
  }
  if (right < 0) return null;
  const scale = BOX / Math.max(right - left + 1, bottom - top + 1);
  const [w, h] = [(right - left + 1) * scale, (bottom - top + 1) * scale];
  const draw = (dx, dy) => {
    const small = new OffscreenCanvas(SIDE, SIDE);
    const context = small.getContext('2d', { willReadFrequently: true });
    context.fillStyle = 'black';
    context.fillRect(0, 0, SIDE, SIDE);
    context.imageSmoothingQuality = 'high';
    context.drawImage(canvas, left, top, right - left + 1, bottom - top + 1, (SIDE - w) / 2 + dx, (SIDE - h) / 2 + dy, w, h);
    const rgba = context.getImageData(0, 0, SIDE, SIDE).data;
    return Float32Array.from({ length: SIDE * SIDE }, (_, i) => rgba[i * 4]);
  };
  const centred = draw(0, 0);
  let [mass, mx, my] = [0, 0, 0];
  centred.forEach((v, i) => { mass += v; mx += v * (i % SIDE); my += v * Math.floor(i / SIDE); });
  return draw(Math.round((SIDE - 1) / 2 - mx / mass), Math.round((SIDE - 1) / 2 - my / mass));
}

/** Paints 784 pixel values (0 … 255) on `canvas`, scaled up without smoothing. */
export function paintDigit(canvas, pixels) {
  const image = new ImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = pixels[i];
    image.data.set([v, v, v, 255], i * 4);
  }
  const small = new OffscreenCanvas(SIDE, SIDE);
  small.getContext('2d').putImageData(image, 0, 0);
  const context = canvas.getContext('2d');
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
}
