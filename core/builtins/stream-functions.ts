import type { Value } from '../kernel/event';
import { BuiltinArgError, type ArgInfo, type StreamFunction } from './descriptor';

const PRIORITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function logArgs(args: readonly ArgInfo[]): { priority?: number; message?: number; logged?: number } {
  const t = args.map(a => a.type);
  const sig = t.join(',');
  switch (sig) {
    case '':
      return {};
    case 'STRING':
      return { message: 0 };
    case 'BOOL':
      return { logged: 0 };
    case 'STRING,STRING':
      return { priority: 0, message: 1 };
    case 'STRING,BOOL':
      return { message: 0, logged: 1 };
    case 'STRING,STRING,BOOL':
      return { priority: 0, message: 1, logged: 2 };
    default:
      throw new BuiltinArgError(`#log() takes ([priority STRING], [message STRING], [is.event.logged BOOL]), found (${t.map(x => x.toLowerCase()).join(', ')})`);
  }
}

const log: StreamFunction = {
  name: 'log',
  signature: '([priority STRING], [log.message STRING], [is.event.logged BOOL])',
  returns: 'the events unchanged',
  description: "Logs each event through the app's logger (priority INFO by default) and passes it on.",
  example: "from S#log('WARN', 'big order', true) select * insert into Out;",
  plan(args) {
    const at = logArgs(args);
    if (at.priority !== undefined) {
      const p = args[at.priority].constant?.value;
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
          const body = logged ? `Event{timestamp=${e.timestamp}, data=${JSON.stringify(e.data)}, isExpired=${e.type === 1}}` : '';
          env.log(`[${priority}] ${message}${message && body ? ', ' : ''}${body}`);
          return null;
        };
      },
    };
  },
};

const pol2Cart: StreamFunction = {
  name: 'pol2Cart',
  signature: '(theta DOUBLE, rho DOUBLE, [z DOUBLE])',
  returns: 'the event with x, y (and z) DOUBLE appended',
  description: 'Converts polar coordinates (theta in degrees) to Cartesian x and y.',
  example: 'from S#pol2Cart(theta, rho) select x, y insert into Out;',
  plan(args) {
    if (args.length < 2 || args.length > 3) throw new BuiltinArgError(`#pol2Cart() takes 2 or 3 parameters, found ${args.length}`);
    for (const a of args)
      if (!['INT', 'LONG', 'FLOAT', 'DOUBLE'].includes(a.type)) throw new BuiltinArgError(`#pol2Cart() parameters must be numeric, found ${a.type.toLowerCase()}`);
    const added = [
      { name: 'x', type: 'DOUBLE' as const },
      { name: 'y', type: 'DOUBLE' as const },
    ];
    if (args.length === 3) added.push({ name: 'z', type: 'DOUBLE' });
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
export const streamFunctions: ReadonlyMap<string, StreamFunction> = new Map([log, pol2Cart].map(f => [f.name, f]));
