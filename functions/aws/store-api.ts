// The Store API Lambda function (bundled to dist/aws/store-api.cjs): configuration and the app are
// read at cold start, so a wrong setting stops it before any request.
import { createStoreApiHandler } from './store-api-handler';

export const handler = createStoreApiHandler({ env: process.env });
