/**
 * Real implementations started by the tests themselves (DESIGN.md section 6): DynamoDB Local, the
 * jar inside the npm package `amplify-dynamodb-simulator`, and Google's Firestore emulator from
 * the gcloud SDK, both on the machine's Java. Each runs in its own process group on a free
 * loopback port and is killed as a group by `stop()` (and, as a last resort, when this process
 * exits), so no JVM outlives the test that started it.
 *
 * A test first asks `dynamoDBLocalMissing()` / `firestoreEmulatorMissing()`: a reason string means
 * the emulator cannot run here, and the test says so and skips.
 *
 * @example
 *   const missing = dynamoDBLocalMissing();
 *   const describeIf = missing ? describe.skip : describe;
 *   if (missing) console.warn(`DynamoDB tests skipped: ${missing}`);
 *   let ddb: RunningEmulator;
 *   beforeAll(async () => { ddb = await startDynamoDBLocal(); });
 *   afterAll(() => ddb?.stop());
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` for DynamoDB Local, `127.0.0.1:<port>` (host:port) for Firestore. */
  readonly endpoint: string;
  readonly port: number;
  /** Kills the process group and waits until it is gone. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Give up (and kill what was started) when it does not answer within this. Default 90 000. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 90_000;
const OUTPUT_KEPT = 16 * 1024;

/** Process groups still running, killed when this process exits however it exits. */
const running = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of running) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

function javaMissing(): string | null {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 30_000 });
  if (r.error !== undefined || r.status !== 0) return `no working Java on PATH (java -version: ${r.error?.message ?? `exit ${String(r.status)}`})`;
  return null;
}

/** Where `amplify-dynamodb-simulator` keeps DynamoDBLocal.jar, or null. */
export function dynamoDBLocalDir(): string | null {
  const bases = [path.join(process.cwd(), 'package.json'), path.join(__dirname, '../../package.json')];
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve('amplify-dynamodb-simulator/package.json');
      const dir = path.join(path.dirname(pkg), 'emulator');
      if (existsSync(path.join(dir, 'DynamoDBLocal.jar'))) return dir;
    } catch {
      // try the next base
    }
  }
  return null;
}

/** Null when DynamoDB Local can run here, otherwise why not. */
export function dynamoDBLocalMissing(): string | null {
  if (dynamoDBLocalDir() === null) return 'DynamoDBLocal.jar not found (is the devDependency amplify-dynamodb-simulator installed?)';
  return javaMissing();
}

function gcloudSdkRoots(): string[] {
  const roots = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];
  const which = spawnSync('sh', ['-c', 'command -v gcloud'], { encoding: 'utf8' });
  const gcloud = which.status === 0 ? which.stdout.trim() : '';
  if (gcloud !== '') {
    try {
      roots.unshift(path.dirname(path.dirname(realpathSync(gcloud))));
    } catch {
      // a dangling link: the fixed places may still hold an SDK
    }
  }
  return roots;
}

/** The Firestore emulator's jar in the gcloud SDK, or null. */
export function firestoreEmulatorJar(): string | null {
  for (const root of gcloudSdkRoots()) {
    const jar = path.join(root, 'platform/cloud-firestore-emulator/cloud-firestore-emulator.jar');
    if (existsSync(jar)) return jar;
  }
  return null;
}

/** Null when the Firestore emulator can run here, otherwise why not. */
export function firestoreEmulatorMissing(): string | null {
  if (firestoreEmulatorJar() === null) {
    return 'the Firestore emulator is not installed (no platform/cloud-firestore-emulator in a gcloud SDK; `gcloud components install cloud-firestore-emulator`)';
  }
  return javaMissing();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when anything answers HTTP at the URL (any status), false when nothing does. */
function answers(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<boolean> {
  return new Promise(resolve => {
    // No keep-alive agent: a pooled socket would keep the test process alive.
    const req = http.request(url, { method: init.method, headers: init.headers, timeout: 2000, agent: false }, res => {
      res.resume();
      resolve((res.statusCode ?? 0) > 0);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end(init.body);
  });
}

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

interface Launch {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly port: number;
  readonly endpoint: string;
  readonly ready: () => Promise<boolean>;
  readonly timeoutMs: number;
}

async function launch(l: Launch): Promise<RunningEmulator> {
  installExitHook();
  // A working directory of its own for whatever files the service writes there (DynamoDB Local
  // writes a metadata file), removed on stop; detached: a process group of its own, so stop()
  // kills the JVM and anything it started.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'millrace-emulator-'));
  const child: ChildProcess = spawn(l.command, l.args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: string | null = null;
  const exited = new Promise<void>(resolve => {
    child.on('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${String(code)}`;
      if (child.pid !== undefined) running.delete(child.pid);
      resolve();
    });
    child.on('error', e => {
      exit = `could not start: ${e.message}`;
      resolve();
    });
  });
  if (child.pid !== undefined) running.add(child.pid);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return exited;
    stopped = true;
    const pgid = child.pid;
    if (pgid !== undefined && exit === null) {
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        // already gone
      }
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>(resolve => (timer = setTimeout(() => resolve(false), 5000)))]);
      clearTimeout(timer); // a pending timer would hold the test process open
      if (!killed) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
      running.delete(pgid);
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    rmSync(cwd, { recursive: true, force: true });
  };

  const deadline = Date.now() + l.timeoutMs;
  for (;;) {
    if (exit !== null) {
      await stop();
      throw new Error(`${l.name} stopped before it accepted requests (${exit as string}); its output:\n${output}`);
    }
    if (await l.ready()) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${l.name} did not accept requests on port ${l.port} within ${l.timeoutMs} ms; its output:\n${output}`);
    }
    await sleep(200);
  }
  return { endpoint: l.endpoint, port: l.port, stop };
}

/**
 * Starts DynamoDB Local in memory on a free port; resolves once it answers a request.
 *
 * @example
 *   const ddb = await startDynamoDBLocal();
 *   const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
 *   await ddb.stop();
 */
export async function startDynamoDBLocal(options: StartOptions = {}): Promise<RunningEmulator> {
  const dir = dynamoDBLocalDir();
  if (dir === null) throw new Error(dynamoDBLocalMissing() ?? 'DynamoDB Local not found');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  return launch({
    name: 'DynamoDB Local',
    command: 'java',
    args: [`-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`, '-jar', path.join(dir, 'DynamoDBLocal.jar'), '-inMemory', '-disableTelemetry', '-port', String(port)],
    port,
    endpoint,
    ready: () =>
      answers(`${endpoint}/`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': 'DynamoDB_20120810.ListTables',
          Authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

/**
 * Starts the Firestore emulator on a free port; resolves once it answers. Point a client at it
 * with `new Firestore({ projectId, host: fs.endpoint, ssl: false })` (or FIRESTORE_EMULATOR_HOST).
 * Sets METADATA_SERVER_DETECTION=none in this process, so the client never looks for the GCE
 * metadata server.
 *
 * @example
 *   const fs = await startFirestoreEmulator();
 *   const db = new Firestore({ projectId: 'millrace-test', host: fs.endpoint, ssl: false });
 *   await fs.stop();
 */
export async function startFirestoreEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const jar = firestoreEmulatorJar();
  if (jar === null) throw new Error(firestoreEmulatorMissing() ?? 'the Firestore emulator was not found');
  // Google's auth library otherwise probes the GCE metadata server (169.254.169.254) looking for
  // credentials; a client of the emulator needs none, and tests send nothing off this machine.
  process.env.METADATA_SERVER_DETECTION = 'none';
  const port = await freePort();
  const endpoint = `127.0.0.1:${port}`;
  return launch({
    name: 'the Firestore emulator',
    // The jar directly, as the SDK's own cloud_firestore_emulator script does: `gcloud emulators
    // firestore start` adds a Python process and seconds of start-up for nothing.
    command: 'java',
    args: ['-Duser.language=en', '-cp', jar, 'com.google.cloud.datastore.emulator.firestore.CloudFirestore', '--host', '127.0.0.1', '--port', String(port)],
    port,
    endpoint,
    ready: () => answers(`http://${endpoint}/`, { method: 'GET' }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

/** Where the devDependency kinesalite's command is, or null. */
export function kinesaliteCli(): string | null {
  for (const base of [path.join(process.cwd(), 'package.json'), path.join(__dirname, '../../package.json')]) {
    try {
      return path.join(path.dirname(createRequire(base).resolve('kinesalite/package.json')), 'cli.js');
    } catch {
      // try the next base
    }
  }
  return null;
}

/** Null when kinesalite can run here, otherwise why not. */
export function kinesaliteMissing(): string | null {
  return kinesaliteCli() === null ? 'kinesalite not found (is the devDependency kinesalite installed?)' : null;
}

/**
 * Starts kinesalite (a Kinesis API on LevelDB, in memory) on a free port, streams created at once;
 * resolves once it answers. Give the SDK client `NodeHttpHandler` (see local-clients.ts).
 *
 * @example
 *   const kin = await startKinesalite();
 *   const client = kinesisClientFor(kin);
 *   await kin.stop();
 */
export async function startKinesalite(options: StartOptions = {}): Promise<RunningEmulator> {
  const cli = kinesaliteCli();
  if (cli === null) throw new Error(kinesaliteMissing() ?? 'kinesalite not found');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  return launch({
    name: 'kinesalite',
    command: process.execPath,
    args: [cli, '--port', String(port), '--createStreamMs', '0', '--deleteStreamMs', '0', '--updateStreamMs', '0', '--shardLimit', '100'],
    port,
    endpoint,
    ready: () =>
      answers(`${endpoint}/`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'Kinesis_20131202.ListStreams',
          Authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}
