#!/usr/bin/env node
// OTLP receiver: the OpenTelemetry peer of klio's tests.
//
// Accepts OTLP/HTTP (POST /v1/traces|/v1/metrics|/v1/logs, application/x-protobuf or
// application/json, optionally Content-Encoding: gzip) and OTLP/gRPC (the three
// opentelemetry.proto.collector.<signal>.v1.<Signal>Service/Export methods; grpc-js handles
// grpc-encoding gzip) on two 127.0.0.1 ports. Requests are decoded with the official protobuf
// definitions (the protobufjs static root of @opentelemetry/otlp-transformer 0.214.0) and kept
// in memory as JSON: toObject with longs as strings, enums as names, ids (traceId, spanId,
// parentSpanId) as lowercase hex and other bytes as base64. Only fields present on the wire
// appear (no defaults), so a test can also check what an encoder omitted.
//
// Control API (on the HTTP port):
//   GET    /__control/received?signal=traces[&transport=http|grpc]   array of stored requests:
//            {seq, signal, transport, path, headers, content_type, content_encoding,
//             body_bytes, request | decode_error, response: {http_status | grpc_code, ...}}
//   DELETE /__control/received                 forget every stored request
//   POST   /__control/responses                {signal, transport, responses: [answer...]}
//            replaces the queue of scripted answers for that signal and transport. Each
//            request consumes one answer; when the queue is empty the answer is success.
//            answer = {http_status?, grpc_code?, message?, retry_after_s?,
//                      partial_success?: {rejected, error_message}, delay_ms?}
//            HTTP: a non-200 http_status answers with a google.rpc.Status body and, with
//            retry_after_s, a Retry-After header. gRPC: a non-zero grpc_code fails the call;
//            with retry_after_s the trailers carry grpc-status-details-bin = google.rpc.Status
//            holding a google.rpc.RetryInfo. delay_ms delays the answer (a huge value = never).
//   GET    /__control/responses                 the queues still pending
//   DELETE /__control/responses                 drop every scripted answer
//   GET    /__control/health                    200 {"ok":true}
//
// Usage: node otlp-receiver.js [--http-port 0] [--grpc-port 0] [--ready-file PATH]
// When listening it prints "OTLP RECEIVER READY http_port=<p> grpc_port=<q>" and writes the
// ready file (JSON {"http_port", "grpc_port", "pid"}) atomically.
'use strict';

const fs = require('fs');
const http = require('http');
const zlib = require('zlib');
const grpc = require('@grpc/grpc-js');
const protobuf = require('protobufjs');
const root = require('otlp-root/build/src/generated/root.js');

const collector = root.opentelemetry.proto.collector;

// Per signal: HTTP path, gRPC method, request/response types and the partial-success field.
const kSignals = {
  traces: {
    httpPath: '/v1/traces',
    grpcPath: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    Request: collector.trace.v1.ExportTraceServiceRequest,
    Response: collector.trace.v1.ExportTraceServiceResponse,
    rejectedField: 'rejectedSpans',
  },
  metrics: {
    httpPath: '/v1/metrics',
    grpcPath: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    Request: collector.metrics.v1.ExportMetricsServiceRequest,
    Response: collector.metrics.v1.ExportMetricsServiceResponse,
    rejectedField: 'rejectedDataPoints',
  },
  logs: {
    httpPath: '/v1/logs',
    grpcPath: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    Request: collector.logs.v1.ExportLogsServiceRequest,
    Response: collector.logs.v1.ExportLogsServiceResponse,
    rejectedField: 'rejectedLogRecords',
  },
};

// google.rpc.Status, google.protobuf.Any, google.rpc.RetryInfo and google.protobuf.Duration,
// defined by hand (they are tiny and not part of the OTLP root).
const rpcRoot = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: {
              fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } },
            },
            Duration: {
              fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } },
            },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const RetryInfo = rpcRoot.lookupType('google.rpc.RetryInfo');

const kIdFields = new Set(['traceId', 'spanId', 'parentSpanId']);

// Rewrites id fields in place: base64 (protobufjs toObject) -> hex, or the reverse for OTLP/JSON
// input (hex on the wire, base64 for protobufjs fromObject).
function convertIds(value, from, to) {
  if (Array.isArray(value)) {
    value.forEach((v) => convertIds(v, from, to));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (kIdFields.has(k) && typeof v === 'string') value[k] = Buffer.from(v, from).toString(to);
      else convertIds(v, from, to);
    }
  }
  return value;
}

function toJson(Type, message) {
  const obj = Type.toObject(message, { longs: String, enums: String, bytes: String });
  return convertIds(obj, 'base64', 'hex');
}

// Decodes an OTLP body (already decompressed) as protobuf or OTLP/JSON.
function decodeBody(signal, contentType, body) {
  const { Request } = kSignals[signal];
  if (contentType.startsWith('application/json')) {
    const obj = convertIds(JSON.parse(body.toString('utf8')), 'hex', 'base64');
    return toJson(Request, Request.fromObject(obj));
  }
  return toJson(Request, Request.decode(body));
}

// The success response message for a signal, with partial success when scripted.
function successMessage(signal, answer) {
  const { Response, rejectedField } = kSignals[signal];
  const fields = {};
  if (answer.partial_success) {
    fields.partialSuccess = {
      [rejectedField]: answer.partial_success.rejected ?? 0,
      errorMessage: answer.partial_success.error_message ?? '',
    };
  }
  return Response.fromObject(fields);
}

function rpcStatusBytes(code, message, retryAfterS) {
  const details = [];
  if (retryAfterS !== undefined) {
    const seconds = Math.floor(retryAfterS);
    const nanos = Math.round((retryAfterS - seconds) * 1e9);
    details.push({
      type_url: 'type.googleapis.com/google.rpc.RetryInfo',
      value: RetryInfo.encode(RetryInfo.create({ retry_delay: { seconds, nanos } })).finish(),
    });
  }
  return Buffer.from(RpcStatus.encode(RpcStatus.create({ code, message, details })).finish());
}

// ---------------------------------------------------------------------------------------------
// State shared by both transports

const state = {
  received: [],
  seq: 0,
  // "<signal>/<transport>" -> array of scripted answers
  scripts: new Map(),
};

function nextAnswer(signal, transport) {
  const queue = state.scripts.get(`${signal}/${transport}`);
  return (queue && queue.length) ? queue.shift() : {};
}

function record(entry) {
  entry.seq = ++state.seq;
  entry.time = new Date().toISOString();
  state.received.push(entry);
  const what = entry.decode_error ? `decode error: ${entry.decode_error}` : 'ok';
  console.log(`${entry.transport} ${entry.path} ${entry.body_bytes} bytes ` +
    `(${entry.content_type || '-'}, ${entry.content_encoding || 'identity'}): ${what}`);
  return entry;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// OTLP/HTTP and the control API

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json', 'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function handleOtlpHttp(signal, req, res) {
  const raw = await readBody(req);
  const contentType = (req.headers['content-type'] || '').toLowerCase();
  const encoding = (req.headers['content-encoding'] || '').toLowerCase();
  const entry = {
    signal, transport: 'http', path: req.url, headers: { ...req.headers },
    content_type: contentType, content_encoding: encoding || 'identity', body_bytes: raw.length,
  };
  const json = contentType.startsWith('application/json');
  let answer = {};
  try {
    let body = raw;
    if (encoding === 'gzip') body = zlib.gunzipSync(raw);
    else if (encoding && encoding !== 'identity') {
      throw new Error(`unsupported content-encoding ${encoding}`);
    }
    if (!json && !contentType.startsWith('application/x-protobuf')) {
      throw new Error(`unsupported content-type '${contentType}'`);
    }
    entry.request = decodeBody(signal, contentType, body);
    answer = nextAnswer(signal, 'http');
  } catch (e) {
    entry.decode_error = String(e.message || e);
    answer = { http_status: 400, message: entry.decode_error };
  }
  record(entry);
  if (answer.delay_ms) await sleep(answer.delay_ms);
  const status = answer.http_status ?? 200;
  entry.response = { http_status: status };
  const headers = { 'content-type': json ? 'application/json' : 'application/x-protobuf' };
  let body;
  if (status === 200) {
    const msg = successMessage(signal, answer);
    if (answer.partial_success) entry.response.partial_success = answer.partial_success;
    body = json ? JSON.stringify(kSignals[signal].Response.toObject(msg, { longs: String }))
      : Buffer.from(kSignals[signal].Response.encode(msg).finish());
  } else {
    const message = answer.message ?? `scripted HTTP ${status}`;
    body = json ? JSON.stringify({ code: 0, message })
      : rpcStatusBytes(0, message, undefined);
    if (answer.retry_after_s !== undefined) headers['retry-after'] = String(answer.retry_after_s);
  }
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

async function handleControl(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const body = await readBody(req);
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /__control/health':
      return sendJson(res, 200, { ok: true });
    case 'GET /__control/received': {
      const signal = url.searchParams.get('signal');
      const transport = url.searchParams.get('transport');
      return sendJson(res, 200, state.received.filter((e) =>
        (!signal || e.signal === signal) && (!transport || e.transport === transport)));
    }
    case 'DELETE /__control/received':
      state.received = [];
      return sendJson(res, 200, { ok: true });
    case 'POST /__control/responses': {
      let spec;
      try {
        spec = JSON.parse(body.toString('utf8'));
      } catch (e) {
        return sendJson(res, 400, { error: `bad JSON: ${e.message}` });
      }
      if (!kSignals[spec.signal] || !['http', 'grpc'].includes(spec.transport) ||
          !Array.isArray(spec.responses)) {
        return sendJson(res, 400, {
          error: 'want {signal: traces|metrics|logs, transport: http|grpc, responses: [...]}',
        });
      }
      state.scripts.set(`${spec.signal}/${spec.transport}`, [...spec.responses]);
      return sendJson(res, 200, { ok: true, queued: spec.responses.length });
    }
    case 'GET /__control/responses':
      return sendJson(res, 200, Object.fromEntries(state.scripts));
    case 'DELETE /__control/responses':
      state.scripts.clear();
      return sendJson(res, 200, { ok: true });
    default:
      return sendJson(res, 404, { error: `no control route ${route}` });
  }
}

function startHttp(port) {
  const byPath = {};
  for (const [signal, s] of Object.entries(kSignals)) byPath[s.httpPath] = signal;
  const server = http.createServer((req, res) => {
    const pathOnly = req.url.split('?')[0];
    let work;
    if (pathOnly.startsWith('/__control/')) {
      work = handleControl(req, res);
    } else if (req.method === 'POST' && byPath[pathOnly]) {
      work = handleOtlpHttp(byPath[pathOnly], req, res);
    } else {
      work = Promise.resolve(sendJson(res, 404, { error: `no route ${req.method} ${pathOnly}` }));
    }
    work.catch((e) => {
      console.error(`http handler: ${e.stack || e}`);
      if (!res.headersSent) sendJson(res, 500, { error: String(e) });
    });
  });
  // OTLP clients keep connections alive; do not let a slow test see a half-closed socket.
  server.keepAliveTimeout = 60000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

// ---------------------------------------------------------------------------------------------
// OTLP/gRPC

function metadataToHeaders(metadata) {
  const headers = {};
  for (const [k, v] of Object.entries(metadata.getMap())) {
    headers[k] = Buffer.isBuffer(v) ? v.toString('base64') : String(v);
  }
  return headers;
}

function grpcHandler(signal) {
  const { grpcPath } = kSignals[signal];
  return (call, callback) => {
    const entry = {
      signal, transport: 'grpc', path: grpcPath, headers: metadataToHeaders(call.metadata),
      content_type: 'application/grpc', content_encoding: receivedEncoding(call.metadata),
      body_bytes: call.request.bytes, request: call.request.json,
    };
    delete entry.headers['x-klio-received-grpc-encoding'];
    const answer = nextAnswer(signal, 'grpc');
    record(entry);
    const respond = () => {
      const code = answer.grpc_code ?? 0;
      entry.response = { grpc_code: code };
      if (code === 0) {
        if (answer.partial_success) entry.response.partial_success = answer.partial_success;
        callback(null, successMessage(signal, answer));
        return;
      }
      const message = answer.message ?? `scripted gRPC status ${code}`;
      const trailers = new grpc.Metadata();
      if (answer.retry_after_s !== undefined) {
        trailers.set('grpc-status-details-bin',
          rpcStatusBytes(code, message, answer.retry_after_s));
        entry.response.retry_after_s = answer.retry_after_s;
      }
      callback({ code, details: message, metadata: trailers });
    };
    if (answer.delay_ms) setTimeout(respond, answer.delay_ms);
    else respond();
  };
}

// grpc-js strips grpc-encoding from the metadata the handler sees; the interceptor below copies
// it into a private key first so the stored request can show it.
function receivedEncoding(metadata) {
  const v = metadata.get('x-klio-received-grpc-encoding');
  return v.length ? String(v[0]) : 'identity';
}

function encodingInterceptor(methodDescriptor, call) {
  if (call && call.metadata && typeof call.incomingEncoding === 'string') {
    call.metadata.set('x-klio-received-grpc-encoding', call.incomingEncoding);
  }
  return call;
}

function startGrpc(port) {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    interceptors: [encodingInterceptor],
  });
  for (const [signal, s] of Object.entries(kSignals)) {
    const definition = {
      Export: {
        path: s.grpcPath,
        requestStream: false,
        responseStream: false,
        // Decoding happens here so a malformed message becomes INVALID_ARGUMENT from grpc-js
        // (it maps a deserializer exception to INTERNAL; we catch and keep the error instead).
        requestDeserialize: (buf) => {
          try {
            return { bytes: buf.length, json: toJson(s.Request, s.Request.decode(buf)) };
          } catch (e) {
            return { bytes: buf.length, json: null, error: String(e.message || e) };
          }
        },
        requestSerialize: (m) => Buffer.from(s.Request.encode(m).finish()),
        responseSerialize: (m) => Buffer.from(s.Response.encode(m).finish()),
        responseDeserialize: (buf) => s.Response.decode(buf),
      },
    };
    const handler = grpcHandler(signal);
    server.addService(definition, {
      Export: (call, callback) => {
        if (call.request.error) {
          record({
            signal, transport: 'grpc', path: s.grpcPath, headers: metadataToHeaders(call.metadata),
            content_type: 'application/grpc', content_encoding: receivedEncoding(call.metadata),
            body_bytes: call.request.bytes, decode_error: call.request.error,
            response: { grpc_code: grpc.status.INVALID_ARGUMENT },
          });
          callback({ code: grpc.status.INVALID_ARGUMENT, details: call.request.error });
          return;
        }
        handler(call, callback);
      },
    });
  }
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => {
      if (err) reject(err);
      else resolve(p);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Main

function parseArgs(argv) {
  const opts = { httpPort: 0, grpcPort: 0, readyFile: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    switch (a) {
      case '--http-port': opts.httpPort = Number(argv[++i]); break;
      case '--grpc-port': opts.grpcPort = Number(argv[++i]); break;
      case '--ready-file': opts.readyFile = argv[++i]; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const httpPort = await startHttp(opts.httpPort);
  const grpcPort = await startGrpc(opts.grpcPort);
  if (opts.readyFile) {
    const tmp = `${opts.readyFile}.tmp`;
    const ready = { http_port: httpPort, grpc_port: grpcPort, pid: process.pid };
    fs.writeFileSync(tmp, JSON.stringify(ready));
    fs.renameSync(tmp, opts.readyFile);
  }
  console.log(`OTLP RECEIVER READY http_port=${httpPort} grpc_port=${grpcPort}`);
}

// A test that dies without stopping its peer (crash, SIGKILL on timeout) must not leave it
// running: exit when the parent process is gone (we are re-parented).
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 500).unref();

// Pending scripted delays must not keep a stopped receiver alive.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
main().catch((e) => {
  console.error(`otlp-receiver: ${e.stack || e}`);
  process.exit(1);
});
