/**
 * Writes test/fixtures/stores/{dynamodb,firestore,file}.json: the raw items, documents and files
 * that the stores of this checkout leave after the commits of test/helpers/store-fixtures.ts, and
 * what they read back. Run through scripts/store-fixtures.mjs (it bundles this file); it starts
 * DynamoDB Local and the Firestore emulator itself. (`file-v1.json` is not written here: it holds
 * the files of version 1 of the file names, from before issue 11, kept to test their migration.)
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { createRowTable, createStateTable, DynamoDBStateStore } from '../adapters/aws/dynamodb-state-store';
import { FirestoreStateStore } from '../adapters/gcp/firestore-state-store';
import { FileStateStore } from '../adapters/local/file-state-store';
import { startDynamoDBLocal, startFirestoreEmulator } from '../test/helpers/emulators';
import { dynamoDBClientFor } from '../test/helpers/local-clients';
import { dumpDynamoDB, dumpFiles, dumpFirestore, FIXTURE_CHUNK_BYTES, readout, runSteps } from '../test/helpers/store-fixtures';

const out = process.argv[2] ?? 'test/fixtures/stores';

async function write(name: string, content: unknown): Promise<void> {
  await fsp.mkdir(out, { recursive: true });
  await fsp.writeFile(path.join(out, `${name}.json`), `${JSON.stringify(content, null, 1)}\n`);
  console.log(`wrote ${path.join(out, `${name}.json`)}`);
}

async function dynamodb(): Promise<void> {
  const ddb = await startDynamoDBLocal();
  const client = dynamoDBClientFor(ddb);
  try {
    await createStateTable(client, 'state');
    await createRowTable(client, 'Stock');
    const store = new DynamoDBStateStore(client, { tableName: 'state', chunkBytes: FIXTURE_CHUNK_BYTES });
    await runSteps(store, 'Stock');
    const read = await readout(new DynamoDBStateStore(client, { tableName: 'state' }), 'Stock');
    await write('dynamodb', { chunkBytes: FIXTURE_CHUNK_BYTES, dump: await dumpDynamoDB(client, 'state', 'Stock'), readout: read });
  } finally {
    client.destroy();
    await ddb.stop();
  }
}

async function firestore(): Promise<void> {
  const emulator = await startFirestoreEmulator();
  const db = new Firestore({ projectId: 'millrace-fixtures', host: emulator.endpoint, ssl: false });
  try {
    const store = new FirestoreStateStore(db, { collection: 'state', chunkBytes: FIXTURE_CHUNK_BYTES });
    await runSteps(store, 'Stock');
    const read = await readout(new FirestoreStateStore(db, { collection: 'state' }), 'Stock');
    await write('firestore', { chunkBytes: FIXTURE_CHUNK_BYTES, dump: await dumpFirestore(db, 'state', 'Stock'), readout: read });
  } finally {
    await db.terminate();
    await emulator.stop();
  }
}

async function file(): Promise<void> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'millrace-fixtures-'));
  try {
    await runSteps(new FileStateStore(dir), 'Stock');
    const read = await readout(new FileStateStore(dir), 'Stock');
    await write('file', { dump: await dumpFiles(dir), readout: read });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

void (async () => {
  await file();
  await dynamodb();
  await firestore();
})().catch(e => {
  console.error(e);
  process.exit(1);
});
