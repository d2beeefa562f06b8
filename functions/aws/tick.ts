/**
 * The tick function (AWS Lambda, EventBridge schedule): see tick-handler.ts. Its settings are read
 * and the app compiled here, at cold start, so a bad setting stops the function before any tick.
 */
import { tickHandlerFromEnv } from './tick-handler';

export const handler = tickHandlerFromEnv(process.env);
