import { MillraceError } from '../../core';

/**
 * An HTTP request as the functions hand it over, whatever the platform (API Gateway payload v2,
 * Cloud Functions' express request, `millrace dev`'s node:http server): header names lower case,
 * the body as received (the platform's base64 already undone).
 */
export interface HttpRequest {
  readonly method: string;
  /** The raw path, without the query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  /** When the platform received it (API Gateway's `requestContext.timeEpoch`): the events' time unless mapped. */
  readonly receivedAt: number;
  /** The platform's id of the request (API Gateway's `requestContext.requestId`). */
  readonly requestId: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A JSON answer. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** WSO2 SI's error envelope (DESIGN.md section 4), used by every HTTP answer of Millrace that is an error. */
export function errorResponse(status: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  return jsonResponse(status, { code: status, type: 'error', message }, headers);
}

/** A sink could not deliver a payload and its `on.error` did not absorb the failure. */
export class SinkError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SINK', message, options);
  }
}

/** The header every HTTP sink request carries: the output's deterministic outbox id, for consumers to drop duplicates. */
export const EVENT_ID_HEADER = 'X-Millrace-Event-Id';
