/**
 * Hover on a job's name (SPEC §2): the image and services the job really runs with,
 * after `default:`, `extends`, anchors, `!reference` and `inherit:`, plus what the
 * workspace's runner `config.toml` files add, and where each one comes from. What
 * the file cannot tell (an `include:`, a template from one) is said, not guessed.
 */
import type { MarkupContent } from 'vscode-languageserver-types';
import type { CiAnalysis, EffectiveJob, ExtendsProblem, ImageUse } from './model/ciModel';
import { describeRunner } from './model/runnerModel';
import { getRunnerDefaultImage } from './rules/runner';
import { getDockerRunners, getJobNetworkPerBuild, ServiceResolver, type JobService, type RuleContext } from './rules/services';
import { code } from './text/markdown';

export interface JobHover {
  readonly contents: MarkupContent;
  /** The job name's span, as offsets. */
  readonly start: number;
  readonly end: number;
}

function originOf(use: ImageUse, jobName: string): string {
  const { origin } = use;
  // Written in an included file: say which, since it is not in the text at hand.
  const file = origin.file ? ` in ${code(origin.file.name)}` : '';
  switch (origin.kind) {
    case 'job':
      if (origin.job !== jobName) return `from job ${code(origin.job)}${file} (\`!reference\`)`;
      return origin.file ? `from its definition${file}` : 'set in this job';
    case 'template':
      return `from template ${code(origin.job)}${file}`;
    case 'default':
      return `from \`default:\`${file}`;
    case 'top-level':
      return `from the top-level key${file} (deprecated)`;
  }
}

function describeHostnames(service: JobService): string {
  if (!service.hostnames) {
    return service.expanded === undefined ? 'hostnames known only at run time (the name or alias uses a variable)' : 'no hostnames: the name does not parse';
  }
  return `answers to ${service.hostnames.map((h) => `${code(h.hostname)} (${h.source === 'alias' ? 'alias' : 'derived from the name'})`).join(', ')}`;
}

function describeProblem(problem: ExtendsProblem, analysis: CiAnalysis): string {
  switch (problem.kind) {
    case 'unknown-template': {
      const where = (analysis.included?.files.length ?? 0) > 0 ? 'this file or the files it includes' : 'this file';
      return `GitLab will reject the pipeline with "${problem.job}: unknown keys in \`extends\` (${problem.template})": ${code(problem.template)} is defined nowhere in ${where}.`;
    }
    case 'cycle':
      return `GitLab will reject the pipeline with "${problem.job}: circular dependency detected in \`extends\`" (through ${code(problem.template)}).`;
    case 'too-deep':
      return `GitLab will reject the pipeline with "nesting too deep in \`extends\`": the chain through ${code(problem.template)} has ${problem.levels ?? 'more than 11'} levels, and GitLab allows 11.`;
  }
}

function includeNote(analysis: CiAnalysis): string {
  const notes: string[] = [];
  const kinds = [...new Set(analysis.unreadIncludes.map((include) => include.kind))];
  if (kinds.length > 0) notes.push(`This file has \`include:\` entries (${kinds.map(code).join(', ')}), which Pullguard does not read here`);
  if (analysis.includedElsewhere) notes.push(`${notes.length > 0 ? 'it' : 'This file'} is included by another pipeline file, whose \`default:\`, \`variables:\` and templates apply to it too`);
  return notes.join('; ');
}

/** `.tpl`, or `.tpl` (`ci/templates.yml`) for a template of an included file. */
function templateName(analysis: CiAnalysis, name: string): string {
  const file = analysis.getJobFile(name);
  return file ? `${code(name)} (${code(file.name)})` : code(name);
}

function imageLines(resolver: ServiceResolver, effective: EffectiveJob, context: RuleContext): string[] {
  const { analysis } = resolver;
  const jobName = effective.job.name;
  if (effective.image) {
    return [`**Image** ${code(resolver.decode(effective.image.name).text)} — ${originOf(effective.image, jobName)}`];
  }
  if (effective.isTrigger) return ['**Image** none — a `trigger:` job starts another pipeline and runs in no container.'];
  if (effective.unknown.image) return [`**Image** unknown — ${includeNote(analysis)}; the image may be set there.`];
  if (effective.imageWithoutName) return ['**Image** — the `image` hash has no `name`: GitLab rejects the job.'];
  const defaults = getDockerRunners(context.workspace)
    .map(({ runner, config }) => ({ runner, image: getRunnerDefaultImage(config, runner, context.settings) }))
    .filter((entry) => entry.image !== undefined);
  if (defaults.length === 0) {
    return ['**Image** none set — the job runs in the default image of whichever runner picks it up (`[runners.docker] image` in its `config.toml`).'];
  }
  return [`**Image** none set — the runner's default image: ${defaults.map((d) => `${code(d.image!)} (runner ${describeRunner(d.runner)})`).join(', ')}`];
}

/** The hover for the job whose name is at `offset`, if any. */
export function getJobHover(analysis: CiAnalysis, offset: number, context: RuleContext): JobHover | undefined {
  const job = analysis.findJobKeyAt(offset);
  if (!job) return undefined;
  const effective = analysis.getEffectiveJob(job);
  const resolver = new ServiceResolver(analysis, context);
  const lines: string[] = [
    job.hidden
      ? `**Template** ${code(job.name)} — hidden, never runs itself; this is what it gives the jobs that extend it`
      : `**Job** ${code(job.name)}`,
    '',
    ...imageLines(resolver, effective, context),
    '',
  ];

  const services = resolver.getCiServices(effective);
  const runnerServices = job.hidden ? [] : resolver.getRunnerServices().filter((r) => r.services.length > 0);
  if (effective.isTrigger) {
    // A bridge job starts no containers.
  } else if (services.length === 0 && runnerServices.length === 0) {
    lines.push(effective.unknown.services ? `**Services** unknown — ${includeNote(analysis)}; services may be set there.` : '**Services** none');
  } else {
    lines.push('**Services**');
    for (const service of services) lines.push(`- ${code(service.written)} — ${originOf(service.use!, job.name)}; ${describeHostnames(service)}`);
    if (effective.unknown.services && services.length > 0) lines.push(`- and perhaps others: ${includeNote(analysis)}.`);
    for (const { runner, services: added } of runnerServices) {
      for (const service of added) lines.push(`- ${code(service.written)} — from runner ${describeRunner(runner)} (its \`config.toml\`, started first); ${describeHostnames(service)}`);
    }
  }

  const notes: string[] = [];
  if (effective.extendsChain.length > 0) notes.push(`Extends ${effective.extendsChain.map((name) => templateName(analysis, name)).join(' → ')}.`);
  for (const template of effective.externalTemplates) {
    notes.push(`\`extends\` names ${code(template)}, which is not in this file; it may come from an \`include:\`, so what it sets is not shown.`);
  }
  for (const problem of effective.extendsProblems) notes.push(describeProblem(problem, analysis));
  const conditional = [...new Set(analysis.conditionalIncludes.map((include) => include.target))];
  if (conditional.length > 0) {
    const several = conditional.length > 1;
    notes.push(`${conditional.map(code).join(', ')} ${several ? 'are' : 'is'} included with \`rules:\`: GitLab includes ${several ? 'each' : 'it'} only when its rules match at pipeline creation, so what ${several ? 'they set' : 'it sets'} may not apply.`);
  }
  if (!job.hidden && !effective.isTrigger && (services.length > 0 || runnerServices.length > 0)) {
    const network = getJobNetworkPerBuild(effective, getDockerRunners(context.workspace).map((r) => r.runner), context.settings);
    notes.push(network
      ? `\`FF_NETWORK_PER_BUILD\` is on (${network}): the job and its services share a network per job and reach each other by these hostnames; the job container is \`build\`.`
      : '`FF_NETWORK_PER_BUILD` is off as far as this workspace shows: services run in the legacy links mode, where they cannot reach the job container.');
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return { contents: { kind: 'markdown', value: lines.join('\n') }, start: job.key.start, end: job.key.end };
}
