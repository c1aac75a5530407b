#!/usr/bin/env node
// S3 front: a strict HTTP front for s3rver, used as the S3 peer of klio's tests.
//
// s3rver 3.7.1 stores and serves objects well enough, but it accepts any signature, any
// x-amz-content-sha256 and any Content-MD5. This front sits before it and, for every request:
//   1. applies a scripted fault if one matches (see "Fault injection" below);
//   2. verifies AWS Signature V4 (Authorization header, or presigned query string) by
//      recomputing it with the official signer, @smithy/signature-v4, for the configured
//      access key, secret and region -> 403 SignatureDoesNotMatch / InvalidAccessKeyId / ...;
//   3. verifies x-amz-content-sha256 against the body (unless UNSIGNED-PAYLOAD; a missing
//      header is a 400) -> 400 XAmzContentSHA256Mismatch;
//   4. verifies Content-MD5 when present -> 400 BadDigest;
//   5. proxies the request (without its credentials) to s3rver on an internal port and
//      streams the answer back.
//
// Control API (never signed; bucket names cannot start with "_" so it cannot clash):
//   POST   /__control/faults    JSON fault or array of faults; answers {"ids":[...]}
//   GET    /__control/faults    the faults still armed
//   DELETE /__control/faults    disarms all faults
//   GET    /__control/requests  log of S3 requests seen: [{seq,method,path,query,status,...}]
//   DELETE /__control/requests  clears that log
//   GET    /__control/health    200 {"ok":true}
//
// A fault is {method?, path_regex?, count?, kind, status?, code?, message?, retry_after_s?,
// stall_ms?, when?}: it applies to the next `count` (default 1; -1 = until cleared) requests
// whose method equals `method` (any when absent) and whose path (without query) matches
// `path_regex` (any when absent). Kinds:
//   status    answer `status` (default 500) with an S3 XML error `code`/`message`;
//   throttle  answer 503 SlowDown with "Retry-After: <retry_after_s>" (default 1);
//   stall     wait `stall_ms` (default 5000), then handle the request normally;
//   drop      destroy the connection: when="before" (default) without any answer,
//             when="mid" after the status line, headers and half of the real body.
//
// Usage: node s3-front.js --data-dir DIR [--port 0] [--bucket NAME]... [--access-key K]
//          [--secret-key S] [--region R] [--ready-file PATH] [--max-skew-s 900] [--verbose]
// When listening it prints "S3FRONT READY port=<port>" and writes the ready file (JSON:
// {"port", "s3rver_port", "pid"}) atomically. Everything binds to 127.0.0.1 only.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const S3rver = require('s3rver');
const { SignatureV4, getCanonicalHeaders } = require('@smithy/signature-v4');

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = {
    port: 0,
    dataDir: '',
    buckets: [],
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    region: 'us-east-1',
    readyFile: '',
    maxSkewS: 900,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--port': opts.port = Number(next()); break;
      case '--data-dir': opts.dataDir = next(); break;
      case '--bucket': opts.buckets.push(...next().split(',').filter(Boolean)); break;
      case '--access-key': opts.accessKey = next(); break;
      case '--secret-key': opts.secretKey = next(); break;
      case '--region': opts.region = next(); break;
      case '--ready-file': opts.readyFile = next(); break;
      case '--max-skew-s': opts.maxSkewS = Number(next()); break;
      case '--verbose': opts.verbose = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!opts.dataDir) throw new Error('--data-dir is required');
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

// The SHA-256 implementation @smithy/signature-v4 expects (HMAC when constructed with a key).
class Sha256 {
  constructor(secret) {
    this.h = secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256');
  }
  update(data) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

function xmlEscape(s) {
  return String(s).replace(/[<>&'"]/g, (c) => ({
    '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;',
  })[c]);
}

// An S3-style error: HTTP status, code, message and extra XML elements (e.g. CanonicalRequest).
class S3Error extends Error {
  constructor(status, code, message, extra = {}, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

function sendS3Error(req, res, err) {
  const requestId = crypto.randomBytes(8).toString('hex').toUpperCase();
  let body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message>`;
  for (const [k, v] of Object.entries(err.extra)) body += `<${k}>${xmlEscape(v)}</${k}>`;
  body += `<RequestId>${requestId}</RequestId></Error>`;
  const headers = {
    'content-type': 'application/xml',
    'x-amz-request-id': requestId,
    ...err.headers,
  };
  if (req.method === 'HEAD') {
    res.writeHead(err.status, headers);
    res.end();
  } else {
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(err.status, headers);
    res.end(body);
  }
}

const kDefaultErrorCodes = {
  400: 'InvalidRequest', 403: 'AccessDenied', 404: 'NoSuchKey', 409: 'Conflict',
  500: 'InternalError', 501: 'NotImplemented', 503: 'ServiceUnavailable',
};

// Splits a raw query string into {key: value | [values]} with percent-decoding but without
// turning '+' into a space (SigV4 canonicalisation treats '+' literally).
function parseQuery(raw) {
  const query = {};
  if (!raw) return query;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (k in query) {
      query[k] = Array.isArray(query[k]) ? [...query[k], v] : [query[k], v];
    } else {
      query[k] = v;
    }
  }
  return query;
}

// "20150830T123600Z" -> Date, or null.
function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

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

// ---------------------------------------------------------------------------------------------
// SigV4 verification

const kPresignParams = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
  'X-Amz-SignedHeaders', 'X-Amz-Signature'];

class Verifier {
  constructor(opts) {
    this.opts = opts;
    this.signer = new SignatureV4({
      credentials: { accessKeyId: opts.accessKey, secretAccessKey: opts.secretKey },
      region: opts.region,
      service: 's3',
      sha256: Sha256,
      // S3 signs the path as sent (encoded once), unlike the other AWS services.
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  // Checks the credential scope "AK/date/region/service/aws4_request" and the clock skew.
  checkScope(credential, amzDate) {
    const parts = credential.split('/');
    if (parts.length !== 5 || parts[4] !== 'aws4_request') {
      throw new S3Error(400, 'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the Credential is mal-formed: ${credential}`);
    }
    const [ak, day, region, service] = parts;
    if (ak !== this.opts.accessKey) {
      throw new S3Error(403, 'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        { AWSAccessKeyId: ak });
    }
    if (region !== this.opts.region) {
      throw new S3Error(400, 'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the region '${region}' is wrong; ` +
        `expecting '${this.opts.region}'`, { Region: this.opts.region });
    }
    if (service !== 's3') {
      throw new S3Error(400, 'AuthorizationHeaderMalformed',
        `The authorization header is malformed; incorrect service '${service}'; expecting 's3'`);
    }
    const date = parseAmzDate(amzDate);
    if (!date) {
      throw new S3Error(403, 'AccessDenied',
        'AWS authentication requires a valid Date or x-amz-date header');
    }
    if (amzDate.slice(0, 8) !== day) {
      throw new S3Error(403, 'SignatureDoesNotMatch',
        `credential scope date ${day} does not match x-amz-date ${amzDate}`);
    }
    return date;
  }

  // The request as the signer sees it: only the headers the client says it signed.
  signable(req, pathOnly, query, signedHeaders) {
    const headers = {};
    for (const name of signedHeaders) {
      const v = req.headers[name];
      if (v === undefined) {
        throw new S3Error(403, 'AccessDenied',
          `signed header '${name}' is missing from the request`);
      }
      headers[name] = Array.isArray(v) ? v.join(',') : v;
    }
    const [hostname, port] = (req.headers.host || '').split(':');
    return {
      method: req.method, protocol: 'http:', hostname, port: port ? Number(port) : undefined,
      path: pathOnly, query, headers,
    };
  }

  mismatch(request, signedHeaders, payloadHash, amzDate, scope) {
    // Give the same hints as S3 does, so a broken signer can be debugged from the error.
    const canonical = this.signer.createCanonicalRequest(
      request, getCanonicalHeaders(request, undefined, new Set(signedHeaders)), payloadHash);
    const hash = crypto.createHash('sha256').update(canonical).digest('hex');
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hash}`;
    return new S3Error(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.',
      { AWSAccessKeyId: this.opts.accessKey, StringToSign: stringToSign,
        CanonicalRequest: canonical });
  }

  // Verifies the Authorization header; returns the payload hash the client signed.
  async verifyHeader(req, pathOnly, query) {
    const auth = req.headers.authorization;
    const m = /^AWS4-HMAC-SHA256 (.*)$/.exec(auth);
    if (!m) {
      throw new S3Error(400, 'InvalidArgument',
        'Unsupported Authorization Type (only AWS4-HMAC-SHA256 is accepted)');
    }
    const fields = {};
    for (const part of m[1].split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) {
      throw new S3Error(400, 'AuthorizationHeaderMalformed',
        'The authorization header is malformed; it needs Credential, SignedHeaders and Signature');
    }
    const amzDate = req.headers['x-amz-date'];
    const date = this.checkScope(fields.Credential, amzDate);
    const skewMs = Math.abs(Date.now() - date.getTime());
    if (this.opts.maxSkewS > 0 && skewMs > this.opts.maxSkewS * 1000) {
      throw new S3Error(403, 'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        { RequestTime: amzDate, ServerTime: new Date().toISOString() });
    }
    const signedHeaders = fields.SignedHeaders.split(';');
    if (!signedHeaders.includes('host')) {
      throw new S3Error(403, 'AccessDenied', "the 'host' header must be signed");
    }
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('x-amz-') && !signedHeaders.includes(name)) {
        throw new S3Error(403, 'AccessDenied',
          `There were headers present in the request which were not signed: ${name}`);
      }
    }
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (payloadHash === undefined) {
      throw new S3Error(400, 'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256');
    }
    const request = this.signable(req, pathOnly, query, signedHeaders);
    const signed = await this.signer.sign(request, {
      signingDate: date, signableHeaders: new Set(signedHeaders),
    });
    const want = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization)[1];
    const wantHeaders = /SignedHeaders=([^,]+)/.exec(signed.headers.authorization)[1];
    if (want !== fields.Signature || wantHeaders !== fields.SignedHeaders) {
      const scope = fields.Credential.split('/').slice(1).join('/');
      throw this.mismatch(request, signedHeaders, payloadHash, amzDate, scope);
    }
    return payloadHash;
  }

  // Verifies a presigned URL (X-Amz-* query parameters). The payload is always unsigned.
  async verifyPresigned(req, pathOnly, query) {
    for (const p of kPresignParams) {
      if (typeof query[p] !== 'string') {
        throw new S3Error(400, 'AuthorizationQueryParametersError', `presigned URL lacks ${p}`);
      }
    }
    if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') {
      throw new S3Error(400, 'AuthorizationQueryParametersError',
        'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    }
    const amzDate = query['X-Amz-Date'];
    const date = this.checkScope(query['X-Amz-Credential'], amzDate);
    const expires = Number(query['X-Amz-Expires']);
    if (Date.now() > date.getTime() + expires * 1000) {
      throw new S3Error(403, 'AccessDenied', 'Request has expired',
        { XAmzExpires: expires, Expires: new Date(date.getTime() + expires * 1000).toISOString() });
    }
    const signedHeaders = query['X-Amz-SignedHeaders'].split(';');
    const rest = {};
    for (const [k, v] of Object.entries(query)) if (!kPresignParams.includes(k)) rest[k] = v;
    const request = this.signable(req, pathOnly, rest, signedHeaders);
    // A body that is neither a string nor bytes makes the signer use UNSIGNED-PAYLOAD, which
    // is what S3 presigned URLs sign.
    const presigned = await this.signer.presign({ ...request, body: {} }, {
      signingDate: date, expiresIn: expires, signableHeaders: new Set(signedHeaders),
      unhoistableHeaders: new Set(signedHeaders.filter((h) => h.startsWith('x-amz-'))),
    });
    if (presigned.query['X-Amz-Signature'] !== query['X-Amz-Signature']) {
      const scope = query['X-Amz-Credential'].split('/').slice(1).join('/');
      const canonicalRequest = { ...request, query: presigned.query };
      throw this.mismatch(canonicalRequest, signedHeaders, 'UNSIGNED-PAYLOAD', amzDate, scope);
    }
    return 'UNSIGNED-PAYLOAD';
  }
}

// Checks x-amz-content-sha256 and Content-MD5 against the body.
function verifyPayload(req, payloadHash, body) {
  if (payloadHash.startsWith('STREAMING-')) {
    throw new S3Error(501, 'NotImplemented',
      `the S3 test front does not support aws-chunked payloads (${payloadHash})`);
  }
  if (payloadHash !== 'UNSIGNED-PAYLOAD') {
    if (!/^[0-9a-f]{64}$/.test(payloadHash)) {
      throw new S3Error(400, 'InvalidArgument',
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.',
        { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash });
    }
    const actual = crypto.createHash('sha256').update(body).digest('hex');
    if (actual !== payloadHash) {
      throw new S3Error(400, 'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: actual });
    }
  }
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined) {
    const raw = Buffer.from(md5, 'base64');
    if (raw.length !== 16 || raw.toString('base64') !== md5) {
      throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
    }
    const actual = crypto.createHash('md5').update(body).digest('base64');
    if (actual !== md5) {
      throw new S3Error(400, 'BadDigest',
        'The Content-MD5 you specified did not match what we received.',
        { ExpectedDigest: md5, CalculatedDigest: actual });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Faults and the request log

class Faults {
  constructor() {
    this.list = [];
    this.nextId = 1;
  }

  add(spec) {
    const kinds = ['status', 'throttle', 'stall', 'drop'];
    if (!kinds.includes(spec.kind)) throw new Error(`fault kind must be one of ${kinds.join('|')}`);
    if (spec.path_regex !== undefined) new RegExp(spec.path_regex);  // validate early
    const fault = { id: this.nextId++, count: 1, ...spec };
    this.list.push(fault);
    return fault.id;
  }

  // Returns (and consumes one use of) the first fault matching the request, or null.
  take(method, pathOnly) {
    for (let i = 0; i < this.list.length; i++) {
      const f = this.list[i];
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (f.path_regex !== undefined && !new RegExp(f.path_regex).test(pathOnly)) continue;
      if (f.count > 0 && --f.count === 0) this.list.splice(i, 1);
      return f;
    }
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Proxy to s3rver

const kHopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding',
  'te', 'trailer', 'upgrade', 'expect', 'authorization']);

// Sends the (verified) request to s3rver without its credentials; resolves with the upstream
// response (a readable stream with statusCode and headers).
function forward(opts, req, pathOnly, body) {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!kHopByHop.has(k)) headers[k] = v;
  headers.host = `127.0.0.1:${opts.s3rverPort}`;
  headers['content-length'] = String(body.length);
  // Keep the raw query (s3rver sees the same encoding) minus the presigned-URL credentials.
  const q = req.url.indexOf('?');
  const parts = (q < 0 ? '' : req.url.slice(q + 1)).split('&').filter((part) => {
    if (part === '') return false;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    return !kPresignParams.includes(key) && key !== 'X-Amz-Security-Token';
  });
  const target = pathOnly + (parts.length ? `?${parts.join('&')}` : '');
  return new Promise((resolve, reject) => {
    const up = http.request({
      host: '127.0.0.1', port: opts.s3rverPort, method: req.method, path: target, headers,
    }, resolve);
    up.on('error', reject);
    up.end(body);
  });
}

function upstreamHeaders(up) {
  const headers = {};
  for (const [k, v] of Object.entries(up.headers)) if (!kHopByHop.has(k)) headers[k] = v;
  return headers;
}

// ---------------------------------------------------------------------------------------------
// The front

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const faults = new Faults();
  const log = [];
  let seq = 0;
  const verifier = new Verifier(opts);

  async function handleS3(req, res, entry) {
    const url = req.url;
    const q = url.indexOf('?');
    const pathOnly = q < 0 ? url : url.slice(0, q);
    const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    entry.path = pathOnly;
    entry.query = q < 0 ? '' : url.slice(q + 1);
    const body = await readBody(req);
    entry.bytes_in = body.length;

    const fault = faults.take(req.method, pathOnly);
    if (fault) entry.fault = fault.kind;
    if (fault && fault.kind === 'stall') await sleep(fault.stall_ms ?? 5000);
    if (fault && fault.kind === 'drop' && (fault.when ?? 'before') === 'before') {
      entry.status = 0;
      entry.dropped = true;
      req.socket.destroy();
      return;
    }
    if (fault && fault.kind === 'throttle') {
      throw new S3Error(503, 'SlowDown', fault.message ?? 'Please reduce your request rate.', {},
        { 'retry-after': String(fault.retry_after_s ?? 1) });
    }
    if (fault && fault.kind === 'status') {
      const status = fault.status ?? 500;
      throw new S3Error(status, fault.code ?? kDefaultErrorCodes[status] ?? 'InjectedFault',
        fault.message ?? `injected fault: HTTP ${status}`);
    }

    let payloadHash;
    const presigned = 'X-Amz-Algorithm' in query;
    if (req.headers.authorization !== undefined && presigned) {
      throw new S3Error(400, 'InvalidArgument', 'Only one auth mechanism allowed');
    } else if (req.headers.authorization !== undefined) {
      payloadHash = await verifier.verifyHeader(req, pathOnly, query);
    } else if (presigned) {
      payloadHash = await verifier.verifyPresigned(req, pathOnly, query);
    } else {
      throw new S3Error(403, 'AccessDenied',
        'Anonymous access is not allowed by the S3 test front');
    }
    verifyPayload(req, payloadHash, body);

    const up = await forward(opts, req, pathOnly, body);
    entry.status = up.statusCode;
    if (fault && fault.kind === 'drop') {
      entry.dropped = true;
      // when == "mid": announce the full body, send half of it, then cut the connection.
      const data = await readBody(up);
      const headers = upstreamHeaders(up);
      headers['content-length'] = String(data.length);
      res.writeHead(up.statusCode, headers);
      res.write(data.subarray(0, Math.floor(data.length / 2)));
      setTimeout(() => req.socket.destroy(), 50);
      return;
    }
    res.writeHead(up.statusCode, upstreamHeaders(up));
    up.pipe(res);
  }

  async function handleControl(req, res) {
    const url = new URL(req.url, 'http://127.0.0.1');
    const body = await readBody(req);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /__control/health':
        return sendJson(res, 200, { ok: true });
      case 'POST /__control/faults': {
        let specs;
        try {
          specs = JSON.parse(body.toString('utf8'));
          specs = Array.isArray(specs) ? specs : [specs];
          return sendJson(res, 200, { ids: specs.map((s) => faults.add(s)) });
        } catch (e) {
          return sendJson(res, 400, { error: String(e.message || e) });
        }
      }
      case 'GET /__control/faults':
        return sendJson(res, 200, faults.list);
      case 'DELETE /__control/faults':
        faults.list = [];
        return sendJson(res, 200, { ok: true });
      case 'GET /__control/requests':
        return sendJson(res, 200, log);
      case 'DELETE /__control/requests':
        log.length = 0;
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, { error: `no control route ${route}` });
    }
  }

  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/__control/')) {
      handleControl(req, res).catch((e) => sendJson(res, 500, { error: String(e) }));
      return;
    }
    const entry = { seq: ++seq, method: req.method, path: '', query: '', status: 0,
      time: new Date().toISOString() };
    log.push(entry);
    handleS3(req, res, entry).catch((e) => {
      const err = e instanceof S3Error ? e
        : new S3Error(500, 'InternalError', String(e.stack || e));
      entry.status = err.status;
      entry.error_code = err.code;
      if (!res.headersSent && !res.destroyed) sendS3Error(req, res, err);
      else res.destroy();
    }).finally(() => {
      const tag = entry.fault ? ` fault=${entry.fault}` : '';
      const code = entry.error_code ? ` ${entry.error_code}` : '';
      console.log(`${entry.method} ${entry.path}${entry.query ? '?' + entry.query : ''} -> ` +
        `${entry.status}${code}${tag}`);
    });
  });

  fs.mkdirSync(opts.dataDir, { recursive: true });
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: opts.dataDir,
    silent: !opts.verbose,
    configureBuckets: opts.buckets.map((name) => ({ name })),
  });
  s3rver.run().then((addr) => {
    opts.s3rverPort = addr.port;
    server.listen(opts.port, '127.0.0.1', () => {
      const port = server.address().port;
      if (opts.readyFile) {
        const tmp = `${opts.readyFile}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify({ port, s3rver_port: addr.port, pid: process.pid }));
        fs.renameSync(tmp, opts.readyFile);
      }
      console.log(`S3FRONT READY port=${port} s3rver_port=${addr.port} ` +
        `buckets=${opts.buckets.join(',')} data=${path.resolve(opts.dataDir)}`);
    });
  }).catch((e) => {
    console.error(`s3-front: cannot start s3rver: ${e.stack || e}`);
    process.exit(1);
  });

  // A test that dies without stopping its peer (crash, SIGKILL on timeout) must not leave it
  // running: exit when the parent process is gone (we are re-parented).
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) process.exit(0);
  }, 500).unref();

  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  main();
} catch (e) {
  console.error(`s3-front: ${e.message}`);
  process.exit(2);
}
