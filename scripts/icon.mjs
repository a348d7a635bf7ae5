#!/usr/bin/env node
// Draws images/icon.png (128×128, RGBA): a shield over a downward arrow, the extension's
// mark for "guarding image pulls". Pure node (zlib for the PNG's deflate), 4×4
// supersampling for smooth edges. `node scripts/icon.mjs` rewrites the file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;

const BACKGROUND = [31, 41, 55];
const SHIELD = [252, 163, 17];
const ARROW = [31, 41, 55];

function insideRoundedSquare(x, y) {
  const r = 22;
  const cx = Math.min(Math.max(x, r), SIZE - r);
  const cy = Math.min(Math.max(y, r), SIZE - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** A shield: flat top with rounded corners, sides curving to a point at the bottom. */
function insideShield(x, y) {
  const top = 20;
  const bottom = 110;
  const half = 40;
  if (y < top || y > bottom) return false;
  const t = (y - top) / (bottom - top);
  const width = t < 0.45 ? half : half * Math.cos(((t - 0.45) / 0.55) * (Math.PI / 2));
  return Math.abs(x - 64) <= width;
}

/** A downward arrow: a shaft and a triangular head. */
function insideArrow(x, y) {
  if (Math.abs(x - 64) <= 8 && y >= 34 && y <= 66) return true;
  return y >= 62 && y <= 90 && Math.abs(x - 64) <= (90 - y) * 0.95;
}

function colourAt(x, y) {
  if (!insideRoundedSquare(x, y)) return null;
  if (insideArrow(x, y)) return ARROW;
  if (insideShield(x, y)) return SHIELD;
  return BACKGROUND;
}

const rows = [];
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4);
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const colour = colourAt(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
        if (!colour) continue;
        sum[0] += colour[0];
        sum[1] += colour[1];
        sum[2] += colour[2];
        sum[3] += 255;
      }
    }
    const n = SAMPLES * SAMPLES;
    const covered = sum[3] / 255;
    const pixel = covered === 0 ? [0, 0, 0, 0] : [sum[0] / covered, sum[1] / covered, sum[2] / covered, sum[3] / n];
    pixel.forEach((value, i) => (row[1 + x * 4 + i] = Math.round(value)));
  }
  rows.push(row);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(join(import.meta.dirname, '..', 'images', 'icon.png'), png);
console.log(`images/icon.png: ${png.length} bytes`);
