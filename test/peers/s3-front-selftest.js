#!/usr/bin/env node
// Self-test of s3-front.js with the official AWS SDK (@aws-sdk/client-s3): every request the SDK
// signs correctly must pass the front's checks (the s3rver fork that verifies SigV4 fails this
// for requests with a query string), and a presigned URL made with @smithy/signature-v4 must
// work while a tampered one must not. Run by ctest (label "peer"); exits non-zero on failure.
'use strict';

const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const {
  S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  DeleteObjectsCommand, CreateMultipartUploadCommand, UploadPartCommand,
  CompleteMultipartUploadCommand, CopyObjectCommand,
} = require('@aws-sdk/client-s3');
const { SignatureV4 } = require('@smithy/signature-v4');

const kAccess = 'SELFTESTKEY';
const kSecret = 'selftest-secret';
const kRegion = 'eu-central-1';
const kBucket = 'selftest';

class Sha256 {
  constructor(secret) {
    this.h = secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256');
  }
  update(d) { this.h.update(d); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

async function startFront(dir) {
  const ready = path.join(dir, 'ready.json');
  const child = spawn(process.execPath, [path.join(__dirname, 's3-front.js'),
    '--data-dir', path.join(dir, 'data'), '--bucket', kBucket, '--access-key', kAccess,
    '--secret-key', kSecret, '--region', kRegion, '--ready-file', ready], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
  });
  for (let i = 0; i < 600 && !fs.existsSync(ready); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port: JSON.parse(fs.readFileSync(ready, 'utf8')).port };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klio-s3-selftest-'));
  const { child, port } = await startFront(dir);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const client = new S3Client({
      endpoint, region: kRegion, forcePathStyle: true,
      credentials: { accessKeyId: kAccess, secretAccessKey: kSecret },
      // The front refuses aws-chunked bodies, which the SDK's default checksums would use.
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const body = crypto.randomBytes(100000);
    await client.send(new PutObjectCommand({ Bucket: kBucket, Key: 'dir/a b+c.bin', Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: kBucket, Key: 'dir/a b+c.bin' }));
    assert.ok(Buffer.from(await got.Body.transformToByteArray()).equals(body), 'GET bytes');
    const ranged = await client.send(new GetObjectCommand(
      { Bucket: kBucket, Key: 'dir/a b+c.bin', Range: 'bytes=10-19' }));
    assert.ok(Buffer.from(await ranged.Body.transformToByteArray()).equals(body.subarray(10, 20)));
    const head = await client.send(
      new HeadObjectCommand({ Bucket: kBucket, Key: 'dir/a b+c.bin' }));
    assert.strictEqual(head.ContentLength, body.length);
    await client.send(new CopyObjectCommand(
      { Bucket: kBucket, Key: 'dir/copy', CopySource: `${kBucket}/dir/a b+c.bin` }));

    for (let i = 0; i < 5; i++) {
      await client.send(
        new PutObjectCommand({ Bucket: kBucket, Key: `list/k${i}`, Body: `v${i}` }));
    }
    const keys = [];
    let token;
    do {
      const page = await client.send(new ListObjectsV2Command(
        { Bucket: kBucket, Prefix: 'list/', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents || []).map((o) => o.Key));
      token = page.NextContinuationToken;
    } while (token);
    assert.deepStrictEqual(keys, ['list/k0', 'list/k1', 'list/k2', 'list/k3', 'list/k4']);
    const deleted = await client.send(new DeleteObjectsCommand({
      Bucket: kBucket, Delete: { Objects: keys.slice(0, 3).map((Key) => ({ Key })) },
    }));
    assert.strictEqual((deleted.Deleted || []).length, 3, 'DeleteObjects');

    const mpu = await client.send(new CreateMultipartUploadCommand({ Bucket: kBucket, Key: 'mp' }));
    const part1 = crypto.randomBytes(5 * 1024 * 1024);
    const part2 = crypto.randomBytes(1000);
    const parts = [];
    for (const [i, data] of [part1, part2].entries()) {
      const r = await client.send(new UploadPartCommand(
        { Bucket: kBucket, Key: 'mp', UploadId: mpu.UploadId, PartNumber: i + 1, Body: data }));
      parts.push({ ETag: r.ETag, PartNumber: i + 1 });
    }
    await client.send(new CompleteMultipartUploadCommand(
      { Bucket: kBucket, Key: 'mp', UploadId: mpu.UploadId, MultipartUpload: { Parts: parts } }));
    const mp = await client.send(new GetObjectCommand({ Bucket: kBucket, Key: 'mp' }));
    const mpBytes = Buffer.from(await mp.Body.transformToByteArray());
    assert.ok(mpBytes.equals(Buffer.concat([part1, part2])));

    // A wrong secret is refused.
    const bad = new S3Client({
      endpoint, region: kRegion, forcePathStyle: true, maxAttempts: 1,
      credentials: { accessKeyId: kAccess, secretAccessKey: 'wrong' },
    });
    await assert.rejects(bad.send(new HeadObjectCommand({ Bucket: kBucket, Key: 'mp' })),
      (e) => e.$metadata.httpStatusCode === 403);

    // Presigned GET, made with the signer directly.
    const signer = new SignatureV4({
      credentials: { accessKeyId: kAccess, secretAccessKey: kSecret },
      region: kRegion, service: 's3', sha256: Sha256, uriEscapePath: false,
    });
    const presigned = await signer.presign({
      method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port,
      path: `/${kBucket}/dir/copy`, query: {}, headers: { host: `127.0.0.1:${port}` },
      body: {},
    }, { expiresIn: 300 });
    const qs = new URLSearchParams(presigned.query).toString();
    let r = await fetch(`${endpoint}/${kBucket}/dir/copy?${qs}`);
    const presignedBody = Buffer.from(await r.arrayBuffer());
    assert.strictEqual(r.status, 200, `presigned GET: ${presignedBody}`);
    assert.ok(presignedBody.equals(body));
    const tampered = qs.replace(/X-Amz-Signature=([0-9a-f])/, (m, c) =>
      `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    r = await fetch(`${endpoint}/${kBucket}/dir/copy?${tampered}`);
    assert.strictEqual(r.status, 403, 'tampered presigned URL');

    console.log('s3-front self-test: OK');
  } finally {
    child.kill('SIGTERM');
    if (!process.env.KLIO_KEEP_TEST_DIRS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`s3-front self-test FAILED: ${e.stack || e}`);
  process.exitCode = 1;
});
