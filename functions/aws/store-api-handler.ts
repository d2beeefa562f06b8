import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoDBStateStore, type DynamoDBSender } from '../../adapters/aws/dynamodb-state-store';
import { storeQuery } from '../../adapters/http/store-api';
import { jsonLogger } from '../../adapters/node/json-logger';
import { requestOfEvent, resultOfResponse } from './api-gateway';
import { loadApp } from './app-loader';
import { ConfigError, readConfig, storeApiKeys } from './config';

export interface StoreApiDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dynamodb?: DynamoDBSender;
  readonly write?: (line: string) => void;
  readonly readFile?: (path: string) => string;
}

/** The Store API function: `POST /stores/query` through API Gateway HTTP API (payload v2). */
export function createStoreApiHandler(deps: StoreApiDeps) {
  const config = readConfig(deps.env, storeApiKeys);
  if (config.MILLRACE_STORE_API_AUTH === 'api-key' && !config.MILLRACE_STORE_API_KEYS.length)
    throw new ConfigError("configuration: MILLRACE_STORE_API_KEYS is required with MILLRACE_STORE_API_AUTH='api-key' (or set MILLRACE_STORE_API_AUTH=iam and authorise the route with IAM)");
  const plan = loadApp(config.MILLRACE_APP_FILE, deps.env, deps.readFile);
  const logger = jsonLogger({ level: config.MILLRACE_LOG_LEVEL, fields: { app: plan.name, function: 'store-api' }, write: deps.write });
  const store = new DynamoDBStateStore(deps.dynamodb ?? new DynamoDBClient({}), { tableName: config.MILLRACE_STATE_TABLE, logger });
  const options = {
    apps: new Map([[plan.name, plan]]),
    store,
    apiKeys: config.MILLRACE_STORE_API_AUTH === 'iam' ? null : config.MILLRACE_STORE_API_KEYS,
    allowWrites: config.MILLRACE_STORE_API_WRITES,
    rowLimit: config.MILLRACE_STORE_API_ROW_LIMIT,
    maxBodyBytes: config.MILLRACE_STORE_API_MAX_BODY_BYTES,
    basePath: config.MILLRACE_HTTP_BASE_PATH,
  };
  return middy(async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const log = logger.with({ invocation: context.awsRequestId, request: event.requestContext.requestId });
    const response = await storeQuery(requestOfEvent(event), { ...options, logger: log });
    log.info(`answered ${response.status}`);
    return resultOfResponse(response);
  });
}
