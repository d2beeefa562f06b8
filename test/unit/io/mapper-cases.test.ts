import { judgeMapperCase, loadMapperCases, runMapperCase } from '../../helpers/mapper-cases';

/**
 * Each mapper case runs its payloads through the app's source mappers, the invocation runner and
 * its sink mappers, and must print what the real Siddhi (siddhi-map-json, -text, -csv, -keyvalue)
 * did: scripts/oracle-mapper-case.mjs wrote every expected line from the oracle.
 */
const cases = loadMapperCases();

describe('mapper cases from the oracle', () => {
  test.each(cases.filter(c => !c.name.includes('.failing')).map(c => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await runMapperCase(c);
    expect(judgeMapperCase(c, r)).toBeNull();
  });
});
