import fc from 'fast-check';
import { compileApp, memoryLogger, recordsOfPayload, type AppPlan, type AttrType, type Value } from '../../core';
import { loadMapperCases } from '../helpers/mapper-cases';

/**
 * No source mapper throws or hangs on arbitrary input: every @source of every mapper case (the
 * four types, default and custom mappings, grouping) and a few more mappings decode random bytes,
 * random text and mangled payloads of the cases within a time bound, and recordsOfPayload turns
 * whatever they give into records without throwing.
 */
const EXTRA = `
@OnError(action='STREAM')
@source(type='x', @map(type='json', @attributes(a='$.a[*]', b="$['b'][-1]", o='$.o')))
define stream J (a string, b long, o object);
@source(type='x', @map(type='json', timestamp.attribute='t'))
define stream JT (t long, o object, b bool, f float);
@source(type='x', @map(type='csv', delimiter='\\t', header='true', fail.on.unknown.attribute='false'))
define stream C (a string, b double, c int);
@source(type='x', @map(type='text', event.grouping.enabled='true', fail.on.missing.attribute='false'))
define stream T (a string, b double, c int);
@source(type='x', @map(type='keyvalue', implicit.cast.enable='true', fail.on.missing.attribute='false'))
define stream K (a string, b double, c int, d long, e bool);
`;

const plans: AppPlan[] = [...loadMapperCases().map(c => compileApp(c.app)), compileApp(EXTRA)];
const sources = plans.flatMap(plan => [...plan.sources].flatMap(([stream, ts]) => ts.map((_, index) => ({ plan, stream, index }))));
const payloads = loadMapperCases().flatMap(c => c.input.flatMap(l => (l.payload ? [l.payload] : [])));

const mangled = fc
  .tuple(fc.constantFrom(...payloads), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
  .map(([p, a, b, ins]) => {
    const i = a % (p.length + 1);
    return p.slice(0, i) + ins + p.slice(Math.min(p.length, i + (b % 4)));
  });
const payload = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), mangled, fc.json());

describe('source mappers', () => {
  test(`decode anything without throwing or hanging (${sources.length} mappings)`, () => {
    expect(sources.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), payload, (k, p) => {
        const { plan, stream, index } = sources[k];
        const started = Date.now();
        const decoded = plan.sources.get(stream)![index].decoder!.decode(p);
        const records = recordsOfPayload(plan, stream, index, p, { time: 1, logger: memoryLogger() });
        expect(Date.now() - started).toBeLessThan(500);
        expect(Array.isArray(decoded.events) && Array.isArray(decoded.problems)).toBe(true);
        const width = plan.streams.get(stream)!.attributes.length;
        for (const e of decoded.events) expect(e).toHaveLength(width);
        expect(records.every(r => r.stream === stream || r.stream === `!${stream}`)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

const sinks = plans.flatMap(plan => [...plan.sinks].flatMap(([stream, ts]) => ts.map(t => ({ encoder: t.encoder!, types: plan.streams.get(stream)!.attributes.map(a => a.type) }))));

const valueOf = (t: AttrType): fc.Arbitrary<Value> => {
  const v: Record<string, fc.Arbitrary<Value>> = {
    STRING: fc.string(),
    INT: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    LONG: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    FLOAT: fc.float().map(Math.fround),
    DOUBLE: fc.double(),
    BOOL: fc.boolean(),
    OBJECT: fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.integer())),
  };
  return fc.option(v[t], { nil: null });
};

describe('sink mappers', () => {
  test(`encode any events of their stream without throwing (${sinks.length} mappings)`, () => {
    expect(sinks.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sinks.length - 1 }).chain(k => fc.tuple(fc.constant(k), fc.array(fc.tuple(...sinks[k].types.map(valueOf)), { maxLength: 4 }))),
        ([k, events]) => {
          const out = sinks[k].encoder.encode(events);
          expect(out.every(p => typeof p === 'string')).toBe(true);
          expect(out.length).toBeLessThanOrEqual(events.length);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
