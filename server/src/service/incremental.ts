/**
 * Incremental re-analysis of a pipeline: after an edit inside some jobs, only those
 * jobs are checked again; the findings and images of the rest of the document are the
 * previous analysis's, moved by the edit's length. Edits are then as cheap on a
 * 5,000-job pipeline as on a small one.
 *
 * A job's findings depend on more than its own text: its templates, `default:`, the
 * global variables, the other users of a template's image, the runners. Reuse is
 * therefore allowed only when the edit provably changes nothing outside the edited
 * jobs, and otherwise the whole document is analysed again, as before:
 *
 * - the edit replaced whole top-level entries (the incremental parse says which) that
 *   are visible jobs, the same names before and after, none merging into the root map
 *   (nodes they share with other entries through aliases count as taken from elsewhere,
 *   like a template's; an anchor of theirs another entry uses makes the parse whole);
 * - no entry names them (`extends`, `!reference`), and the document includes
 *   nothing (included files are not part of the parse's bookkeeping);
 * - what each edited job gives the rest of the analysis is unchanged: the images and
 *   services it takes from elsewhere (the same nodes), its variables (names and
 *   values), script assignments, `extends` chain, and everything the service checks
 *   read from its own services;
 * - an edited job that writes a `DOCKER_AUTH_CONFIG` of its own (before or after the
 *   edit) is not the job whose credentials look up an image written elsewhere (a
 *   template's, `default:`'s: the lookup takes its first user's, `credentials/analysis.ts`);
 * - a kept image whose credential lookup used a `DOCKER_AUTH_CONFIG` the edit moved
 *   (a job's, after the edited text) keeps its lookup, with the moved source (the same
 *   content at its new place).
 *
 * `test/unit/incremental.test.ts` checks on random edits that the result equals a fresh
 * analysis of the edited text, and that most edits inside jobs take this path.
 */
import type { CredentialAnalysis } from './credentials/analysis';
import type { CredentialSource } from './credentials/types';
import type { ImageCredentials } from './rules/auth';
import { fixHasOffsets, moveFindingInPlace, type Finding, type Mutable } from './finding';
import { CiAnalysis, type CiModel, type EffectiveJob, type ImageUse, type VariableDefinition } from './model/ciModel';
import type { ImageOccurrence } from './model/images';
import { getReferencedJobs, getValue, getYamlModelEdit, isParsedInChunks, perNode, scalarText, type YamlModelEdit, type YMap, type YNode } from './parse/yamlModel';
import { findUrlHost } from './rules/services';

/** What the rule families give for a pipeline, yaml syntax errors aside. */
export interface CiRuleResults {
  readonly findings: readonly Finding[];
  readonly images: readonly ImageOccurrence[];
  readonly credentials: CredentialAnalysis;
}

/** The rule results of an edited version, computed again for the edited jobs only. */
export interface ReanalysedResults {
  readonly results: CiRuleResults;
  /**
   * True for a kept finding whose places are on the lines and columns they had in the
   * version before: its diagnostic's ranges then need no checking.
   */
  readonly placesKept: (finding: Finding) => boolean;
}

/** The analysis of the version before the edit. */
export interface PreviousCiAnalysis {
  /** Its (lazily computed) analysis of the whole document, for the edited jobs' effective configuration before the edit. */
  readonly ci: CiAnalysis;
  readonly results: CiRuleResults;
}

const AUTH_VARIABLE = 'DOCKER_AUTH_CONFIG';

/**
 * The rule results of `ci`, an edit of `previous`'s document, computed again only for
 * the jobs the edit touched; undefined when that cannot be shown to equal a whole
 * analysis (the caller then analyses the whole document).
 *
 * The kept findings and images are `previous`'s own objects, moved in place (see
 * `merge`), as the incremental parse moves the previous version's nodes: `previous` is
 * not to be read after this call, whatever it returns.
 * @param uri the document's: a fix that renames a key in another file keeps its offsets
 * @param run runs the rule families on an analysis (of the edited jobs only, here)
 */
export function reanalyseEditedJobs(ci: CiAnalysis, uri: string, previous: PreviousCiAnalysis, run: (ci: CiAnalysis) => CiRuleResults): ReanalysedResults | undefined {
  const edit = getYamlModelEdit(ci.model.yaml);
  if (!edit || edit.removed.mergesIntoRoot || edit.added.mergesIntoRoot) return undefined;
  if (ci.included || previous.ci.included || ci.model.includes.length > 0) return undefined;

  const names = editedJobNames(ci, previous.ci, edit);
  if (!names || isExtendedOrReferenced(ci, names, extendersAfterEdit(ci.model, previous.ci.model, edit))) return undefined;

  const scoped = new CiAnalysis(ci.model, undefined, names);
  const authWriters = new Set<string>();
  for (const name of names) {
    const before = previous.ci.getEffectiveJob(previous.ci.model.jobs.get(name)!);
    const after = scoped.getEffectiveJob(ci.model.jobs.get(name)!);
    const old = { nodes: edit.removed.nodes, text: previous.ci.model.text };
    const now = { nodes: edit.added.nodes, text: ci.model.text };
    if (!sameContribution(before, old, after, now)) return undefined;
    if (writesAuthConfig(before, old) || writesAuthConfig(after, now)) authWriters.add(name);
  }
  if (authWriters.size > 0 && looksUpImageWrittenElsewhere(previous.results.images, authWriters, edit)) return undefined;

  const results = merge(previous.results, run(scoped), edit, uri);
  return results && { results, placesKept: placesKeptBy(edit, previous.ci.model.text, ci.model.text) };
}

/**
 * Whether a kept finding's places have the line and column they had before the edit.
 * Before the edited text they have: it is the same text. After it, when the edit left as
 * many lines as it replaced, each line is the one it was, its text moved as a whole: the
 * edited text is whole top-level entries, which start at line starts (updateYamlModel).
 * A finding kept after it when the line count changed is on other lines now (its
 * diagnostic is then made again; one kept as the same object when the text kept its
 * length, too).
 */
export function placesKeptBy(edit: YamlModelEdit, before: string, after: string): (finding: Finding) => boolean {
  if (countLineBreaks(before, edit.from, edit.oldTo) === countLineBreaks(after, edit.from, edit.newTo)) return () => true;
  const endsBefore = (place: { readonly offset: number; readonly length: number }) => place.offset + place.length <= edit.from;
  return (finding) => endsBefore(finding) && (finding.related === undefined || finding.related.every(endsBefore));
}

/** Line breaks as the editor's positions count them (vscode-languageserver-textdocument): `\n`, `\r\n` and a lone `\r`. */
function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = from; at < to; at++) {
    const code = text.charCodeAt(at);
    if (code === LF || (code === CR && text.charCodeAt(at + 1) !== LF)) count++;
  }
  return count;
}
const LF = 0x0a;
const CR = 0x0d;

/** The names of the edited entries, when they are the same visible jobs before and after the edit. */
function editedJobNames(ci: CiAnalysis, previousCi: CiAnalysis, edit: YamlModelEdit): Set<string> | undefined {
  const { removed, added } = edit;
  if (added.pairs.length === 0 || added.pairs.length !== removed.pairs.length) return undefined;
  const names = new Set<string>();
  for (let i = 0; i < added.pairs.length; i++) {
    const name = scalarText(added.pairs[i]!.key);
    if (name === undefined || name !== scalarText(removed.pairs[i]!.key) || name.startsWith('.') || names.has(name)) return undefined;
    // The entry is the job of that name (not a global keyword, not shadowed by a later duplicate).
    if (ci.model.jobs.get(name)?.map !== added.pairs[i]!.value) return undefined;
    if (previousCi.model.jobs.get(name)?.map !== removed.pairs[i]!.value) return undefined;
    names.add(name);
  }
  return names;
}

/** True when an entry extends or `!reference`s one of the jobs: its findings depend on them. */
function isExtendedOrReferenced(ci: CiAnalysis, names: ReadonlySet<string>, extenders: ReadonlyMap<string, number>): boolean {
  const references = getReferencedJobs(ci.model.yaml);
  if (!references) return true;
  // An edited job that extends another edited one counts too: such an edit (a paste over
  // two jobs) is rare, and analysing the whole document for it is only slower.
  for (const name of names) if (references.has(name) || (extenders.get(name) ?? 0) > 0) return true;
  return false;
}

/** The names a job's `extends` lists. */
const extendsOf = perNode((map: YMap): readonly string[] => {
  const node = getValue(map, 'extends');
  const items = node?.kind === 'scalar' ? [node] : node?.kind === 'seq' ? node.items : [];
  return items.map((item) => scalarText(item) ?? '');
});

/**
 * For each name, how many jobs of a model list it in `extends`: every edit asks it of
 * the whole document, and working it out over 5,000 jobs took 8–18 ms of each of the
 * first two edits of a fresh server (1.3–4 ms once compiled; bench/README.md, session 14).
 * So it is worked out once, with a model's whole analysis (prepareForEdits), and each
 * model an edit re-analyses gets it from the one before and the edited jobs.
 */
const extendersByModel = new WeakMap<CiModel, ReadonlyMap<string, number>>();

function getExtenders(model: CiModel): ReadonlyMap<string, number> {
  let extenders = extendersByModel.get(model);
  if (!extenders) {
    const counts = new Map<string, number>();
    for (const job of model.jobs.values()) countExtends(counts, job.map, 1);
    extendersByModel.set(model, (extenders = counts));
  }
  return extenders;
}

/** `previous`'s counts with the edited jobs' `extends` taken out as they were and put back as they are (`editedJobNames` held). */
function extendersAfterEdit(model: CiModel, previous: CiModel, edit: YamlModelEdit): ReadonlyMap<string, number> {
  const before = extendersByModel.get(previous);
  if (!before) return getExtenders(model);
  const counts = new Map(before);
  for (const pair of edit.removed.pairs) countExtends(counts, pair.value as YMap, -1);
  for (const pair of edit.added.pairs) countExtends(counts, pair.value as YMap, 1);
  extendersByModel.set(model, counts);
  return counts;
}

function countExtends(counts: Map<string, number>, job: YMap, change: 1 | -1): void {
  for (const parent of extendsOf(job)) counts.set(parent, (counts.get(parent) ?? 0) + change);
}

/**
 * Works out, with the whole analysis of a pipeline parsed in chunks (a large one, whose
 * edits are re-analysed job by job), what the first edit's re-analysis would otherwise
 * work out over the whole document.
 */
export function prepareForEdits(ci: CiAnalysis): void {
  if (isParsedInChunks(ci.model.yaml)) getExtenders(ci.model);
}

/** A version of the edited entries: the nodes built for them and the text they are in. */
interface EntriesVersion {
  readonly nodes: ReadonlySet<YNode>;
  readonly text: string;
}

/** The same node outside the edited entries, or both written inside them. */
function sameOrBothInside(a: YNode | undefined, inA: EntriesVersion, b: YNode | undefined, inB: EntriesVersion): boolean {
  if (a === undefined || b === undefined) return a === b;
  const aInside = inA.nodes.has(a);
  if (aInside !== inB.nodes.has(b)) return false;
  return aInside || a === b;
}

/** The source text of a node written inside the edited entries (a node from elsewhere is compared by identity). */
function writtenText(node: YNode | undefined, version: EntriesVersion): string | undefined {
  return node && version.nodes.has(node) ? version.text.slice(node.start, node.end) : undefined;
}

/**
 * The same image or service, or both written in the job.
 * @param sameText also the same text when written in the job (a service's hostnames may reach other findings)
 */
function sameUse(a: ImageUse | undefined, inA: EntriesVersion, b: ImageUse | undefined, inB: EntriesVersion, sameText = false): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (!sameOrBothInside(a.name, inA, b.name, inB) || !sameOrBothInside(a.hash, inA, b.hash, inB) || a.origin.kind !== b.origin.kind) return false;
  return !sameText || writtenText(a.hash ?? a.name, inA) === writtenText(b.hash ?? b.name, inB);
}

/**
 * A variable the job inherits (global, or a template's) holds a URL: the service checks
 * then compare its host with the job's service hostnames, and report the URL where it
 * is written, outside the job, naming the jobs that miss it.
 */
function inheritsUrl(effective: EffectiveJob, version: EntriesVersion): boolean {
  for (const definition of effective.variables.values()) {
    if (definition.node && version.nodes.has(definition.node)) continue;
    if (definition.value !== undefined && !definition.value.includes('$') && findUrlHost(definition.value)) return true;
  }
  return false;
}

/**
 * The same variables. With `ownMayChange`, a variable written in the job itself may
 * change: only the job's own images and services read it then (the global ones it
 * inherits must stay, as they decide which URLs of the global variables it shares).
 */
function sameVariables(a: ReadonlyMap<string, VariableDefinition>, inA: EntriesVersion, b: ReadonlyMap<string, VariableDefinition>, inB: EntriesVersion, ownMayChange: boolean): boolean {
  const inherited = (variables: ReadonlyMap<string, VariableDefinition>, version: EntriesVersion) =>
    [...variables.values()].filter((definition) => !(definition.node && version.nodes.has(definition.node)));
  if (ownMayChange) {
    const before = inherited(a, inA);
    const after = inherited(b, inB);
    return before.length === after.length && before.every((definition, i) => definition.name === after[i]!.name && definition.node === after[i]!.node && definition.value === after[i]!.value);
  }
  if (a.size !== b.size) return false;
  const bEntries = b.entries();
  for (const [name, definition] of a) {
    const other = bEntries.next().value as [string, VariableDefinition];
    if (other[0] !== name || other[1].value !== definition.value) return false;
    if (!sameOrBothInside(definition.node, inA, other[1].node, inB)) return false;
    if (definition.node && inA.nodes.has(definition.node) && writtenText(definition.node, inA) !== writtenText(other[1].node, inB)) return false;
  }
  return true;
}

/**
 * No image or service written elsewhere (a template's, `default:`'s) that the job pulls
 * names a variable in its name or alias: the job's own variables then reach no finding
 * outside the job, but for `FF_NETWORK_PER_BUILD` (see `sameContribution`).
 */
function readsOwnVariablesOnlyInside(effective: EffectiveJob, version: EntriesVersion): boolean {
  const uses = effective.image ? [effective.image, ...effective.services] : effective.services;
  const namesVariable = (node: YNode | undefined) => node?.kind === 'scalar' && String(node.value ?? '').includes('$');
  return uses.every((use) => version.nodes.has(use.name) || (!namesVariable(use.name) && !namesVariable(use.hash && getValue(use.hash, 'alias'))));
}

function writesAuthConfig(effective: EffectiveJob, version: EntriesVersion): boolean {
  const node = effective.variables.get(AUTH_VARIABLE)?.node;
  return node !== undefined && version.nodes.has(node);
}

/**
 * True when an image written outside the edited text is looked up with the credentials
 * of one of `jobs`: the lookup takes the first user's `DOCKER_AUTH_CONFIG`, so a job's
 * own config written or changed by the edit would change that image's findings. The
 * users are the previous version's; the edit kept each job's images and `extends` chain
 * (`sameContribution`), so they are the same now.
 */
function looksUpImageWrittenElsewhere(images: readonly ImageOccurrence[], jobs: ReadonlySet<string>, edit: YamlModelEdit): boolean {
  return images.some((image) => isOutsideEdit(image.start, edit) && image.users[0] !== undefined && jobs.has(image.users[0]));
}

/** What an edited job gives the analysis of everything else, unchanged by the edit. */
function sameContribution(before: EffectiveJob, old: EntriesVersion, after: EffectiveJob, now: EntriesVersion): boolean {
  if (!sameUse(before.image, old, after.image, now)) return false;
  if (before.services.length !== after.services.length) return false;
  const servicesReachOut = inheritsUrl(before, old) || inheritsUrl(after, now);
  for (let i = 0; i < before.services.length; i++) if (!sameUse(before.services[i], old, after.services[i], now, servicesReachOut)) return false;
  // The per-job network decides whether an alias `build` of a service written elsewhere collides.
  const ownMayChange = readsOwnVariablesOnlyInside(before, old) && readsOwnVariablesOnlyInside(after, now)
    && before.variables.get('FF_NETWORK_PER_BUILD')?.value === after.variables.get('FF_NETWORK_PER_BUILD')?.value;
  if (!sameVariables(before.variables, old, after.variables, now, ownMayChange)) return false;
  if (before.scriptAssignments.size !== after.scriptAssignments.size) return false;
  for (const name of before.scriptAssignments) if (!after.scriptAssignments.has(name)) return false;
  if (!sameOrBothInside(before.imageUser, old, after.imageUser, now)) return false;
  // `extendsProblems` is not compared: only the job's own hover reads it.
  return before.isTrigger === after.isTrigger
    && before.imageWithoutName === after.imageWithoutName
    && before.unknown.image === after.unknown.image
    && before.unknown.services === after.unknown.services
    && before.unknown.variables === after.unknown.variables
    && before.extendsChain.join('\0') === after.extendsChain.join('\0')
    && before.externalTemplates.join('\0') === after.externalTemplates.join('\0');
}

// ---- Merging -----------------------------------------------------------------------

/** Thrown when a kept part cannot be carried over (an offset inside the edited text, a source read anew): the reuse is abandoned. */
class CannotReuse extends Error {}

/** An offset of the previous version in the edited version's terms. */
function moved(offset: number, edit: YamlModelEdit): number {
  if (offset <= edit.from) return offset;
  if (offset >= edit.oldTo) return offset + edit.delta;
  throw new CannotReuse();
}

/**
 * Moves a kept finding by the edit, in place (see `merge`). A finding that reaches into
 * the edited text, from before or after it, is about the edited jobs: it cannot be kept.
 */
function moveKeptFinding(finding: Finding, edit: YamlModelEdit, uri: string): void {
  if (finding.offset < edit.from ? finding.offset + finding.length > edit.from : finding.offset < edit.oldTo) throw new CannotReuse();
  if (finding.offset < edit.from && finding.related === undefined && !fixHasOffsets(finding.data)) return;
  moveFindingInPlace(finding, (offset) => moved(offset, edit), uri);
}

/** Moves a kept image after the edit, in place (see `merge`). */
function moveKeptImage(image: Mutable<ImageOccurrence>, edit: YamlModelEdit): void {
  if (image.start < edit.from) return;
  image.map = image.map.moved(edit.delta);
  image.start = moved(image.start, edit);
  image.end = moved(image.end, edit);
}

/** Inside the edited text of the new version. */
function isInEdit(offset: number, edit: YamlModelEdit): boolean {
  return offset >= edit.from && offset < edit.newTo;
}

/** Before the edit or after it, in the previous version (the edited jobs' own are replaced). */
function isOutsideEdit(offset: number, edit: YamlModelEdit): boolean {
  return offset < edit.from || offset >= edit.oldTo;
}

/**
 * The previous results with the edited jobs' replaced by `fresh`'s. What is kept is moved
 * in place, not copied: an edit near the top of a 5,000-job pipeline would otherwise copy
 * ~7,000 findings and ~6,000 images, which live until the next edit: V8 promotes them to
 * its old generation, which grew ~2.5 MB a keystroke against ~1.7 MB moved in place, and
 * the server collects it in full each time it grows by 32 MB (bench/README.md, session
 * 14). A kept finding is then the object the previous version's diagnostic was made
 * for, which service/diagnostics.ts reuses.
 */
function merge(previous: CiRuleResults, fresh: CiRuleResults, edit: YamlModelEdit, uri: string): CiRuleResults | undefined {
  try {
    const kept = previous.findings.filter((finding) => isOutsideEdit(finding.offset, edit));
    for (const finding of kept) moveKeptFinding(finding, edit, uri);
    const findings = [...kept, ...fresh.findings.filter((finding) => isInEdit(finding.offset, edit))];
    const keptImages = previous.images.filter((image) => isOutsideEdit(image.start, edit));
    for (const image of keptImages) moveKeptImage(image, edit);
    const images = [...keptImages, ...fresh.images.filter((image) => isInEdit(image.start, edit))].sort((a, b) => a.start - b.start);
    // The pipeline's own sources as they are now. One an edit before it moved is a new
    // object (credentials/documentSources.ts) that says what the one a kept lookup used
    // says: the lookup stands, with it. A kept lookup whose source was read anew cannot be
    // carried over.
    const configReads = fresh.credentials.configReads ?? [];
    const currentSources = new Set<CredentialSource>(configReads.map((read) => read.source));
    const movedSources = new Map<CredentialSource, CredentialSource>();
    for (const read of configReads) if (read.movedFrom) movedSources.set(read.movedFrom, read.source);
    const currentSource = (source: CredentialSource): CredentialSource => {
      if (source.origin.kind !== 'ci-variable' || currentSources.has(source)) return source;
      const moved = movedSources.get(source);
      if (!moved) throw new CannotReuse();
      return moved;
    };
    // In the images' order, as a whole analysis makes it: a key's hover lists the images
    // it serves in this order.
    const credentialsByImage = new Map<ImageOccurrence, ImageCredentials>();
    for (const image of images) {
      let credentials = previous.credentials.images.get(image);
      if (credentials?.sources.some((source) => currentSource(source) !== source)) credentials = { ...credentials, sources: credentials.sources.map(currentSource) };
      credentials ??= fresh.credentials.images.get(image);
      if (credentials) credentialsByImage.set(image, credentials);
    }
    return {
      findings,
      images,
      // The keys and reads are of the document's own configs, read again in full by the
      // scoped analysis; its findings are in `findings` with the others.
      credentials: { ...fresh.credentials, findings: [], images: credentialsByImage },
    };
  } catch (error) {
    if (error instanceof CannotReuse) return undefined;
    throw error;
  }
}
