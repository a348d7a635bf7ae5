/**
 * image/* — checks of one image or service reference (SPEC §1, REFERENCE §2, §3.3).
 *
 * A reference is expanded the way the runner expands it, parsed the way Docker
 * parses it, and each problem is mapped back through both steps to the characters
 * the user wrote. A problem that lies in a variable's run-time value is never
 * blamed on the variable: only what is written is judged.
 */
import type { Finding, FixData } from '../finding';
import type { ImageOccurrence } from '../model/images';
import { parseImageReference } from '../reference/parseReference';
import type { ImageReference, Span } from '../reference/types';
import type { Settings } from '../settings';
import { expandVariables, type Expansion, type VariableUse } from '../variables';

/** Everything the checks below share for one occurrence. */
interface Subject {
  readonly occurrence: ImageOccurrence;
  readonly expansion: Expansion;
  readonly settings: Settings;
}

/** Maps a span of the expanded text to document offsets. */
function toDocument(subject: Subject, span: Span): { offset: number; length: number } {
  const written = subject.expansion.map.spanToSource(span.start, span.end);
  const inDocument = subject.occurrence.map.spanToSource(written.start, written.end);
  return { offset: inDocument.start, length: Math.max(1, inDocument.end - inDocument.start) };
}

/** Variables whose value shapes `span` of the expanded text. */
function variablesIn(subject: Subject, span: Span): VariableUse[] {
  return subject.expansion.uses.filter((use) =>
    use.expandedStart === use.expandedEnd
      ? span.start <= use.expandedStart && use.expandedStart <= span.end
      : use.expandedStart < span.end && span.start < use.expandedEnd);
}

/** True when `span` depends on a value we could not read (sample, unknown or missing). */
function dependsOnUnknownValue(subject: Subject, span: Span): boolean {
  return variablesIn(subject, span).some((use) => use.origin !== 'literal');
}

function finding(subject: Subject, code: string, span: Span, message: string, data?: Finding['data']): Finding {
  const place = toDocument(subject, span);
  return data ? { code, ...place, message, data } : { code, ...place, message };
}

/**
 * Flags `$VAR`s that will expand to nothing at run time.
 * @example image: $BASE_IMAGE:1.2   # BASE_IMAGE defined nowhere → undefined-variable
 * @example image: $CI_REGISTRY_IMAGE/app:1  # predefined → no finding
 */
function checkVariables(subject: Subject): Finding[] {
  const findings: Finding[] = [];
  for (const use of subject.expansion.uses) {
    const span = subject.occurrence.map.spanToSource(use.start, use.end);
    const place = { offset: span.start, length: Math.max(1, span.end - span.start) };
    if (use.origin === 'undefined') {
      findings.push({
        code: 'image/undefined-variable',
        ...place,
        message: `\`$${use.name}\` is not defined in any \`variables:\`, runner \`environment\` or \`pullguard.variables\`, so the runner expands it to an empty string and pulls \`${subject.expansion.text}\`. Define it, or add it to \`pullguard.variables\` if it is a project CI/CD variable.`,
      });
    } else if (use.origin === 'script') {
      findings.push({
        code: 'image/script-variable',
        ...place,
        message: `\`$${use.name}\` is only set inside a script, which runs after the image is pulled; the runner expands it to an empty string here. Define it under \`variables:\` instead.`,
      });
    }
  }
  return findings;
}

/**
 * Parse problems: invalid characters and components, uppercase paths, length, tag and digest.
 * @example image: Registry.example.com/Team/app   → image/uppercase-repository on `Team/app`
 * @example image: registry.example.com/team/app   → no finding
 */
function checkSyntax(subject: Subject): { reference: ImageReference | undefined; findings: Finding[] } {
  const result = parseImageReference(subject.expansion.text);
  if (result.ok) return { reference: result.reference, findings: [] };
  const { problem } = result;
  const culprits = variablesIn(subject, problem.span);
  if (culprits.some((use) => use.origin !== 'literal')) {
    // The problem lies in a value only known at run time (or an empty expansion, already reported).
    return { reference: undefined, findings: [] };
  }
  const expanded = culprits.length > 0
    ? `After expanding ${culprits.map((use) => `\`$${use.name}\``).join(', ')} the name reads \`${subject.expansion.text}\`. `
    : '';
  const fix = problem.kind === 'uppercase-repository' ? getLowercaseFix(subject, problem.span) : undefined;
  return { reference: undefined, findings: [finding(subject, `image/${problem.kind}`, problem.span, expanded + problem.message, fix)] };
}

/**
 * Lowercases every uppercase component of the repository, when the result is a valid
 * reference and the components are written as they read (no variables, no escapes).
 */
function getLowercaseFix(subject: Subject, first: Span): FixData | undefined {
  let text = subject.expansion.text;
  let span = first;
  let start = first.start;
  let end = first.end;
  for (let round = 0; round < 64; round++) {
    const lower = text.slice(span.start, span.end).toLowerCase();
    if (lower === text.slice(span.start, span.end)) return undefined;
    text = text.slice(0, span.start) + lower + text.slice(span.end);
    start = Math.min(start, span.start);
    end = Math.max(end, span.end);
    const result = parseImageReference(text);
    if (result.ok) {
      if (variablesIn(subject, { start, end }).length > 0) return undefined;
      const place = toDocument(subject, { start, end });
      if (place.length !== end - start) return undefined;
      const newText = text.slice(start, end);
      return { fix: 'edits', title: `Lowercase to \`${newText}\``, edits: [{ ...place, newText }] };
    }
    if (result.problem.kind !== 'uppercase-repository') return undefined;
    span = result.problem.span;
  }
  return undefined;
}

/**
 * `registry.example.com:5000` alone is a Docker Hub image with tag `5000` (REFERENCE §2.3 step 2).
 * @example image: registry.example.com:5000   → image/port-as-tag
 * @example image: registry.example.com:5000/app → no finding
 */
function checkPortAsTag(subject: Subject, reference: ImageReference): Finding[] {
  const { tag, tagSpan, domain, path } = reference;
  if (domain || !tag || !tagSpan || !/^\d+$/.test(tag)) return [];
  if (!path.includes('.') && path !== 'localhost') return [];
  const span = { start: 0, end: tagSpan.end };
  if (dependsOnUnknownValue(subject, span)) return [];
  return [finding(subject, 'image/port-as-tag', span,
    `Docker reads \`${path}:${tag}\` as the Docker Hub image \`${path}\` with tag \`${tag}\`, not as a registry, so the pull goes to Docker Hub and fails. Add the repository path: \`${path}:${tag}/<namespace>/<image>:<tag>\`.`)];
}

/**
 * An uppercase first component is a domain for Docker but Docker Hub for the runner's credential lookup (REFERENCE §1.4, §9 Q14).
 * @example image: MyRegistry/app   → image/uppercase-domain
 * @example image: myregistry.local/app → no finding
 */
function checkUppercaseDomain(subject: Subject, reference: ImageReference): Finding[] {
  const { domain, domainSpan } = reference;
  if (!domain || !domainSpan || domain.includes('.') || domain.includes(':') || domain === 'localhost') return [];
  if (domain === domain.toLowerCase() || dependsOnUnknownValue(subject, domainSpan)) return [];
  return [finding(subject, 'image/uppercase-domain', domainSpan,
    `Docker pulls this image from a registry host named \`${domain}\` (an uppercase first component counts as a domain), but the runner looks up credentials for it as a Docker Hub image, so no registry credentials will match. Write the registry host in lowercase with its domain, such as \`${domain.toLowerCase()}.example.com\`.`)];
}

/**
 * Tag and digest together: Docker pulls by digest and ignores the tag (REFERENCE §2.3 step 7).
 * @example image: alpine:3.20@sha256:…   → image/tag-and-digest (hint)
 * @example image: alpine@sha256:…        → no finding
 */
function checkTagAndDigest(subject: Subject, reference: ImageReference): Finding[] {
  if (!reference.tag || !reference.tagSpan || !reference.digest) return [];
  return [finding(subject, 'image/tag-and-digest', reference.tagSpan,
    `The tag \`${reference.tag}\` is ignored for the pull: Docker pulls by the digest. Keeping the tag is fine for readability, but it is not checked against the digest.`)];
}

/**
 * Unpinned references: `latest` (explicit or implied), and any reference without a digest.
 * @example image: node            → image/latest-tag
 * @example image: node:20         → image/not-pinned
 * @example image: node:20@sha256:… → no finding
 */
function checkPinning(subject: Subject, reference: ImageReference): Finding[] {
  if (reference.digest) return [];
  const nameSpan = { start: 0, end: reference.pathSpan.end };
  const tagSpan = reference.tagSpan;
  // A tag that comes from a variable might carry a digest at run time.
  if (tagSpan && dependsOnUnknownValue(subject, tagSpan)) return [];
  if (!tagSpan && dependsOnUnknownValue(subject, nameSpan)) return [];
  const fix = { fix: 'pin-digest' as const, image: subject.expansion.text };
  if (!reference.tag || reference.tag === 'latest') {
    const what = reference.tag ? 'The tag `latest`' : `\`${subject.expansion.text}\` has no tag, so it means \`latest\`, which`;
    return [finding(subject, 'image/latest-tag', tagSpan ?? nameSpan,
      `${what} moves whenever the image is rebuilt, so two pipelines can run different images. Pin a version tag, or pin the digest.`, fix)];
  }
  return [finding(subject, 'image/not-pinned', tagSpan ?? nameSpan,
    `\`${subject.expansion.text}\` is not pinned to a digest: the tag \`${reference.tag}\` can be moved to different content, and the runner will pull whatever it points to then. Pin it to a digest to get exactly the image you tested.`, fix)];
}

/**
 * A dependency-proxy path without the port GitLab keys the job's credentials by (REFERENCE §1.6, §3.6).
 * @example image: gitlab.com/group/dependency_proxy/containers/alpine  → image/dependency-proxy-port
 * @example image: $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/alpine       → no finding
 */
function checkDependencyProxyPort(subject: Subject, reference: ImageReference): Finding[] {
  const { domain, domainSpan, port, path } = reference;
  if (!domain || !domainSpan || port || dependsOnUnknownValue(subject, domainSpan)) return [];
  const marker = '/dependency_proxy/containers';
  const markerIndex = path.indexOf(marker);
  if (markerIndex === -1) return [];
  const prefixEnd = reference.pathSpan.start + markerIndex + marker.length;
  const prefix = subject.expansion.text.slice(0, prefixEnd);
  const data = dependsOnUnknownValue(subject, { start: 0, end: prefixEnd }) || subject.expansion.uses.length > 0
    ? undefined
    : { fix: 'replace' as const, title: 'Use $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX', newText: '$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX' };
  const place = toDocument(subject, { start: 0, end: prefixEnd });
  const message = `GitLab keys the job's dependency-proxy credentials by \`${domain}:443\`, with the port, so \`${prefix}\` finds no credentials and the pull is anonymous (private groups then fail with "access forbidden"). Use \`$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX\`, or write \`${domain}:443\`.`;
  return [data ? { code: 'image/dependency-proxy-port', ...place, message, data } : { code: 'image/dependency-proxy-port', ...place, message }];
}

/** All image/* checks for one reference. */
export function checkImageOccurrence(occurrence: ImageOccurrence, settings: Settings): Finding[] {
  const expansion = expandVariables(occurrence.text, occurrence.variables);
  const subject: Subject = { occurrence, expansion, settings };
  const findings = checkVariables(subject);
  // `image: $IMAGE` with an unknown value: nothing written is left to check.
  const [only] = expansion.uses;
  if (expansion.uses.length === 1 && only!.start === 0 && only!.end === occurrence.text.length && only!.origin !== 'literal') {
    return findings;
  }
  const syntax = checkSyntax(subject);
  findings.push(...syntax.findings);
  const reference = syntax.reference;
  if (!reference) return findings;
  const portAsTag = checkPortAsTag(subject, reference);
  findings.push(
    ...portAsTag,
    ...checkUppercaseDomain(subject, reference),
    ...checkTagAndDigest(subject, reference),
    // A port read as a tag is one mistake; pinning advice on it would be noise.
    ...(portAsTag.length > 0 ? [] : checkPinning(subject, reference)),
    ...checkDependencyProxyPort(subject, reference),
  );
  return findings;
}
