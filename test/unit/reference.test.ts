/**
 * Tests for the image reference parser (Docker's normalized parsing, REFERENCE §2).
 *
 * Every row of the REFERENCE §2.5 table is here, tagged `§2.5 #N`. Rows marked P in that
 * table describe the raw `Parse`; these tests assert what normalized parsing
 * (`ParseNormalizedNamed`) gives for the same input and say `(P differs: …)` in the
 * name where the two disagree.
 *
 * Expected spans are computed from the input with `at`/`atLast`, not typed as numbers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageReference } from '../../server/src/service/reference/parseReference';
import type { ImageReference, ReferenceProblemKind, Span } from '../../server/src/service/reference/types';

// ---------------------------------------------------------------------------
// Fixtures and helpers

const DG = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const DG_HEX = DG.slice('sha256:'.length);
const F64 = 'f'.repeat(64);
const BUSYBOX_DG = 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
const ID_1A3F = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';
const LONG_NAMESPACE = Array(4).fill('this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255').join('_');
const KELVIN = '\u212a';

/** The span of the first occurrence of `needle` in `input` (at or after `from`). */
function at(input: string, needle: string, from = 0): Span {
  const start = input.indexOf(needle, from);
  assert.ok(start >= 0, `fixture error: ${JSON.stringify(needle)} not in ${JSON.stringify(input)}`);
  return { start, end: start + needle.length };
}

/** The span of the last occurrence of `needle` in `input`. */
function atLast(input: string, needle: string): Span {
  const start = input.lastIndexOf(needle);
  assert.ok(start >= 0, `fixture error: ${JSON.stringify(needle)} not in ${JSON.stringify(input)}`);
  return { start, end: start + needle.length };
}

/** Fields of a successful parse to compare; a field set to `undefined` must be absent. */
type Fields = { [K in keyof ImageReference]?: ImageReference[K] | undefined };

interface Ok {
  readonly ok: true;
  readonly fields: Fields;
}
interface Err {
  readonly ok: false;
  readonly kind: ReferenceProblemKind;
  /** Defaults to the whole input. */
  readonly span?: Span;
  /** Words the message must contain. */
  readonly message?: RegExp;
}
interface Case {
  readonly name: string;
  readonly input: string;
  readonly expected: Ok | Err;
}

function valid(fields: Fields): Ok {
  return { ok: true, fields };
}

function invalid(kind: ReferenceProblemKind, span?: Span, message?: RegExp): Err {
  return span === undefined ? (message ? { ok: false, kind, message } : { ok: false, kind }) : message ? { ok: false, kind, span, message } : { ok: false, kind, span };
}

/** The fields of a Docker Hub reference, computed the way Docker prints them. */
function hub(path: string, normalizedPath: string, familiarName: string): Fields {
  return {
    path,
    normalizedDomain: 'docker.io',
    normalizedPath,
    normalizedName: `docker.io/${normalizedPath}`,
    isDockerHub: true,
    familiarName,
  };
}

function check(c: Case): void {
  const result = parseImageReference(c.input);
  if (c.expected.ok) {
    assert.ok(result.ok, `expected a valid reference, got: ${result.ok ? '' : `${result.problem.kind}: ${result.problem.message}`}`);
    const ref = result.reference;
    assert.equal(ref.text, c.input);
    for (const [key, value] of Object.entries(c.expected.fields)) {
      assert.deepEqual(ref[key as keyof ImageReference], value, `field ${key}`);
    }
    checkReferenceInvariants(ref);
  } else {
    assert.ok(!result.ok, `expected a problem, got a valid reference: ${result.ok ? JSON.stringify(result.reference) : ''}`);
    const { problem } = result;
    assert.equal(problem.kind, c.expected.kind, problem.message);
    assert.deepEqual(problem.span, c.expected.span ?? { start: 0, end: c.input.length }, problem.message);
    if (c.expected.message) assert.match(problem.message, c.expected.message);
    checkMessage(problem.message);
  }
}

/** Every span must cut its own field out of the text, and the normalized fields must agree. */
function checkReferenceInvariants(ref: ImageReference): void {
  const cut = (span: Span | undefined): string | undefined => (span ? ref.text.slice(span.start, span.end) : undefined);
  assert.equal(cut(ref.pathSpan), ref.path);
  assert.equal(cut(ref.domainSpan), ref.domain);
  assert.equal(cut(ref.tagSpan), ref.tag);
  assert.equal(cut(ref.digestSpan), ref.digest);
  assert.equal(ref.isDockerHub, ref.normalizedDomain === 'docker.io');
  assert.equal(ref.normalizedName, ref.normalizedDomain ? `${ref.normalizedDomain}/${ref.normalizedPath}` : ref.normalizedPath);
}

function checkMessage(message: string): void {
  assert.ok(message.length > 20, `message too short: ${message}`);
  assert.ok(/[.)]$/.test(message), `message is not a full sentence: ${message}`);
  assert.ok(!/undefined|NaN|\[object/.test(message), `message leaks an internal value: ${message}`);
  assert.ok(message.length < 600, 'message is too long');
}

function runTable(cases: readonly Case[]): void {
  for (const c of cases) test(c.name, () => check(c));
}

// ---------------------------------------------------------------------------
// REFERENCE §2.5, rows 1–31 (N: normalized parsing)

describe('REFERENCE §2.5 rows marked N (normalized parsing)', () => {
  const cases: Case[] = [
    {
      name: '§2.5 #1: reads a bare name as an official Docker Hub image',
      input: 'redis',
      expected: valid({ ...hub('redis', 'library/redis', 'redis'), domain: undefined, tag: undefined, digest: undefined }),
    },
    {
      name: '§2.5 #2: reads the tag after `:`',
      input: 'redis:latest',
      expected: valid({ ...hub('redis', 'library/redis', 'redis'), tag: 'latest', tagSpan: at('redis:latest', 'latest') }),
    },
    {
      name: '§2.5 #3: does not flag a pinned sha256 digest',
      input: `redis@${DG}`,
      expected: valid({ ...hub('redis', 'library/redis', 'redis'), tag: undefined, digest: DG, digestSpan: at(`redis@${DG}`, DG) }),
    },
    {
      name: '§2.5 #4: reads a two-level lowercase name as a Docker Hub user repository',
      input: 'dmcgowan/myapp',
      expected: valid({ ...hub('dmcgowan/myapp', 'dmcgowan/myapp', 'dmcgowan/myapp'), domain: undefined }),
    },
    {
      name: '§2.5 #5: adds `library/` to a single-level name written with `docker.io`',
      input: 'docker.io/foo',
      expected: valid({
        ...hub('foo', 'library/foo', 'foo'),
        domain: 'docker.io',
        domainSpan: at('docker.io/foo', 'docker.io'),
        pathSpan: atLast('docker.io/foo', 'foo'),
      }),
    },
    {
      name: '§2.5 #6: keeps `library/` in the familiar form of a nested official path',
      input: 'docker.io/library/foo/bar',
      expected: valid({ ...hub('library/foo/bar', 'library/foo/bar', 'library/foo/bar'), domain: 'docker.io' }),
    },
    {
      name: '§2.5 #7: rewrites `index.docker.io` to `docker.io`',
      input: 'index.docker.io/fooo/bar',
      expected: valid({ ...hub('fooo/bar', 'fooo/bar', 'fooo/bar'), domain: 'index.docker.io', host: 'index.docker.io', port: undefined }),
    },
    {
      name: '§2.5 #8: reads a first component with `_` but no `.` as a Docker Hub namespace',
      input: 'test_com/foo',
      expected: valid({ ...hub('test_com/foo', 'test_com/foo', 'test_com/foo'), domain: undefined }),
    },
    {
      name: '§2.5 #9: reads a host with a port as the domain',
      input: 'test.com:8080/foo',
      expected: valid({
        domain: 'test.com:8080',
        host: 'test.com',
        port: '8080',
        path: 'foo',
        normalizedName: 'test.com:8080/foo',
        isDockerHub: false,
        familiarName: 'test.com:8080/foo',
      }),
    },
    {
      name: '§2.5 #10: reads a dotless first component as a domain when it has a port',
      input: 'test-com:8080/foo',
      expected: valid({ domain: 'test-com:8080', host: 'test-com', port: '8080', path: 'foo', normalizedName: 'test-com:8080/foo' }),
    },
    {
      name: '§2.5 #11: accepts a punycode host with a port',
      input: 'xn--n3h.com:18080/foo',
      expected: valid({ domain: 'xn--n3h.com:18080', host: 'xn--n3h.com', port: '18080', path: 'foo', normalizedPath: 'foo' }),
    },
    {
      name: '§2.5 #12: reads `localhost` as a domain',
      input: 'localhost/fooo/bar',
      expected: valid({ domain: 'localhost', host: 'localhost', port: undefined, path: 'fooo/bar', normalizedName: 'localhost/fooo/bar', isDockerHub: false }),
    },
    {
      name: '§2.5 #13: reads an uppercase first component as a domain',
      input: 'LOCALDOMAIN/fooo',
      expected: valid({ domain: 'LOCALDOMAIN', path: 'fooo', normalizedDomain: 'LOCALDOMAIN', normalizedPath: 'fooo', familiarName: 'LOCALDOMAIN/fooo' }),
    },
    {
      name: '§2.5 #14: reads a mixed-case first component as a domain',
      input: 'Foo/bar',
      expected: valid({ domain: 'Foo', host: 'Foo', path: 'bar', normalizedName: 'Foo/bar', isDockerHub: false, familiarName: 'Foo/bar' }),
    },
    {
      name: '§2.5 #15: reads an IPv4 address with a port as the domain',
      input: '127.0.0.1:8000/private/moonbase',
      expected: valid({ domain: '127.0.0.1:8000', host: '127.0.0.1', port: '8000', path: 'private/moonbase', normalizedName: '127.0.0.1:8000/private/moonbase' }),
    },
    {
      name: '§2.5 #16: adds `library/` only on Docker Hub (ParseDockerRef would also add `:latest`)',
      input: 'gcr.io/library/busybox',
      expected: valid({ domain: 'gcr.io', path: 'library/busybox', normalizedPath: 'library/busybox', familiarName: 'gcr.io/library/busybox', tag: undefined }),
    },
    {
      name: '§2.5 #17: keeps both tag and digest (ParseDockerRef would drop the tag)',
      input: `busybox:latest@${BUSYBOX_DG}`,
      expected: valid({
        ...hub('busybox', 'library/busybox', 'busybox'),
        tag: 'latest',
        tagSpan: at(`busybox:latest@${BUSYBOX_DG}`, 'latest'),
        digest: BUSYBOX_DG,
        digestSpan: at(`busybox:latest@${BUSYBOX_DG}`, BUSYBOX_DG),
      }),
    },
    {
      name: '§2.5 #18: flags a bare 64-hex name (ParseAnyReference would read it as an image ID)',
      input: DG_HEX,
      expected: invalid('invalid-reference', undefined, /64 hexadecimal characters/),
    },
    {
      name: '§2.5 #19: does not flag a 63-hex name',
      input: DG_HEX.slice(0, 63),
      expected: valid(hub(DG_HEX.slice(0, 63), `library/${DG_HEX.slice(0, 63)}`, DG_HEX.slice(0, 63))),
    },
    {
      name: '§2.5 #20: does not flag a 64-hex name after a host',
      input: `docker.io/${ID_1A3F}`,
      expected: valid({ ...hub(ID_1A3F, `library/${ID_1A3F}`, ID_1A3F), domain: 'docker.io' }),
    },
    {
      name: '§2.5 #21: reads `ip:port` without `/` as a Docker Hub image with a tag',
      input: '192.168.0.1:80',
      expected: valid({ ...hub('192.168.0.1', 'library/192.168.0.1', '192.168.0.1'), domain: undefined, tag: '80', tagSpan: at('192.168.0.1:80', '80') }),
    },
    {
      name: '§2.5 #22: reads a bracketed IPv6 host with a port as the domain',
      input: '[fc00::1]:5000/docker',
      expected: valid({ domain: '[fc00::1]:5000', host: '[fc00::1]', port: '5000', path: 'docker', normalizedName: '[fc00::1]:5000/docker' }),
    },
    {
      name: '§2.5 #23: flags a URL scheme',
      input: 'https://github.com/docker/docker',
      expected: invalid('invalid-reference', at('https://github.com/docker/docker', 'https://'), /URL scheme/),
    },
    {
      name: '§2.5 #24: flags an uppercase path component',
      input: 'docker/Docker',
      expected: invalid('uppercase-repository', at('docker/Docker', 'Docker'), /lowercase/),
    },
    {
      name: '§2.5 #25: flags a path component that starts with `-`',
      input: '-docker',
      expected: invalid('invalid-reference', undefined, /starts with `-`/),
    },
    {
      name: '§2.5 #25: flags a namespace that ends with `-`',
      input: 'docker-/docker',
      expected: invalid('invalid-reference', at('docker-/docker', 'docker-'), /ends with `-`/),
    },
    {
      name: '§2.5 #25: flags `dock..er`, which Docker reads as a host because of the dot',
      input: 'dock..er/docker',
      expected: invalid('invalid-reference', at('dock..er/docker', 'dock..er'), /registry host `dock\.\.er` has an empty label/),
    },
    {
      name: '§2.5 #25: flags a path component made only of underscores',
      input: '____/____',
      expected: invalid('invalid-reference', at('____/____', '____'), /starts with `_`/),
    },
    {
      name: '§2.5 #25: flags a trailing `/`',
      input: 'docker/',
      expected: invalid('invalid-reference', atLast('docker/', '/'), /ends with `\/`/),
    },
    {
      name: '§2.5 #26: flags a bare bracketed IPv6 host, which has no repository path',
      input: '[fc00::1]',
      expected: invalid('invalid-reference', at('[fc00::1]', '[fc00::1]'), /Docker Hub image name/),
    },
    {
      name: '§2.5 #26: flags a bare bracketed IPv6 host with a port',
      input: '[fc00::1]:5000',
      expected: invalid('invalid-reference', at('[fc00::1]:5000', '[fc00::1]'), /repository path/),
    },
    {
      name: '§2.5 #27: flags an IPv6 host without brackets',
      input: 'fc00::1:5000/debian',
      expected: invalid('invalid-reference', at('fc00::1:5000/debian', 'fc00::1:5000'), /without brackets/),
    },
    {
      name: '§2.5 #28: flags an IPv6 zone id',
      input: '[fe80::1%eth0]:5000/debian',
      expected: invalid('invalid-reference', at('[fe80::1%eth0]:5000/debian', '[fe80::1%eth0]'), /zone id/),
    },
    {
      name: '§2.5 #29: flags an IPv6 host with an embedded IPv4 address',
      input: '[2001:db8:3:4::192.0.2.33]:5000/debian',
      expected: invalid('invalid-reference', at('[2001:db8:3:4::192.0.2.33]:5000/debian', '[2001:db8:3:4::192.0.2.33]'), /embedded IPv4/),
    },
    {
      name: '§2.5 #30: flags a namespace that makes the path longer than 255 characters',
      input: `${LONG_NAMESPACE}/docker`,
      expected: invalid('name-too-long', undefined, /at most 255/),
    },
    {
      name: '§2.5 #31: does not flag a run of dashes',
      input: 'docker---rules/docker',
      expected: valid(hub('docker---rules/docker', 'docker---rules/docker', 'docker---rules/docker')),
    },
    {
      name: '§2.5 #31: does not flag a double underscore',
      input: 'dock__er/docker',
      expected: valid(hub('dock__er/docker', 'dock__er/docker', 'dock__er/docker')),
    },
    {
      name: '§2.5 #31: does not flag a one-letter namespace',
      input: 'd/docker',
      expected: valid(hub('d/docker', 'd/docker', 'd/docker')),
    },
  ];
  runTable(cases);
});

// ---------------------------------------------------------------------------
// REFERENCE §2.5, rows 32–46 (P: raw Parse; asserted here under normalized parsing)

describe('REFERENCE §2.5 rows marked P, as normalized parsing reads them', () => {
  const r33 = `test:5000/repo:tag@sha256:${F64}`;
  const r36 = `repo@sha256:${'f'.repeat(34)}`;
  const r37 = `validname@invaliddigest:${F64}`;
  const r40 = `${'a/'.repeat(127)}a:tag-puts-this-over-max`;
  const r45 = `[2001:db8::1]:5000/repo:tag@sha256:${F64}`;
  const cases: Case[] = [
    {
      name: '§2.5 #32: reads `host:port` without `/` as a Docker Hub image with a tag (P differs: no domain, path `test.com`)',
      input: 'test.com:5000',
      expected: valid({ ...hub('test.com', 'library/test.com', 'test.com'), domain: undefined, tag: '5000' }),
    },
    {
      name: '§2.5 #33: reads domain, path, tag and digest together',
      input: r33,
      expected: valid({
        domain: 'test:5000',
        host: 'test',
        port: '5000',
        path: 'repo',
        pathSpan: at(r33, 'repo'),
        tag: 'tag',
        tagSpan: at(r33, 'tag'),
        digest: `sha256:${F64}`,
        digestSpan: at(r33, `sha256:${F64}`),
        normalizedName: 'test:5000/repo',
      }),
    },
    {
      name: '§2.5 #34: flags an empty reference (P says ErrNameEmpty, N says invalid format)',
      input: '',
      expected: invalid('invalid-reference', { start: 0, end: 0 }, /empty/),
    },
    {
      name: '§2.5 #35: flags a tag with no name before it',
      input: ':justtag',
      expected: invalid('invalid-reference', at(':justtag', ':'), /name before `:` is empty/),
    },
    {
      name: '§2.5 #35: flags a digest with no name before it',
      input: `@sha256:${F64}`,
      expected: invalid('invalid-reference', at(`@sha256:${F64}`, '@'), /name before `@` is empty/),
    },
    {
      name: '§2.5 #36: flags a sha256 digest with 34 hex characters as a wrong length',
      input: r36,
      expected: invalid('invalid-digest', at(r36, 'sha256:'.concat('f'.repeat(34))), /34 hex characters instead of 64/),
    },
    {
      name: '§2.5 #37: flags an unknown digest algorithm as unsupported',
      input: r37,
      expected: invalid('invalid-digest', at(r37, `invaliddigest:${F64}`), /not supported/),
    },
    {
      name: '§2.5 #38: flags an uppercase single-level name',
      input: 'Uppercase:tag',
      expected: invalid('uppercase-repository', at('Uppercase:tag', 'Uppercase'), /must be lowercase/),
    },
    {
      name: '§2.5 #38: flags an uppercase path component after a host',
      input: 'test:5000/Uppercase/lowercase:tag',
      expected: invalid('uppercase-repository', at('test:5000/Uppercase/lowercase:tag', 'Uppercase'), /`Uppercase`/),
    },
    {
      name: '§2.5 #39: does not flag an uppercase tag',
      input: 'lowercase:Uppercase',
      expected: valid({ ...hub('lowercase', 'library/lowercase', 'lowercase'), tag: 'Uppercase' }),
    },
    {
      name: '§2.5 #40: does not flag a 255-character path (P differs: the domain `a` is split off)',
      input: r40,
      expected: valid({ ...hub(r40.slice(0, 255), r40.slice(0, 255), r40.slice(0, 255)), domain: undefined, tag: 'tag-puts-this-over-max' }),
    },
    {
      name: '§2.5 #41: flags a path component with `$`',
      input: 'aa/asdf$$^/aa',
      expected: invalid('invalid-reference', at('aa/asdf$$^/aa', 'asdf$$^'), /Path component 2 `asdf\$\$\^` contains `\$`/),
    },
    {
      name: '§2.5 #42: reads a dotted path component and a dotted tag after a host',
      input: 'b.gcr.io/test.example.com/my-app:test.example.com',
      expected: valid({
        domain: 'b.gcr.io',
        path: 'test.example.com/my-app',
        tag: 'test.example.com',
        tagSpan: atLast('b.gcr.io/test.example.com/my-app:test.example.com', 'test.example.com'),
        normalizedName: 'b.gcr.io/test.example.com/my-app',
      }),
    },
    {
      name: '§2.5 #43: reads `foo_bar.com:8080` as a Docker Hub image with a tag (P differs: no domain, path `foo_bar.com`)',
      input: 'foo_bar.com:8080',
      expected: valid({ ...hub('foo_bar.com', 'library/foo_bar.com', 'foo_bar.com'), tag: '8080' }),
    },
    {
      name: '§2.5 #44: reads a numeric tag after an IPv4 host with a port',
      input: '192.168.1.1:5000/repo:5050',
      expected: valid({ domain: '192.168.1.1:5000', host: '192.168.1.1', port: '5000', path: 'repo', tag: '5050' }),
    },
    {
      name: '§2.5 #45: reads an IPv6 host with port, tag and digest',
      input: r45,
      expected: valid({
        domain: '[2001:db8::1]:5000',
        domainSpan: at(r45, '[2001:db8::1]:5000'),
        host: '[2001:db8::1]',
        port: '5000',
        path: 'repo',
        tag: 'tag',
        digest: `sha256:${F64}`,
      }),
    },
    {
      name: '§2.5 #46: flags a bare IPv6 host',
      input: '[2001:db8::1]',
      expected: invalid('invalid-reference', at('[2001:db8::1]', '[2001:db8::1]')),
    },
    {
      name: '§2.5 #46: flags a bare IPv6 host with a port',
      input: '[2001:db8::1]:5000',
      expected: invalid('invalid-reference', at('[2001:db8::1]:5000', '[2001:db8::1]')),
    },
    {
      name: '§2.5 #46: flags a bare IPv6 host with a tag',
      input: '[2001:db8::1]:tag',
      expected: invalid('invalid-reference', at('[2001:db8::1]:tag', '[2001:db8::1]')),
    },
    {
      name: '§2.5 #46: flags an IPv6 zone id before a path',
      input: '[fe80::1%eth0]:5000/repo',
      expected: invalid('invalid-reference', at('[fe80::1%eth0]:5000/repo', '[fe80::1%eth0]'), /zone id/),
    },
  ];
  runTable(cases);
});

// ---------------------------------------------------------------------------
// Domains, hosts and ports

describe('domains, hosts and ports', () => {
  const cases: Case[] = [
    {
      name: 'reads `localhost:5000` as the domain',
      input: 'localhost:5000/x',
      expected: valid({ domain: 'localhost:5000', host: 'localhost', port: '5000', path: 'x', normalizedPath: 'x', familiarName: 'localhost:5000/x' }),
    },
    {
      name: 'reads a bare `localhost` as a Docker Hub image',
      input: 'localhost',
      expected: valid({ ...hub('localhost', 'library/localhost', 'localhost'), domain: undefined }),
    },
    {
      name: 'reads `localhost:5000` without `/` as a Docker Hub image with a tag',
      input: 'localhost:5000',
      expected: valid({ ...hub('localhost', 'library/localhost', 'localhost'), tag: '5000', domain: undefined }),
    },
    {
      name: 'reads `registry.example.com:5000` without `/` as a Docker Hub image with a tag',
      input: 'registry.example.com:5000',
      expected: valid({ ...hub('registry.example.com', 'library/registry.example.com', 'registry.example.com'), tag: '5000' }),
    },
    {
      name: 'reads a GitLab registry path with nested groups',
      input: 'registry.gitlab.com/group/sub/project/app:1.2.3',
      expected: valid({
        domain: 'registry.gitlab.com',
        port: undefined,
        path: 'group/sub/project/app',
        pathSpan: at('registry.gitlab.com/group/sub/project/app:1.2.3', 'group/sub/project/app'),
        tag: '1.2.3',
        normalizedName: 'registry.gitlab.com/group/sub/project/app',
        familiarName: 'registry.gitlab.com/group/sub/project/app',
        isDockerHub: false,
      }),
    },
    {
      name: 'reads an IPv6 host without a port',
      input: '[::1]/app',
      expected: valid({ domain: '[::1]', host: '[::1]', port: undefined, path: 'app', normalizedName: '[::1]/app' }),
    },
    {
      name: 'reads a full IPv6 address with a port',
      input: '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
      expected: valid({ domain: '[fc00:1:2:3:4:5:6:7]:5000', host: '[fc00:1:2:3:4:5:6:7]', port: '5000', path: 'library/debian' }),
    },
    {
      name: 'flags an empty port after an IPv6 host',
      input: '[::1]:/app',
      expected: invalid('invalid-reference', at('[::1]:/app', ':/'.slice(0, 1), 4), /port after `\[::1\]:` is empty/),
    },
    {
      name: 'flags a port with a letter after an IPv6 host',
      input: '[::1]:50a0/app',
      expected: invalid('invalid-reference', at('[::1]:50a0/app', '50a0'), /port `50a0`/),
    },
    {
      name: 'flags an IPv6 host without a closing bracket',
      input: '[fc00::1/app',
      expected: invalid('invalid-reference', at('[fc00::1/app', '[fc00::1'), /no closing/),
    },
    {
      name: 'flags text between the closing bracket and the port',
      input: '[::1]x:5000/app',
      expected: invalid('invalid-reference', at('[::1]x:5000/app', 'x:5000'), /after the closing/),
    },
    {
      name: 'flags an empty port',
      input: 'registry.example.com:/app',
      expected: invalid('invalid-reference', at('registry.example.com:/app', ':'), /port after `registry\.example\.com:` is empty/),
    },
    {
      name: 'flags a port with letters',
      input: 'registry.example.com:50x/app',
      expected: invalid('invalid-reference', at('registry.example.com:50x/app', '50x'), /contains `x`/),
    },
    {
      name: 'flags a host that starts with `-`',
      input: '-docker.io/docker/docker',
      expected: invalid('invalid-reference', at('-docker.io/docker/docker', '-docker'), /starts with `-`/),
    },
    {
      name: 'flags a host with a trailing dot',
      input: 'example.com./app',
      expected: invalid('invalid-reference', at('example.com./app', 'example.com.'), /empty label/),
    },
    {
      name: 'flags an empty host before a port',
      input: ':5000/app',
      expected: invalid('invalid-reference', at(':5000/app', ':'), /host before `:` is empty/),
    },
    {
      name: 'flags a host with `_` and a port, which is neither a host nor a path component',
      input: 'foo_bar.com:8080/x',
      expected: invalid('invalid-reference', at('foo_bar.com:8080/x', 'foo_bar'), /contains `_`/),
    },
    {
      name: 'reads a dotted first component with `_` as a path component with no domain at all',
      input: 'foo_bar.com/app',
      expected: valid({
        domain: undefined,
        host: undefined,
        path: 'foo_bar.com/app',
        pathSpan: { start: 0, end: 'foo_bar.com/app'.length },
        normalizedDomain: '',
        normalizedPath: 'foo_bar.com/app',
        normalizedName: 'foo_bar.com/app',
        isDockerHub: false,
        familiarName: 'foo_bar.com/app',
      }),
    },
    {
      name: 'flags an uppercase first component that is neither host nor path as "must be lowercase", like Docker',
      input: 'Foo_Bar/app',
      expected: invalid('uppercase-repository', at('Foo_Bar/app', 'Foo_Bar'), /must be lowercase/),
    },
    {
      name: 'flags a scheme-less path after a host with no path',
      input: 'localhost:5000/',
      expected: invalid('invalid-reference', atLast('localhost:5000/', '/'), /no repository path/),
    },
    {
      name: 'rewrites `index.docker.io` and adds `library/` to a single-level name',
      input: 'index.docker.io/redis:7',
      expected: valid({
        ...hub('redis', 'library/redis', 'redis'),
        domain: 'index.docker.io',
        domainSpan: at('index.docker.io/redis:7', 'index.docker.io'),
        tag: '7',
      }),
    },
    {
      name: 'does not treat a differently cased `Docker.io` as Docker Hub',
      input: 'Docker.io/foo',
      expected: valid({ domain: 'Docker.io', path: 'foo', normalizedDomain: 'Docker.io', normalizedPath: 'foo', isDockerHub: false }),
    },
    {
      name: 'drops `library/` from the familiar form of a single-level official path',
      input: 'library/redis',
      expected: valid(hub('library/redis', 'library/redis', 'redis')),
    },
    {
      name: 'keeps a Docker Hub `library` namespace for a two-level name under another user',
      input: 'other/library',
      expected: valid(hub('other/library', 'other/library', 'other/library')),
    },
  ];
  runTable(cases);
});

// ---------------------------------------------------------------------------
// Path components, separators and length

describe('path components, separators and length', () => {
  const hostAnd255 = `example.com/${'a'.repeat(255)}:tag`;
  const hostAnd256 = `example.com/${'a'.repeat(256)}:tag`;
  const hub247 = 'a'.repeat(247);
  const hub248 = 'a'.repeat(248);
  const cases: Case[] = [
    {
      name: 'does not flag `__` between letters',
      input: 'a__b/c',
      expected: valid(hub('a__b/c', 'a__b/c', 'a__b/c')),
    },
    {
      name: 'does not flag `---` between letters',
      input: 'a---b/c',
      expected: valid(hub('a---b/c', 'a---b/c', 'a---b/c')),
    },
    {
      name: 'does not flag one dot and one underscore in the same component',
      input: 'group/my_app.v2',
      expected: valid(hub('group/my_app.v2', 'group/my_app.v2', 'group/my_app.v2')),
    },
    {
      name: 'flags `._` as two separators in a row',
      input: 'group/a._b',
      expected: invalid('invalid-reference', at('group/a._b', 'a._b'), /separator `\._`/),
    },
    {
      name: 'flags `___` as too many underscores',
      input: 'group/a___b',
      expected: invalid('invalid-reference', at('group/a___b', 'a___b'), /separator `___`/),
    },
    {
      name: 'flags `-.` as two separators in a row',
      input: 'group/a-.b',
      expected: invalid('invalid-reference', at('group/a-.b', 'a-.b'), /separator `-\.`/),
    },
    {
      name: 'flags `//` as an empty path component',
      input: 'docker///docker',
      expected: invalid('invalid-reference', at('docker///docker', '/', 'docker/'.length), /`\/\/`/),
    },
    {
      name: 'flags a leading `/`',
      input: '/docker',
      expected: invalid('invalid-reference', at('/docker', '/'), /starts with `\/`/),
    },
    {
      name: 'flags the component that is wrong, not the whole path',
      input: 'registry.example.com/group/-app/x:1',
      expected: invalid('invalid-reference', at('registry.example.com/group/-app/x:1', '-app'), /Path component 2/),
    },
    {
      name: 'does not flag a 255-character path after a host',
      input: hostAnd255,
      expected: valid({ domain: 'example.com', path: 'a'.repeat(255), tag: 'tag' }),
    },
    {
      name: 'flags a 256-character path after a host',
      input: hostAnd256,
      expected: invalid('name-too-long', at(hostAnd256, 'a'.repeat(256)), /256 characters long/),
    },
    {
      name: 'does not flag a 247-character Docker Hub name, which is 255 with `library/`',
      input: hub247,
      expected: valid(hub(hub247, `library/${hub247}`, hub247)),
    },
    {
      name: 'flags a 248-character Docker Hub name, because Docker counts the added `library/`',
      input: hub248,
      expected: invalid('name-too-long', undefined, /library\//),
    },
    {
      name: 'flags a path component with a space',
      input: 'redis latest',
      expected: invalid('invalid-reference', undefined, /a space/),
    },
    {
      name: 'flags a trailing space',
      input: 'redis:7 ',
      expected: invalid('invalid-tag', at('redis:7 ', '7 '), /a space/),
    },
    {
      name: 'flags a trailing newline',
      input: 'redis\n',
      expected: invalid('invalid-reference', undefined, /control character U\+000A/),
    },
    {
      name: 'flags a non-ASCII letter in a path component',
      input: 'group/rédis',
      expected: invalid('invalid-reference', at('group/rédis', 'rédis'), /`é` \(U\+00E9\)/),
    },
    {
      name: 'flags a non-ASCII letter in a host',
      input: 'café.example.com/app',
      expected: invalid('invalid-reference', at('café.example.com/app', 'café'), /registry host/),
    },
    {
      name: 'flags a non-ASCII uppercase letter as uppercase, like Go\'s strings.ToLower',
      input: 'group/Ünïcode',
      expected: invalid('uppercase-repository', at('group/Ünïcode', 'Ünïcode'), /must be lowercase/),
    },
    {
      name: 'flags an emoji in a path component without splitting it in the message',
      input: 'group/app🚀',
      expected: invalid('invalid-reference', at('group/app🚀', 'app🚀'), /`🚀` \(U\+1F680\)/),
    },
    {
      name: 'flags a 64-uppercase-hex name as uppercase, not as an image ID',
      input: DG_HEX.toUpperCase(),
      expected: invalid('uppercase-repository', undefined, /lowercase/),
    },
    {
      name: 'does not flag a 64-hex name with a tag',
      input: `${DG_HEX}:1`,
      expected: valid({ ...hub(DG_HEX, `library/${DG_HEX}`, DG_HEX), tag: '1' }),
    },
    {
      name: 'does not flag a 65-hex name',
      input: `${DG_HEX}0`,
      expected: valid(hub(`${DG_HEX}0`, `library/${DG_HEX}0`, `${DG_HEX}0`)),
    },
  ];
  runTable(cases);
});

// ---------------------------------------------------------------------------
// Tags

describe('tags', () => {
  const tag128 = `v${'x'.repeat(127)}`;
  const tag129 = `v${'x'.repeat(128)}`;
  const cases: Case[] = [
    {
      name: 'does not flag a 128-character tag',
      input: `redis:${tag128}`,
      expected: valid({ tag: tag128, tagSpan: at(`redis:${tag128}`, tag128) }),
    },
    {
      name: 'flags a 129-character tag',
      input: `redis:${tag129}`,
      expected: invalid('invalid-tag', at(`redis:${tag129}`, tag129), /129 characters long/),
    },
    {
      name: 'flags a trailing `:` as an empty tag',
      input: 'redis:',
      expected: invalid('invalid-tag', atLast('redis:', ':'), /tag after `:` is empty/),
    },
    {
      name: 'flags an empty tag before a digest',
      input: `redis:@${DG}`,
      expected: invalid('invalid-tag', at(`redis:@${DG}`, ':'), /empty/),
    },
    {
      name: 'flags a tag that starts with `.`',
      input: 'redis:.7',
      expected: invalid('invalid-tag', at('redis:.7', '.7'), /starts with `\.`/),
    },
    {
      name: 'flags a tag that starts with `-`',
      input: 'redis:-7',
      expected: invalid('invalid-tag', at('redis:-7', '-7'), /starts with `-`/),
    },
    {
      name: 'does not flag a tag that starts with `_`',
      input: 'redis:_7',
      expected: valid({ tag: '_7' }),
    },
    {
      name: 'flags a second `:` in the tag',
      input: 'redis:7:1',
      expected: invalid('invalid-tag', at('redis:7:1', '7:1'), /contains `:`/),
    },
    {
      name: 'flags a `/` in a tag after a host',
      input: 'localhost:5000/app:1.0/x',
      expected: invalid('invalid-tag', at('localhost:5000/app:1.0/x', '1.0/x'), /contains `\/`/),
    },
    {
      name: 'flags an emoji in a tag',
      input: 'redis:🚀',
      expected: invalid('invalid-tag', at('redis:🚀', '🚀'), /U\+1F680/),
    },
    {
      name: 'flags a Kelvin sign in a tag as "must be lowercase", because Go lowercases it to `k`',
      input: `redis:${KELVIN}`,
      expected: invalid('uppercase-repository', at(`redis:${KELVIN}`, KELVIN), /must be lowercase/),
    },
  ];
  runTable(cases);
});

// ---------------------------------------------------------------------------
// Digests (REFERENCE §2.4)

describe('digests', () => {
  const hex = (n: number): string => 'a1'.repeat(n).slice(0, n);
  const ref = (digest: string): string => `alpine@${digest}`;
  const cases: Case[] = [
    {
      name: 'does not flag a sha256 digest with 64 hex characters',
      input: ref(`sha256:${hex(64)}`),
      expected: valid({ digest: `sha256:${hex(64)}`, digestSpan: at(ref(`sha256:${hex(64)}`), `sha256:${hex(64)}`) }),
    },
    {
      name: 'flags a sha256 digest with 63 hex characters',
      input: ref(`sha256:${hex(63)}`),
      expected: invalid('invalid-digest', at(ref(`sha256:${hex(63)}`), `sha256:${hex(63)}`), /63 hex characters instead of 64/),
    },
    {
      name: 'flags a sha256 digest with 65 hex characters',
      input: ref(`sha256:${hex(65)}`),
      expected: invalid('invalid-digest', at(ref(`sha256:${hex(65)}`), `sha256:${hex(65)}`), /65 hex characters instead of 64/),
    },
    {
      name: 'does not flag a sha512 digest with 128 hex characters',
      input: ref(`sha512:${hex(128)}`),
      expected: valid({ digest: `sha512:${hex(128)}` }),
    },
    {
      name: 'flags a sha512 digest with 127 hex characters',
      input: ref(`sha512:${hex(127)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`sha512:${hex(127)}`).length }, /127 hex characters instead of 128/),
    },
    {
      name: 'flags a sha512 digest with 64 hex characters',
      input: ref(`sha512:${hex(64)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`sha512:${hex(64)}`).length }, /64 hex characters instead of 128/),
    },
    {
      name: 'flags uppercase hex in a sha256 digest',
      input: ref(`sha256:${DG_HEX.toUpperCase()}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`sha256:${DG_HEX}`).length }, /uppercase hex/),
    },
    {
      name: 'flags a non-hex character in a sha256 digest',
      input: ref(`sha256:${'g'.repeat(64)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`sha256:${DG_HEX}`).length }, /contains `g`/),
    },
    {
      name: 'flags a digest with too few hex characters for the grammar',
      input: ref(`sha256:${hex(20)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`sha256:${hex(20)}`).length }, /20 hex characters/),
    },
    {
      name: 'flags a digest without `:`',
      input: ref(hex(64)),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(hex(64)).length }, /no `:`/),
    },
    {
      name: 'flags a digest with no algorithm',
      input: ref(`:${hex(64)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`:${hex(64)}`).length }, /no algorithm/),
    },
    {
      name: 'flags an algorithm name that breaks the grammar',
      input: ref(`sha-256-:${hex(64)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`sha-256-:${hex(64)}`).length }, /not a valid algorithm name/),
    },
    {
      name: 'flags sha384 as unsupported, because Docker registers only sha256 and sha512',
      input: ref(`sha384:${hex(96)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`sha384:${hex(96)}`).length }, /not supported/),
    },
    {
      name: 'flags `constructor` as an unsupported algorithm',
      input: ref(`constructor:${hex(64)}`),
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: ref(`constructor:${hex(64)}`).length }, /not supported/),
    },
    {
      name: 'flags an uppercase algorithm after a tag as unsupported',
      input: `alpine:3@SHA256:${DG_HEX}`,
      expected: invalid('invalid-digest', at(`alpine:3@SHA256:${DG_HEX}`, 'SHA256:'.concat(DG_HEX)), /not supported/),
    },
    {
      name: 'flags an uppercase algorithm without a tag as an uppercase repository name, like Docker',
      input: `alpine@SHA256:${DG_HEX}`,
      expected: invalid('uppercase-repository', at(`alpine@SHA256:${DG_HEX}`, 'SHA256'), /repository name must be lowercase/),
    },
    {
      name: 'flags a trailing `@` as an empty digest',
      input: 'alpine@',
      expected: invalid('invalid-digest', at('alpine@', '@'), /digest after `@` is empty/),
    },
    {
      name: 'flags a tag followed by a trailing `@`',
      input: 'alpine:3@',
      expected: invalid('invalid-digest', at('alpine:3@', '@'), /empty/),
    },
    {
      name: 'flags a second `@` inside the digest',
      input: `alpine@${DG}@${DG}`,
      expected: invalid('invalid-digest', { start: 'alpine@'.length, end: `alpine@${DG}@${DG}`.length }, /contains `@`/),
    },
    {
      name: 'reports the path length before the digest, in Docker\'s order',
      input: `example.com/${'a'.repeat(256)}@sha256:${hex(63)}`,
      expected: invalid('name-too-long', at(`example.com/${'a'.repeat(256)}@sha256:${hex(63)}`, 'a'.repeat(256))),
    },
  ];
  runTable(cases);
});

// ---------------------------------------------------------------------------
// Robustness

describe('robustness', () => {
  test('never throws and keeps spans inside the text on generated inputs', () => {
    const pieces = ['a', 'Z', '0', 'f', '.', '_', '-', '/', ':', '@', '[', ']', '%', ' ', 'é', '🚀', KELVIN, '\u0130', 'sha256', 'docker.io', 'localhost', '5000', DG_HEX];
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 5000; n++) {
      let input = '';
      const length = next() % 12;
      for (let i = 0; i < length; i++) input += pieces[next() % pieces.length];
      const result = parseImageReference(input);
      if (result.ok) {
        checkReferenceInvariants(result.reference);
      } else {
        const { span, message } = result.problem;
        assert.ok(span.start >= 0 && span.start <= span.end && span.end <= input.length, `${JSON.stringify(input)} → ${JSON.stringify(span)}`);
        checkMessage(message);
      }
    }
  });

  test('parses huge inputs in linear time', () => {
    const big = 200_000;
    const inputs = [
      'a'.repeat(big),
      `${'a/'.repeat(big)}a`,
      `registry.example.com/${'a-'.repeat(big)}a`,
      `redis:${'x'.repeat(big)}`,
      `redis@sha256:${'f'.repeat(big)}`,
      `${'['.repeat(big)}/x`,
      `${'A'.repeat(big)}`,
      `${'a.'.repeat(big)}/x`,
      `${':'.repeat(big)}`,
      `${'@'.repeat(big)}`,
      `${'é'.repeat(big)}`,
    ];
    const start = Date.now();
    for (const input of inputs) {
      const result = parseImageReference(input);
      if (!result.ok) assert.ok(result.problem.message.length < 600, 'long user values are shortened in messages');
    }
    assert.ok(Date.now() - start < 2000, `took ${Date.now() - start} ms`);
  });
});
