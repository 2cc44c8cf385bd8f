#!/usr/bin/env node
// Runs the official Node SDK (authing-node-sdk) against a running emulator
// with signed requests: real nonces, the real clock. The emulator must accept
// each call, and refuse one replayed byte for byte.
//
// Usage: NODE_PATH=<dir>/node_modules node against-emulator.js <emulator URL>
// (run.sh --emulator <URL> installs the SDK and does this).
"use strict";

const http = require("http");
const { ManagementClient } = require("authing-node-sdk");

const url = process.argv[2];
if (!url) {
  console.error("usage: against-emulator.js <emulator URL>");
  process.exit(2);
}
const client = new ManagementClient({
  accessKeyId: process.env.ACCESS_KEY_ID || "emulator-access-key-id",
  accessKeySecret: process.env.ACCESS_KEY_SECRET || "emulator-access-key-secret",
  host: url,
});

// Capture the last request's headers and body, to replay it.
const sig = require("authing-node-sdk/dist/utils/buildSignature");
let lastHeaders = null;
const origDefaults = sig.DEFAULT_HEADERS;
sig.DEFAULT_HEADERS = () => {
  lastHeaders = origDefaults();
  return lastHeaders;
};

function raw(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = http.request(u, { method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

(async () => {
  const check = (what, r, ok) => {
    const status = r && r.statusCode;
    if (ok ? status !== 200 : status !== 401) {
      console.error(`FAIL ${what}: ${JSON.stringify(r)}`);
      process.exitCode = 1;
    } else {
      console.log(`ok   ${what}: statusCode ${status}${ok ? "" : ` (${r.message})`}`);
    }
  };
  const email = `node-${Date.now()}@example.com`;
  const body = { email, password: "pw-node-1", nickname: "Node é", customData: { tags: ["a", "b"], n: 1 } };
  const created = await client.createUser(body);
  check("createUser (POST, nested body)", created, true);
  const got = await client.getUser({ userId: created.data.userId });
  check("getUser (GET, query)", got, true);
  const r1 = await client.listUsers({ options: { pagination: { page: 1, limit: 5 } } });
  check("listUsers (POST)", r1, true);
  // The listUsers request again with the same nonce, correctly signed anew.
  const replayHeaders = Object.assign({}, lastHeaders);
  replayHeaders["x-authing-lang"] = "zh-CN";
  replayHeaders.date = new Date().toUTCString();
  const again = await raw(
    "POST",
    "/api/v3/list-users",
    Object.assign(replayHeaders, {
      authorization: sig.buildAuthorization(
        client.options.accessKeyId,
        client.options.accessKeySecret,
        sig.buildStringToSign("POST", "/api/v3/list-users", replayHeaders, {
          options: { pagination: { page: 1, limit: 5 } },
        }),
      ),
    }),
    JSON.stringify({ options: { pagination: { page: 1, limit: 5 } } }),
  );
  check("the same nonce again (replay)", again, false);
  const wrong = new ManagementClient({
    accessKeyId: client.options.accessKeyId,
    accessKeySecret: "not-the-secret",
    host: url,
  });
  check("a wrong secret", await wrong.getUser({ userId: created.data.userId }), false);
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
