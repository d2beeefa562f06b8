import { jsonLogger } from '../../../adapters/node/json-logger';
import { ConfigError, parse, readConfig } from '../../../functions/aws/config';

const SPEC = {
  MILLRACE_STATE_TABLE: { description: 'the DynamoDB state table', parse: parse.text },
  MILLRACE_ROW_LIMIT: { description: 'rows a query may answer', parse: parse.positiveInt, default: 1000 },
  MILLRACE_WRITES: { description: 'allow on-demand writes', parse: parse.bool, default: false },
};

describe('readConfig', () => {
  test('reads every key, with defaults', () => {
    expect(readConfig({ MILLRACE_STATE_TABLE: 'State', MILLRACE_WRITES: 'TRUE', PATH: '/bin' }, SPEC)).toEqual({
      MILLRACE_STATE_TABLE: 'State',
      MILLRACE_ROW_LIMIT: 1000,
      MILLRACE_WRITES: true,
    });
  });

  test('says every problem at once: missing, malformed and unknown keys', () => {
    const read = () => readConfig({ MILLRACE_ROW_LIMIT: '10.5', MILLRACE_STATE_TABEL: 'State' }, SPEC);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'configuration: MILLRACE_STATE_TABEL is not a setting of this function (it takes MILLRACE_STATE_TABLE, MILLRACE_ROW_LIMIT, MILLRACE_WRITES); ' +
        'MILLRACE_STATE_TABLE is required: the DynamoDB state table; ' +
        'MILLRACE_ROW_LIMIT="10.5" is not valid: expected a positive whole number (rows a query may answer)',
    );
  });
});

describe('jsonLogger', () => {
  test('one JSON object per line with its fields, from the chosen level up', () => {
    const lines: string[] = [];
    const log = jsonLogger({ level: 'info', fields: { app: 'Orders' }, write: l => lines.push(l) }).with({ invocation: 'r-1' });
    log.debug('hidden');
    log.warn('slow commit');
    jsonLogger({ levelField: 'severity', write: l => lines.push(l) }).error('boom');
    expect(lines.map(l => JSON.parse(l))).toEqual([
      { level: 'WARN', message: 'slow commit', app: 'Orders', invocation: 'r-1' },
      { severity: 'ERROR', message: 'boom' },
    ]);
  });
});
