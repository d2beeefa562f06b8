import type { Value } from '../kernel/event';
import { BuiltinArgError } from '../errors/millrace-error';
import { NUMERIC, optional, param, value, type StreamFunction } from './descriptor';
import { registry } from './registry';
import { jsonText } from '../state/value-codec';

const PRIORITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

const PRIORITY = param('priority', value('STRING'));
const MESSAGE = param('log.message', value('STRING'));
const LOGGED = param('is.event.logged', value('BOOL'));

const log: StreamFunction = {
  kind: 'stream function',
  name: 'log',
  // Told apart by the arguments' types: a single STRING is the message.
  signatures: [[], [MESSAGE], [LOGGED], [PRIORITY, MESSAGE], [MESSAGE, LOGGED], [PRIORITY, MESSAGE, LOGGED]],
  returns: 'the events unchanged',
  description: "Logs each event through the app's logger (priority INFO by default) and passes it on.",
  example: "from S#log('WARN', 'big order', true) select * insert into Out;",
  plan(args) {
    const at = { priority: args.position('priority'), message: args.position('log.message'), logged: args.position('is.event.logged') };
    if (at.priority !== undefined) {
      const p = args.constant('priority');
      if (typeof p === 'string' && !PRIORITIES.includes(p.toUpperCase()))
        throw new BuiltinArgError(`#log() priority must be one of ${PRIORITIES.join(', ')}, found '${p}'`);
    }
    return {
      added: [],
      make(fs, env) {
        return ctx => {
          const priority = at.priority !== undefined ? String(fs[at.priority](ctx)).toUpperCase() : 'INFO';
          const message = at.message !== undefined ? String(fs[at.message](ctx)) : '';
          const logged = at.logged !== undefined ? fs[at.logged](ctx) !== false : true;
          const e = ctx.event;
          const body = logged ? `Event{timestamp=${e.timestamp}, data=${jsonText(e.data)}, isExpired=${e.type === 1}}` : '';
          env.log(`[${priority}] ${message}${message && body ? ', ' : ''}${body}`);
          return null;
        };
      },
    };
  },
};

const pol2Cart: StreamFunction = {
  kind: 'stream function',
  name: 'pol2Cart',
  signatures: [[param('theta', value(...NUMERIC)), param('rho', value(...NUMERIC)), optional('z', 'none', value(...NUMERIC))]],
  returns: 'the event with x, y (and z) DOUBLE appended',
  description: 'Converts polar coordinates (theta in degrees) to Cartesian x and y.',
  example: 'from S#pol2Cart(theta, rho) select x, y insert into Out;',
  plan(args) {
    const added = [
      { name: 'x', type: 'DOUBLE' as const },
      { name: 'y', type: 'DOUBLE' as const },
    ];
    if (args.arg('z')) added.push({ name: 'z', type: 'DOUBLE' });
    return {
      added,
      make(fs) {
        return ctx => {
          const theta = fs[0](ctx) as number;
          const rho = fs[1](ctx) as number;
          const rad = (theta * Math.PI) / 180;
          const out: Value[] = [rho * Math.cos(rad), rho * Math.sin(rad)];
          if (fs.length === 3) out.push(fs[2](ctx));
          return out;
        };
      },
    };
  },
};

/** Core stream functions by name. */
export const streamFunctions: ReadonlyMap<string, StreamFunction> = registry([
  log,
  pol2Cart,
]);
