import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256Hex, utf8Decode, utf8Encode } from '../../../core/state/bytes';

describe('core bytes: UTF-8 and SHA-256 as Node has them', () => {
  test('utf8Encode gives the bytes of Buffer.from, lone surrogates included', () => {
    expect([...utf8Encode('a\u00e9\u20ac\u{1F680}\ud800x\udc00')]).toEqual([...Buffer.from('a\u00e9\u20ac\u{1F680}\ud800x\udc00', 'utf8')]);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map(c => String.fromCharCode(c)) }), (a, b) => {
        const s = a + b;
        expect(Buffer.from(utf8Encode(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('utf8Decode reads any bytes as Buffer.toString does (one U+FFFD per maximal invalid subpart)', () => {
    for (const bytes of [[0xe0, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x9a], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xf0, 0x9f, 0x41], [0xff]]) {
      expect(utf8Decode(Uint8Array.from(bytes))).toBe(Buffer.from(bytes).toString('utf8'));
    }
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0x9f, 0x90));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), bytes => {
        expect(utf8Decode(Uint8Array.from(bytes))).toBe(Buffer.from(bytes).toString('utf8'));
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), s => expect(utf8Decode(Buffer.from(s, 'utf8'))).toBe(s)));
    const big = 'x\u00e9\u{1F680}'.repeat(20_000);
    expect(utf8Decode(utf8Encode(big))).toBe(big);
  });

  test('sha256Hex agrees with node:crypto, across block boundaries', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 1000, 5000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 255);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), b => expect(sha256Hex(b)).toBe(createHash('sha256').update(b).digest('hex'))));
  });
});
