import { ATTR_TYPES } from '../../../core/ast/nodes';
import { aggregateFunctions, scalarFunctions, streamFunctions, usage, windowFunctions, type BuiltinDoc, type BuiltinKind } from '../../../core/builtins';
import { arity } from '../../../core/builtins/arg-checker';

const families: [BuiltinKind, ReadonlyMap<string, BuiltinDoc>][] = [
  ['function', scalarFunctions],
  ['aggregate', aggregateFunctions],
  ['window', windowFunctions],
  ['stream function', streamFunctions],
];
const all = families.flatMap(([kind, reg]) => [...reg].map(([key, b]) => ({ kind, key, b })));
const TYPES = new Set<string>([...ATTR_TYPES, 'TIME']);

/** What is wrong with one descriptor (empty when it is well-formed). */
function problems(kind: BuiltinKind, key: string, b: BuiltinDoc): string[] {
  const out: string[] = [];
  if (b.kind !== kind) out.push(`kind ${b.kind} in the ${kind} registry`);
  if (b.name !== key) out.push(`registered as '${key}'`);
  if (!b.signatures.length) out.push('no signature');
  for (const s of b.signatures) {
    const names = s.map(p => p.name);
    if (new Set(names).size !== names.length) out.push(`a parameter name twice in (${names.join(', ')})`);
    s.forEach((p, i) => {
      if (!/^[a-z][\w.]*$/i.test(p.name)) out.push(`parameter name '${p.name}'`);
      if (!p.forms.length) out.push(`'${p.name}' has no form`);
      for (const f of p.forms) if (f.types !== 'ANY' && (!f.types.length || f.types.some(t => !TYPES.has(t)))) out.push(`'${p.name}' has types ${String(f.types)}`);
      if (p.repeated && i !== s.length - 1) out.push(`repeated '${p.name}' is not last`);
      if (p.default === undefined && s.slice(0, i).some(q => q.default !== undefined)) out.push(`required '${p.name}' after an optional parameter`);
    });
  }
  // Overloads are chosen by the parameters at each place: two of one arity must differ somewhere.
  b.signatures.forEach((s, j) =>
    b.signatures.slice(0, j).forEach((e, i) => {
      const names = (sig: typeof s) => sig.map(p => p.name).join(',');
      if (arity(e).min === arity(s).min && arity(e).max === arity(s).max && names(e) === names(s)) out.push(`overload ${j} cannot be told from overload ${i}`);
    }),
  );
  if (!b.returns.trim() || !b.description.trim()) out.push('no returns or description');
  if (!b.example.includes(b.name)) out.push('its example does not use it');
  if (!usage(b).includes(`${b.name}(`)) out.push('usage does not name it');
  return out;
}

test('every builtin is registered', () => {
  expect(all.length).toBe(scalarFunctions.size + aggregateFunctions.size + windowFunctions.size + streamFunctions.size);
  expect(windowFunctions.size).toBe(16);
  expect(scalarFunctions.has('coalesce') && aggregateFunctions.has('sum') && streamFunctions.has('log')).toBe(true);
});

test.each(all.map(x => [`${x.kind} ${x.key}`, x] as const))('%s has a well-formed descriptor', (_name, { kind, key, b }) => {
  expect(problems(kind, key, b)).toEqual([]);
});

test('the well-formedness check finds a broken descriptor', () => {
  // Prepare: a descriptor with a required parameter after an optional one, a repeated one not last, a bad type
  const broken: BuiltinDoc = {
    kind: 'window',
    name: 'broken',
    signatures: [
      [
        { name: 'a', forms: [{ source: 'constant', types: ['INT'] }], default: '1' },
        { name: 'b', forms: [{ source: 'value', types: ['NUMBER' as never] }], repeated: true },
        { name: 'c', forms: [] },
      ],
    ],
    returns: 'x',
    description: 'x',
    example: 'none',
  };
  const twice: BuiltinDoc = { ...broken, name: 'twice', example: 'twice', signatures: [[{ name: 'a', forms: [{ source: 'value', types: 'ANY' }] }], [{ name: 'a', forms: [{ source: 'constant', types: ['INT'] }] }]] };
  // Act
  const found = problems('function', 'other', broken);
  // Assess
  expect(found).toEqual([
    'kind window in the function registry',
    "registered as 'other'",
    "'b' has types NUMBER",
    "repeated 'b' is not last",
    "required 'b' after an optional parameter",
    "'c' has no form",
    "required 'c' after an optional parameter",
    'its example does not use it',
  ]);
  expect(problems('window', 'twice', twice)).toEqual(['overload 1 cannot be told from overload 0']);
});
