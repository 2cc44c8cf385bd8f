#!/usr/bin/env node
// Records signed management requests of the official Node SDK
// (authing-node-sdk) against a loopback recorder, with a fixed nonce and date,
// and writes them as test vectors for genauth-core's request signing.
//
// Usage: scripts/node-signature-vectors/run.sh  (installs the SDK in a temp dir)
// or:    NODE_PATH=<dir>/node_modules node record.js <output.json>
//
// The SDK is only run here, never copied: the vectors hold what it sent.
"use strict";

const http = require("http");
const fs = require("fs");

const out = process.argv[2];
if (!out) {
  console.error("usage: record.js <output.json>");
  process.exit(2);
}

// A fixed clock: `date` headers come from `new Date().toUTCString()`.
const FIXED_MS = Date.UTC(2026, 0, 2, 3, 4, 5);
const RealDate = Date;
global.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(FIXED_MS);
    else super(...args);
  }
  static now() {
    return FIXED_MS;
  }
};

// Fixed nonces: the SDK calls `DEFAULT_HEADERS()` through the module's exports
// for each request, so wrapping the export replaces the random md5 nonce.
const sig = require("authing-node-sdk/dist/utils/buildSignature");
let counter = 0;
const origDefaults = sig.DEFAULT_HEADERS;
sig.DEFAULT_HEADERS = () => {
  counter += 1;
  const h = origDefaults();
  h["x-authing-signature-nonce"] = counter.toString(16).padStart(32, "0");
  return h;
};
// Capture the string the SDK signs, to compare ours with it line by line.
let lastStringToSign = null;
const origStringToSign = sig.buildStringToSign;
sig.buildStringToSign = (...args) => {
  lastStringToSign = origStringToSign(...args);
  return lastStringToSign;
};

const { ManagementClient } = require("authing-node-sdk");
const pkg = require("authing-node-sdk/package.json");

const ACCESS_KEY_ID = "65e0c0ffee00000000000ak1";
const ACCESS_KEY_SECRET = "test-access-key-secret-0123456789";

const recorded = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    recorded.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ statusCode: 200, message: "", data: {} }));
  });
});

// Each case: a name, client options beyond the key pair, and a call.
const cases = [
  {
    name: "get_user_query",
    options: {},
    call: (c) => c.getUser({ userId: "u-1" }),
  },
  {
    name: "get_user_query_special_characters",
    options: { lang: "en-US" },
    call: (c) => c.getUser({ userId: "a&b=c d/é中", userIdType: "username" }),
  },
  {
    name: "get_user_batch_list_query",
    options: {},
    call: (c) => c.getUserBatch({ userIds: ["u-1", "u-2"] }),
  },
  {
    name: "create_user_nested_body",
    options: {},
    call: (c) =>
      c.createUser({
        email: "ann@example.com",
        password: "pw-1",
        profile: { nickname: "Ann \"A\" O'Neil", givenName: "Ann" },
        customData: { score: 10, tags: ["x", "y"], ok: true },
        options: { resetPasswordOnFirstLogin: false },
        status: "Activated",
        Zeta: 1,
        alpha: null,
      }),
  },
  {
    name: "list_users_tenant",
    options: { tenantId: "tenant-7" },
    call: (c) =>
      c.listUsers({
        keywords: "ann",
        options: { pagination: { page: 2, limit: 5 }, withCustomData: true },
      }),
  },
  {
    name: "empty_body",
    options: {},
    call: (c) => c.listUsers({}),
  },
];

server.listen(0, "127.0.0.1", async () => {
  const host = `http://127.0.0.1:${server.address().port}`;
  const vectors = [];
  try {
    for (const k of cases) {
      const client = new ManagementClient({
        accessKeyId: ACCESS_KEY_ID,
        accessKeySecret: ACCESS_KEY_SECRET,
        host,
        ...k.options,
      });
      const before = recorded.length;
      await k.call(client);
      if (recorded.length !== before + 1) {
        throw new Error(`${k.name}: expected one request, saw ${recorded.length - before}`);
      }
      const r = recorded[recorded.length - 1];
      // The loopback port changes from run to run and is not signed.
      delete r.headers.host;
      vectors.push({
        name: k.name,
        method: r.method,
        url: r.url,
        headers: r.headers,
        body: r.body,
        string_to_sign: lastStringToSign,
      });
    }
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    server.close();
  }
  if (process.exitCode) return;
  const doc = {
    generator: `scripts/node-signature-vectors/record.js with ${pkg.name}@${pkg.version} on Node.js ${process.version}`,
    access_key_id: ACCESS_KEY_ID,
    access_key_secret: ACCESS_KEY_SECRET,
    vectors,
  };
  fs.writeFileSync(out, JSON.stringify(doc, null, 2) + "\n");
  console.log(`wrote ${vectors.length} vectors to ${out}`);
});
