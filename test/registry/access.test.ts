/**
 * The registry client and the two actions against real registries (distribution 2.8 in
 * three auth modes, one over TLS) and against servers that misbehave on purpose.
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { checkAccess, resolvePinDigest, type AccessReport } from '../../server/src/registry/actions';
import { getJobPayloadSources } from '../../server/src/service/credentials/jobPayload';
import { DEFAULT_SETTINGS } from '../../server/src/service/settings';
import { IDENTITY_TOKEN, TOKEN_SERVICE, USERS, WRONG_PASSWORD, getFreePort, sha256, startFakeServer } from '../../scripts/registry/testRegistries';
import { actionOptions, assertNoSecret, dockerAuthConfig, HELPER_SECRET, makeFakeHelper, missingToolsReason, skopeoDigest, sourceFromJson, useRegistries } from './support';

const skip = missingToolsReason();
const registries = useRegistries();
const outputs: string[] = [];

function record(report: AccessReport): AccessReport {
  outputs.push(JSON.stringify(report));
  return report;
}

// Every report, trace and message of this file: no password, token or `auth` in any form.
after(() => assertNoSecret(outputs.join('\n'), 'a report'));

/** Alice's password for `host`, as a workspace Docker config would give it. */
const alice = (host: string) => [sourceFromJson(dockerAuthConfig({ [host]: [USERS.alice.username, USERS.alice.password] }))];

/** Pins `team/app:1.0` of the server at `host` with alice's credentials; the pin must succeed. */
async function pinAsAlice(host: string): Promise<Extract<Awaited<ReturnType<typeof resolvePinDigest>>, { ok: true }>> {
  const result = await resolvePinDigest(`${host}/team/app:1.0`, alice(host), actionOptions());
  outputs.push(JSON.stringify(result));
  assert.ok(result.ok, result.ok ? '' : result.failure.message);
  return result;
}

describe('registry actions against real registries', { skip }, () => {
  before(() => registries.start());
  after(() => registries.stop());

  describe('pinning matches the digest the registry reports, and skopeo agrees', () => {
    const modes = [
      { mode: 'open', host: () => registries.get().open.host, sources: () => [], ca: () => undefined, creds: () => undefined },
      { mode: 'basic over TLS', host: () => registries.get().basic.host, sources: () => alice(registries.get().basic.host), ca: () => registries.get().caFile, creds: () => `${USERS.alice.username}:${USERS.alice.password}` },
      { mode: 'token', host: () => registries.get().token.host, sources: () => alice(registries.get().token.host), ca: () => undefined, creds: () => `${USERS.alice.username}:${USERS.alice.password}` },
    ];
    for (const { mode, host, sources, ca, creds } of modes) {
      for (const kind of ['single', 'multi'] as const) {
        test(`${mode}: the ${kind === 'single' ? 'single-platform image' : 'multi-arch index'} pins to the pushed digest`, async () => {
          const image = registries.get().content[kind];
          const name = `${host()}/${image.repository}:${image.tag}`;
          const result = await resolvePinDigest(name, sources(), actionOptions({ caFile: ca() }));
          outputs.push(JSON.stringify(result));
          assert.ok(result.ok, result.ok ? '' : result.failure.message);
          assert.equal(result.digest, image.digest);
          // Independent witness: skopeo reads the registry itself.
          assert.equal(await skopeoDigest(name, { caFile: ca(), creds: creds() }), result.digest);
          if (kind === 'multi') assert.ok(!Object.values(registries.get().content.multi.platforms).includes(result.digest), 'pinned to a platform manifest, not the index');
        });
      }
    }
  });

  describe('check-access tells the registry\'s answers apart', () => {
    test('anonymous, token registry: authentication required (the token service grants nothing)', async () => {
      const r = registries.get();
      const report = record(await checkAccess(`${r.token.host}/team/app:1.0`, [], actionOptions()));
      assert.equal(report.outcome, 'authentication-required');
      assert.match(report.message, /refuses anonymous pulls/);
      assert.equal(report.credentials.startsWith('none'), true);
    });

    test('anonymous, basic registry: authentication required', async () => {
      const r = registries.get();
      const report = record(await checkAccess(`${r.basic.host}/team/app:1.0`, [], actionOptions({ caFile: r.caFile })));
      assert.equal(report.outcome, 'authentication-required');
    });

    test('anonymous, token registry, public repository: authorized', async () => {
      const r = registries.get();
      const report = record(await checkAccess(`${r.token.host}/public/tool:3.1`, [], actionOptions()));
      assert.equal(report.outcome, 'authorized');
      assert.equal(report.digest, r.content.publicImage.digest);
    });

    test('wrong password: unauthorized, at the token service and at the basic registry', async () => {
      const r = registries.get();
      for (const [host, ca] of [[r.token.host, undefined], [r.basic.host, r.caFile]] as const) {
        const sources = [sourceFromJson(dockerAuthConfig({ [host]: [USERS.alice.username, WRONG_PASSWORD] }))];
        const report = record(await checkAccess(`${host}/team/app:1.0`, sources, actionOptions({ caFile: ca })));
        assert.equal(report.outcome, 'unauthorized', `${host}: ${report.message}`);
        assert.match(report.message, /user or password is wrong/);
        assert.match(report.credentials, /user `alice`/);
      }
    });

    test('right password: authorized, with the credentials named and the candidates in the runner\'s order', async () => {
      const r = registries.get();
      const sources = [
        sourceFromJson(dockerAuthConfig({ [r.token.host]: [USERS.alice.username, USERS.alice.password], [`${r.token.host}/team`]: [USERS.bob.username, USERS.bob.password] })),
      ];
      // The longer key wins (REFERENCE §1.4): bob, who may not pull team/*.
      const denied = record(await checkAccess(`${r.token.host}/team/app:1.0`, sources, actionOptions()));
      assert.deepEqual(denied.resolution!.candidates.map((c) => c.key), [`${r.token.host}/team`, r.token.host]);
      assert.equal(denied.outcome, 'denied');
      assert.match(denied.message, /accepted .*bob.*no pull access/);
      const ok = record(await checkAccess(`${r.token.host}/team/app:1.0`, alice(r.token.host), actionOptions()));
      assert.equal(ok.outcome, 'authorized');
      assert.equal(ok.digest, r.content.single.digest);
      assert.match(ok.credentials, /user `alice`/);
      assert.ok(ok.exchanges.some((e) => /\/token\?service=/.test(e.request) && e.status === 200), JSON.stringify(ok.exchanges));
    });

    test('no such repository and no such tag are told apart', async () => {
      const r = registries.get();
      const repository = record(await checkAccess(`${r.token.host}/team/nothing-here:1.0`, alice(r.token.host), actionOptions()));
      assert.equal(repository.outcome, 'repository-not-found', repository.message);
      const tag = record(await checkAccess(`${r.token.host}/team/app:9.9`, alice(r.token.host), actionOptions()));
      assert.equal(tag.outcome, 'tag-not-found', tag.message);
      assert.match(tag.message, /has no tag `9\.9`.*`1\.0`/);
    });

    test('registry down: unreachable', async () => {
      const port = await getFreePort();
      const report = record(await checkAccess(`127.0.0.1:${port}/team/app:1.0`, [], actionOptions()));
      assert.equal(report.outcome, 'unreachable');
      assert.match(report.message, /connection was refused/);
    });

    test('TLS untrusted without the CA, and with a CA that did not issue the certificate; OK with the right CA', async () => {
      const r = registries.get();
      const image = `${r.basic.host}/team/app:1.0`;
      const untrusted = record(await checkAccess(image, alice(r.basic.host), actionOptions()));
      assert.equal(untrusted.outcome, 'tls-untrusted');
      assert.match(untrusted.message, /pullguard\.registry\.caFile/);
      // Never a silent fall-back to plain HTTP for a server that speaks TLS.
      assert.ok(untrusted.exchanges.every((e) => !e.request.includes('http://')), JSON.stringify(untrusted.exchanges));
      const otherCa = record(await checkAccess(image, alice(r.basic.host), actionOptions({ caFile: r.otherCaFile })));
      assert.equal(otherCa.outcome, 'tls-untrusted');
      const trusted = record(await checkAccess(image, alice(r.basic.host), actionOptions({ caFile: r.caFile })));
      assert.equal(trusted.outcome, 'authorized', trusted.message);
    });

    test('the job token cannot be tried: untestable, and nothing is sent', async () => {
      const r = registries.get();
      const settings = { ...DEFAULT_SETTINGS, ciRegistry: r.token.host };
      const report = record(await checkAccess(`${r.token.host}/team/app:1.0`, getJobPayloadSources(settings), actionOptions({ settings })));
      assert.equal(report.outcome, 'untestable');
      assert.equal(report.exchanges.length, 0);
      assert.match(report.message, /job token/);
    });
  });

  describe('token kinds of an auths entry', () => {
    test('an identitytoken is exchanged at the token service (OAuth2 refresh grant)', async () => {
      const r = registries.get();
      const sources = [sourceFromJson(JSON.stringify({ auths: { [r.token.host]: { identitytoken: IDENTITY_TOKEN } } }))];
      const report = record(await checkAccess(`${r.token.host}/team/multi:2.0`, sources, actionOptions()));
      assert.equal(report.outcome, 'authorized', report.message);
      assert.equal(report.credentials, `\`${r.token.host}\` from \`$DOCKER_AUTH_CONFIG\` (an identity token)`);
      const post = r.tokenServer.requests.filter((q) => q.method === 'POST');
      assert.ok(post.length > 0, 'no refresh grant was posted');
    });

    test('a registrytoken is sent to the registry as a bearer token as it is', async () => {
      const r = registries.get();
      const url = `${r.tokenServer.url}?service=${TOKEN_SERVICE}&scope=repository:team/app:pull`;
      const answer = await fetch(url, { headers: { Authorization: `Basic ${Buffer.from(`${USERS.alice.username}:${USERS.alice.password}`).toString('base64')}` } });
      const { token } = (await answer.json()) as { token: string };
      const before = r.tokenServer.requests.length;
      const sources = [sourceFromJson(JSON.stringify({ auths: { [r.token.host]: { registrytoken: token } } }))];
      const report = record(await checkAccess(`${r.token.host}/team/app:1.0`, sources, actionOptions()));
      assert.equal(report.outcome, 'authorized', report.message);
      assert.equal(r.tokenServer.requests.length, before, 'a registry token needs no token service');
      // A token the registry cannot verify (expired, forged) is rejected, not swapped for an anonymous one.
      const forged = [sourceFromJson(JSON.stringify({ auths: { [r.token.host]: { registrytoken: `${token.slice(0, -4)}AAAA` } } }))];
      const rejected = record(await checkAccess(`${r.token.host}/team/app:1.0`, forged, actionOptions()));
      assert.equal(rejected.outcome, 'unauthorized', rejected.message);
      assert.equal(r.tokenServer.requests.length, before);
    });
  });

  describe('credential helpers', () => {
    test('a credHelpers entry runs `docker-credential-NAME get` with the server on stdin, and its credentials are used', async () => {
      const r = registries.get();
      const helper = makeFakeHelper(USERS.alice.username, r.token.host, USERS.alice.password);
      try {
        const sources = [sourceFromJson(JSON.stringify({ credHelpers: { [r.token.host]: 'pgtest' } }))];
        const env = { ...process.env, PATH: `${helper.dir}:${process.env.PATH}` };
        const report = record(await checkAccess(`${r.token.host}/team/multi:2.0`, sources, actionOptions({ allowHelpers: true, env })));
        assert.equal(report.outcome, 'authorized', report.message);
        assert.equal(report.digest, r.content.multi.digest);
        assert.equal(readFileSync(helper.log, 'utf8'), `get ${r.token.host}\n`);
        assert.match(report.credentials, /docker-credential-pgtest/);
      } finally {
        rmSync(helper.dir, { recursive: true, force: true });
      }
    });

    test('a helper that is not allowed to run is not run: untestable', async () => {
      const r = registries.get();
      const helper = makeFakeHelper(USERS.alice.username, r.token.host);
      try {
        const sources = [sourceFromJson(JSON.stringify({ credHelpers: { [r.token.host]: 'pgtest' } }))];
        const env = { ...process.env, PATH: `${helper.dir}:${process.env.PATH}` };
        const report = record(await checkAccess(`${r.token.host}/team/app:1.0`, sources, actionOptions({ allowHelpers: false, env })));
        assert.equal(report.outcome, 'untestable');
        assert.equal(existsSync(helper.log), false, 'the helper ran');
      } finally {
        rmSync(helper.dir, { recursive: true, force: true });
      }
    });

    test('a missing helper drops its whole source, as on the runner, even when it serves another registry', async () => {
      const r = registries.get();
      const aliceAuth = { auth: Buffer.from(`${USERS.alice.username}:${USERS.alice.password}`).toString('base64') };
      // The runner runs every helper of a source on each pull: the missing one drops alice's entry too.
      const mixed = sourceFromJson(JSON.stringify({ auths: { [r.token.host]: aliceAuth }, credHelpers: { 'other.example.com': 'pullguard-no-such-helper' } }));
      const dropped = record(await checkAccess(`${r.token.host}/team/app:1.0`, [mixed], actionOptions({ allowHelpers: true })));
      assert.ok(dropped.trace.some((t) => /docker-credential-pullguard-no-such-helper.*not on `PATH`.*drops/.test(t)), dropped.trace.join('\n'));
      assert.equal(dropped.outcome, 'authentication-required', dropped.message);
      // A missing helper in the first source: the runner goes on to the next source, whose static entry works.
      const first = sourceFromJson(JSON.stringify({ credHelpers: { [r.token.host]: 'pullguard-no-such-helper' } }));
      const second = sourceFromJson(JSON.stringify({ auths: { [r.token.host]: aliceAuth } }));
      const next = record(await checkAccess(`${r.token.host}/team/app:1.0`, [first, second], actionOptions({ allowHelpers: true })));
      assert.equal(next.outcome, 'authorized', next.message);
      assert.match(next.credentials, /user `alice`/);
    });

    test('a credsStore is listed, and the listed key that matches is fetched with `get`', async () => {
      const r = registries.get();
      const helper = makeFakeHelper(USERS.alice.username, r.token.host, USERS.alice.password);
      try {
        const sources = [sourceFromJson(JSON.stringify({ credsStore: 'pgtest' }))];
        const env = { ...process.env, PATH: `${helper.dir}:${process.env.PATH}` };
        const report = record(await checkAccess(`${r.token.host}/team/app:1.0`, sources, actionOptions({ allowHelpers: true, env })));
        assert.equal(report.outcome, 'authorized', report.message);
        assert.equal(readFileSync(helper.log, 'utf8'), `list \nget ${r.token.host}\n`);
        assert.ok(report.trace.some((t) => /docker-credential-pgtest list.*1 server listed/.test(t)), report.trace.join('\n'));
      } finally {
        rmSync(helper.dir, { recursive: true, force: true });
      }
    });

    test('the helper secret never appears in a report', () => {
      assert.ok(!outputs.join('\n').includes(HELPER_SECRET));
    });
  });
});

describe('registry client safety against misbehaving servers', { skip }, () => {
  const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');

  test('a redirect to another host does not carry Authorization (asserted on the receiving server)', async () => {
    const target = await startFakeServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Docker-Content-Digest': sha256(manifest), 'Content-Length': String(manifest.length) });
      response.end(request.method === 'HEAD' ? undefined : manifest);
    });
    const registry = await startFakeServer((request, response) => {
      if (!request.headers.authorization) {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' });
        return void response.end();
      }
      response.writeHead(307, { Location: `http://${target.host}/blobs-cdn/manifest` });
      response.end();
    });
    try {
      const result = await pinAsAlice(registry.host);
      assert.equal(result.digest, sha256(manifest));
      assert.ok(registry.requests.some((r) => r.headers.authorization?.startsWith('Basic ')), 'the registry itself got the credentials');
      assert.ok(target.requests.length > 0, 'the redirect was followed');
      for (const request of target.requests) assert.equal(request.headers.authorization, undefined, 'Authorization reached the other host');
    } finally {
      await registry.close();
      await target.close();
    }
  });

  test('a token service that answers only `access_token` is understood', async () => {
    let tokenAuthorization: string | undefined;
    const tokens = await startFakeServer((request, response) => {
      tokenAuthorization = request.headers.authorization;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ access_token: 'opaque-test-token', expires_in: 60 }));
    });
    const registry = await startFakeServer((request, response) => {
      if (request.headers.authorization !== 'Bearer opaque-test-token') {
        response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokens.host}/token",service="fake",scope="repository:team/app:pull"` });
        return void response.end();
      }
      response.writeHead(200, { 'Docker-Content-Digest': sha256(manifest), 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      response.end();
    });
    try {
      const result = await pinAsAlice(registry.host);
      assert.equal(tokenAuthorization, `Basic ${Buffer.from(`${USERS.alice.username}:${USERS.alice.password}`).toString('base64')}`, 'the credentials go to the token service as Basic');
      assert.equal(tokens.requests[0]!.url, '/token?service=fake&scope=repository%3Ateam%2Fapp%3Apull');
    } finally {
      await registry.close();
      await tokens.close();
    }
  });

  test('credentials are never sent to a token service over plain HTTP off this machine', async () => {
    const registry = await startFakeServer((_request, response) => {
      response.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="http://token.example.invalid/token",service="fake"' });
      response.end();
    });
    try {
      const sources = alice(registry.host);
      const report = record(await checkAccess(`${registry.host}/team/app:1.0`, sources, actionOptions()));
      assert.equal(report.outcome, 'bad-response');
      assert.match(report.message, /only over HTTPS/);
      assert.ok(report.exchanges.every((e) => !e.request.includes('token.example.invalid')), JSON.stringify(report.exchanges));
    } finally {
      await registry.close();
    }
  });

  test('a slow server hits the timeout', async () => {
    const slow = await startFakeServer(() => undefined); // accepts, never answers
    try {
      const started = Date.now();
      const report = record(await checkAccess(`${slow.host}/team/app:1.0`, [], actionOptions({ timeoutMs: 300 })));
      assert.equal(report.outcome, 'timeout');
      assert.match(report.message, /within 300 ms.*pullguard\.registry\.timeoutMs/);
      assert.ok(Date.now() - started < 5_000, 'the timeout did not bound the request');
    } finally {
      await slow.close();
    }
  });

  test('cancellation stops a request at once', async () => {
    const slow = await startFakeServer(() => undefined);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const result = await resolvePinDigest(`${slow.host}/team/app:1.0`, [], actionOptions({ signal: controller.signal }));
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.failure.kind, 'cancelled');
    } finally {
      await slow.close();
    }
  });

  test('an oversized response is refused', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 0x20);
    const server = await startFakeServer((request, response) => {
      // No digest header: the client must GET and hash, and meets a body over the cap.
      response.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      if (request.method === 'HEAD') return void response.end();
      response.end(big);
    });
    try {
      const report = record(await checkAccess(`${server.host}/team/app:1.0`, [], actionOptions()));
      assert.equal(report.outcome, 'too-large', report.message);
    } finally {
      await server.close();
    }
  });

  test('without a digest header the body is hashed; a header that disagrees with the body is refused', async () => {
    let lie = false;
    const server = await startFakeServer((request, response) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' };
      if (request.method === 'GET' && lie) headers['Docker-Content-Digest'] = sha256('something else');
      response.writeHead(200, headers);
      response.end(request.method === 'HEAD' ? undefined : manifest);
    });
    try {
      const honest = await resolvePinDigest(`${server.host}/team/app:1.0`, [], actionOptions());
      assert.ok(honest.ok);
      assert.equal(honest.ok && honest.digest, sha256(manifest));
      lie = true;
      const lying = await resolvePinDigest(`${server.host}/team/app:1.0`, [], actionOptions());
      assert.equal(!lying.ok && lying.failure.kind, 'bad-response');
    } finally {
      await server.close();
    }
  });
});
