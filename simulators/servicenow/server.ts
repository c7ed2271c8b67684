// The HTTP front: reads the body, applies scripted faults and hibernation, authenticates, applies
// rate limits, routes, answers and logs. Built on node:http directly because the simulator must
// never be what limits casebridge's own benchmarks (the issue asks for >= 10,000 requests/s).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, SimRequest, type SimContext } from './context.js';
import type { FaultAction, FaultInjector } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import { route, unknownApi } from './router.js';
import {
  badRequestBody,
  envelope,
  errorResponse,
  HIBERNATING_HTML,
  SnError,
  type SimResponse,
} from './responses.js';

export interface FrontDeps {
  ctx: SimContext;
  faults: FaultInjector;
  rate: RateLimiter;
  log: RequestLog;
  /** Requests left hanging on purpose, ended by reset and close. */
  hung: Set<ServerResponse>;
  control: (req: SimRequest, res: ServerResponse) => void;
}

interface Outcome {
  response?: SimResponse;
  note?: string;
  user?: string;
}

/** Shared by requests without a query string; nothing writes to a request's query. */
const NO_QUERY = new URLSearchParams();

export function createListener(deps: FrontDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
      const sreq = new SimRequest(
        req.method ?? 'GET',
        q < 0 ? url : url.slice(0, q),
        q < 0 ? NO_QUERY : new URLSearchParams(url.slice(q + 1)),
        req.headers,
        body,
        undefined,
      );
      if (sreq.path.startsWith('/__control') || sreq.path === '/') {
        deps.control(sreq, res);
        return;
      }
      void serve(deps, sreq, res, size > MAX_BODY_BYTES).then(
        (outcome) => finish(deps, sreq, res, outcome, start),
        (err: unknown) => finish(deps, sreq, res, { response: internalError(err) }, start),
      );
    });
  };
}

async function serve(
  deps: FrontDeps,
  req: SimRequest,
  res: ServerResponse,
  tooLarge: boolean,
): Promise<Outcome> {
  const { ctx, faults } = deps;
  if (!faults.idle) {
    const delay = faults.latencyFor(req.method, req.path);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const action = faults.take(req.method, req.path);
    if (action) return applyFault(deps, action, res);
  }
  if (ctx.state.hibernating) {
    return {
      response: { status: 200, text: HIBERNATING_HTML, contentType: 'text/html' },
      note: 'hibernating',
    };
  }
  if (tooLarge) {
    return { response: errorResponse(badRequestBody(`Request body exceeds ${MAX_BODY_BYTES} bytes`)) };
  }
  if (req.path === '/oauth_token.do') {
    if (req.method !== 'POST')
      return { response: errorResponse(new SnError(405, 'Method not Supported', null)) };
    const r = await ctx.oauth.handle(
      String(req.headers['content-type'] ?? ''),
      req.text,
      req.headers.authorization,
    );
    return { response: r.response, note: r.note, ...(r.user === undefined ? {} : { user: r.user }) };
  }
  let user: string | undefined;
  let rateHeaders: Record<string, string> | undefined;
  try {
    const r = route(req.path) ?? unknownApi();
    req.user = ctx.users.authenticate(req.headers.authorization, ctx.oauth);
    user = req.user.user_name;
    if (deps.rate.active) {
      const decision = deps.rate.check(req.user, r.resource, req.method);
      rateHeaders = decision?.headers;
      if (decision?.retryAfter !== undefined) {
        const err = new SnError(
          429,
          'Too Many Requests',
          `Rate limit rule ${decision.ruleId} exceeded`,
          rateHeaders,
        );
        return { response: errorResponse(err), note: 'rate limited', user };
      }
    }
    const response = r.run(ctx, req);
    if (rateHeaders) response.headers = { ...rateHeaders, ...response.headers };
    return { response, ...(user === undefined ? {} : { user }) };
  } catch (err) {
    if (!(err instanceof SnError)) throw err;
    const response = errorResponse(err);
    if (rateHeaders) response.headers = { ...rateHeaders, ...response.headers };
    return { response, ...(user === undefined ? {} : { user }) };
  }
}

function applyFault(deps: FrontDeps, action: FaultAction, res: ServerResponse): Outcome {
  switch (action.kind) {
    case 'drop':
      res.socket?.destroy();
      return { note: 'fault: dropped connection' };
    case 'hang':
      deps.hung.add(res);
      res.on('close', () => deps.hung.delete(res));
      return { note: 'fault: hang' };
    case 'html':
      return {
        response: {
          status: action.status ?? 200,
          text: action.html ?? HIBERNATING_HTML,
          contentType: 'text/html',
        },
        note: 'fault: html',
      };
    case 'status': {
      const body = action.body ?? envelope('Simulated failure', `Injected HTTP ${action.status}`);
      const response: SimResponse =
        typeof body === 'string'
          ? { status: action.status, text: body, contentType: action.contentType ?? 'text/plain' }
          : { status: action.status, json: body };
      if (action.headers) response.headers = action.headers;
      return { response, note: `fault: status ${action.status}` };
    }
  }
}

function internalError(err: unknown): SimResponse {
  return {
    status: 500,
    json: envelope('Internal server error', err instanceof Error ? err.message : String(err)),
  };
}

export function send(res: ServerResponse, r: SimResponse): void {
  if (res.destroyed || res.headersSent) return;
  if (r.status === 204) {
    res.writeHead(204, r.headers);
    res.end();
    return;
  }
  const json = r.json !== undefined;
  const body = json ? JSON.stringify(r.json) : (r.text ?? '');
  const headers: Record<string, string | number> = {
    'Content-Type': json
      ? 'application/json;charset=UTF-8'
      : `${r.contentType ?? 'text/plain'};charset=UTF-8`,
    'Content-Length': Buffer.byteLength(body),
    ...r.headers,
  };
  res.writeHead(r.status, headers);
  res.end(body);
}

function finish(deps: FrontDeps, req: SimRequest, res: ServerResponse, out: Outcome, start: number): void {
  if (out.response) send(res, out.response);
  const now = performance.now();
  deps.log.record({
    timeMs: Date.now(),
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers,
    parsed: req.parsedBody,
    body: req.body,
    status: out.response?.status ?? 0,
    durationMs: now - start,
    user: out.user,
    note: out.note,
  });
}
