// The HTTP ingest Lambda function (bundled to dist/aws/http-ingest.cjs): configuration and the
// app are read at cold start, so a wrong setting stops it before any request.
import { createHttpIngestHandler } from './http-ingest-handler';

export const handler = createHttpIngestHandler({ env: process.env });
