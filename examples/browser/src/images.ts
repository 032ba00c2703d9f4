/** Images in and out of the page: decoding files to tensors, drawing tensors on canvases. */
import * as tf from '@tensorflow/tfjs';

/**
 * Decodes an image file to `[H, W, 3]` RGB in [0, 1] as stored in the file: no colour management (the photos
 * carry an sRGB profile that a browser may otherwise convert through) and no premultiplied alpha, so the pixels
 * equal what a PNG decoder in Node reads.
 */
export async function decodeImage(blob: Blob): Promise<tf.Tensor3D> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (context == null) throw new Error('no 2D canvas context to decode the image');
    context.drawImage(bitmap, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return tf.tidy(() => {
      const rgba = tf.tensor3d(Int32Array.from(data), [height, width, 4], 'int32');
      return tf.div<tf.Tensor3D>(tf.slice(rgba, [0, 0, 0], [height, width, 3]), 255);
    });
  } finally {
    bitmap.close();
  }
}

/** Fetches and decodes an image URL (see {@link decodeImage}). */
export async function fetchImage(url: string): Promise<tf.Tensor3D> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return decodeImage(await response.blob());
}

/** A canvas showing `[H, W, 3]` RGB in [0, 1] (clipped), displayed `zoom` times larger, pixels kept square. */
export async function toCanvas(image: tf.Tensor3D, zoom = 1): Promise<HTMLCanvasElement> {
  const canvas = document.createElement('canvas');
  const clipped = tf.clipByValue(image, 0, 1);
  try {
    await tf.browser.toPixels(clipped, canvas);
  } finally {
    clipped.dispose();
  }
  canvas.style.width = `${image.shape[1] * zoom}px`;
  canvas.style.height = `${image.shape[0] * zoom}px`;
  return canvas;
}
