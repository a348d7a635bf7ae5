/**
 * Hovers in the real editor, through `vscode.executeHoverProvider`: what an image means to
 * Docker, the credentials the runner will use, the hostnames of a service, and an `auths`
 * entry with its password masked.
 */
import assert from 'node:assert/strict';
import { activatePullguard, FILES, hoverAt, hoverRows, openDocument, positionIn, rangeOf } from './helpers';

describe('hovers in the editor', () => {
  before(async () => {
    await activatePullguard();
  });

  it('explains an image: registry, repository, tag, digest and full name; the range covers the reference', async () => {
    const document = await openDocument(FILES.credentialsFixture);
    const image = 'registry.example.com:5000/team/app:1.2';
    const { text, hovers } = await hoverAt(document.uri, positionIn(document, image));
    assert.match(text, /\*\*Image\*\* `registry\.example\.com:5000\/team\/app:1\.2` — job `build`/);
    const rows = hoverRows(text);
    assert.equal(rows.get('Registry'), '`registry.example.com:5000`');
    assert.equal(rows.get('Repository'), '`team/app`');
    assert.equal(rows.get('Tag'), '`1.2`');
    assert.equal(rows.get('Digest'), '— (not pinned)');
    assert.equal(rows.get('Full name'), '`registry.example.com:5000/team/app:1.2`');
    const range = hovers.find((hover) => hover.range)?.range;
    assert.ok(range?.isEqual(rangeOf(document, image)), 'the hover range is the image reference');
  });

  it("names the runner's credentials that will pull an image, with the source and key", async () => {
    const document = await openDocument(FILES.credentialsFixture);
    const { text } = await hoverAt(document.uri, positionIn(document, 'registry.example.com:5000/team/app:1.2'));
    assert.equal(
      hoverRows(text).get('Credentials'),
      '`registry.example.com:5000` from `$DOCKER_AUTH_CONFIG` from the runner `config.toml` (runner `docker-shared`)',
    );
    assert.match(text, /\(user `ci-user`\)/);
  });

  it("names the job's own DOCKER_AUTH_CONFIG when it replaces the runner's", async () => {
    const document = await openDocument(FILES.credentialsFixture);
    const { text } = await hoverAt(document.uri, positionIn(document, 'registry.internal.example:8443/ops/deploy:2.0'));
    assert.equal(hoverRows(text).get('Credentials'), '`registry.internal.example:8443` from `$DOCKER_AUTH_CONFIG` of job `deploy`');
    assert.match(text, /replaces the runner's `environment` one/);
  });

  it('says why a pull is anonymous: the config.json with credsStore desktop is dropped', async () => {
    const document = await openDocument(FILES.pipeline);
    const { text } = await hoverAt(document.uri, positionIn(document, '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev'));
    const credentials = hoverRows(text).get('Credentials') ?? '';
    assert.match(credentials, /^anonymous: no key in any source matches `123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/api`/);
    assert.match(credentials, /\.docker\/config\.json`, because `docker-credential-desktop` does not exist on a Linux runner/);
  });

  it('lists the hostnames a service answers to', async () => {
    const pipeline = await openDocument(FILES.pipeline);
    const short = await hoverAt(pipeline.uri, positionIn(pipeline, 'postgres:latest'));
    assert.match(short.text, /\*\*Service image\*\* `postgres:latest`/);
    assert.equal(hoverRows(short.text).get('Hostnames'), '`postgres` (derived from the name)');

    const fixture = await openDocument(FILES.credentialsFixture);
    const full = await hoverAt(fixture.uri, positionIn(fixture, 'docker.io/library/postgres:16.4'));
    assert.equal(
      hoverRows(full.text).get('Hostnames'),
      '`docker.io__library__postgres` (derived from the name), `docker.io-library-postgres` (derived from the name)',
    );
  });

  it('shows an auths entry of config.json with the username and the password masked', async () => {
    const document = await openDocument(FILES.dockerConfig);
    const { text } = await hoverAt(document.uri, positionIn(document, '"registry.example.com:5000"'));
    const rows = hoverRows(text);
    assert.match(text, /\*\*Registry credentials\*\* `registry\.example\.com:5000`/);
    assert.equal(rows.get('Username'), '`ci-user`');
    assert.equal(rows.get('Password'), '•••• (16 characters)');
    assert.doesNotMatch(text, /example-password/, 'the decoded password never appears');
    assert.doesNotMatch(text, /Y2ktdXNlcjpleGFtcGxlLXBhc3N3b3Jk/, 'the encoded auth never appears');
  });

  it("shows an auths entry inside a job's DOCKER_AUTH_CONFIG with the password masked", async () => {
    const document = await openDocument(FILES.credentialsFixture);
    const { text } = await hoverAt(document.uri, positionIn(document, '"registry.internal.example:8443"'));
    const rows = hoverRows(text);
    assert.equal(rows.get('Username'), '`deployer`');
    assert.equal(rows.get('Password'), '•••• (12 characters)');
    assert.doesNotMatch(text, /s3cr3t-value/, 'the decoded password never appears');
  });

  it('shows no Pullguard hover outside an image or credential', async () => {
    const document = await openDocument(FILES.pipeline);
    const { text } = await hoverAt(document.uri, positionIn(document, 'npm run integration'));
    assert.doesNotMatch(text, /\*\*(Service image|Image|Registry credentials)\*\*/);
  });
});
