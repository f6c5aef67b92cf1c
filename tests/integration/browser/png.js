// A minimal PNG decoder for checking screenshots: 8-bit greyscale/RGB/RGBA (with or without
// alpha), non-interlaced — what Chromium writes. It answers the one question the tests ask:
// does the image hold a real page, or is it blank?
'use strict';

const zlib = require('node:zlib');

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS = { 0: 1, 2: 3, 4: 2, 6: 4 }; // colour type -> samples per pixel

function decodePng(buf) {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let pos = 8;
  let header = null;
  const idat = [];
  while (pos + 8 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    pos += 12 + length; // length, type, data, CRC
    if (type === 'IHDR') {
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8], colorType: data[9], interlace: data[12] };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (!header) throw new Error('PNG without IHDR');
  const channels = CHANNELS[header.colorType];
  if (header.depth !== 8 || !channels || header.interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${header.depth}, colour type ${header.colorType}, interlace ${header.interlace}`);
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = header.width * channels;
  if (raw.length !== header.height * (stride + 1)) throw new Error('PNG data has the wrong size');
  const pixels = Buffer.alloc(header.height * stride);
  // Undo the per-row filters (PNG spec §9.2): each byte is predicted from left (a), up (b),
  // and up-left (c).
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[dst + x - channels] : 0;
      const b = y > 0 ? pixels[dst - stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[dst - stride + x - channels] : 0;
      let predicted;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = a; break;
        case 2: predicted = b; break;
        case 3: predicted = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      pixels[dst + x] = (raw[src + x] + predicted) & 0xff;
    }
  }
  return { width: header.width, height: header.height, channels, pixels };
}

// Luminance spread and colour count: a blank (single-colour) image has variance 0 and 1 colour.
function imageStats(image) {
  const { pixels, channels } = image;
  const count = image.width * image.height;
  const colours = new Set();
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < count; i++) {
    const o = i * channels;
    const r = pixels[o];
    const g = channels >= 3 ? pixels[o + 1] : r;
    const b = channels >= 3 ? pixels[o + 2] : r;
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += lum;
    sumSq += lum * lum;
    if (colours.size < 100000) colours.add((r << 16) | (g << 8) | b);
  }
  const mean = sum / count;
  return { mean, variance: sumSq / count - mean * mean, colours: colours.size };
}

module.exports = { decodePng, imageStats };
