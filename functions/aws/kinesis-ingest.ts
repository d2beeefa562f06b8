/**
 * The Kinesis ingest Lambda entry point (bundled as `dist/aws/kinesis-ingest.cjs`, handler
 * `handler`): configuration read and the app compiled when the module loads, at cold start, so a
 * wrong setting stops the function's init with a clear message.
 */
import { createKinesisIngest } from './kinesis-ingest-handler';

export { createKinesisIngest, KINESIS_INGEST_CONFIG, type KinesisIngestDeps } from './kinesis-ingest-handler';
export const handler = createKinesisIngest(process.env);
