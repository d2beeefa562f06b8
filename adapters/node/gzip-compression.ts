/**
 * The Compression port of core's chunked stores over node:zlib's gzip, with zlib's defaults:
 * the framing every stored unit has had (DynamoDB items and Firestore documents), so it must not
 * change. Shared by the adapters (adapters/node holds what several of them need from Node).
 *
 * @example
 *   const bytes = await gzipCompression.compress(new Uint8Array([1, 2, 3]));
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Compression } from '../../core';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const gzipCompression: Compression = {
  compress: bytes => gzipAsync(bytes),
  decompress: bytes => gunzipAsync(bytes),
};
