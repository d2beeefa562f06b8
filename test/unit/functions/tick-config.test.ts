import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../functions/aws/config';
import { tickHandlerFromEnv } from '../../../functions/aws/tick-handler';

const dir = mkdtempSync(join(tmpdir(), 'millrace-tick-config-'));
writeFileSync(join(dir, 'app.siddhi'), "@app:name('A') define stream In (x int); from In#window.time(1 sec) select x insert into Out;");
writeFileSync(join(dir, 'bad.siddhi'), 'define stream In (x int); from In select y insert into Out;');

describe('the tick at cold start', () => {
  test('builds from valid settings, the app file taken from the task root', () => {
    expect(typeof tickHandlerFromEnv({ LAMBDA_TASK_ROOT: dir, MILLRACE_STATE_TABLE: 'State', AWS_REGION: 'us-east-1' })).toBe('function');
  });

  test('stops on a missing, malformed or unknown setting, naming each', () => {
    const build = () => tickHandlerFromEnv({ LAMBDA_TASK_ROOT: dir, MILLRACE_TICK_LIMIT: 'many', MILLRACE_TICK_LIMT: '5' });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/MILLRACE_TICK_LIMT is not a setting of this function.*MILLRACE_STATE_TABLE is required.*MILLRACE_TICK_LIMIT="many" is not valid/);
  });

  test('stops on an app file that is missing or does not compile', () => {
    expect(() => tickHandlerFromEnv({ LAMBDA_TASK_ROOT: dir, MILLRACE_STATE_TABLE: 'S', MILLRACE_APP_FILE: 'none.siddhi' })).toThrow(/cannot read the app .*none.siddhi': no such file/);
    expect(() => tickHandlerFromEnv({ LAMBDA_TASK_ROOT: dir, MILLRACE_STATE_TABLE: 'S', MILLRACE_APP_FILE: 'bad.siddhi' })).toThrow(/the app does not compile:[\s\S]*bad.siddhi/);
  });
});
