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

export interface JobHover {
  readonly contents: MarkupContent;
  /** The job name's span, as offsets. */
  readonly start: number;
  readonly end: number;
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function originOf(use: ImageUse, jobName: string): string {
  switch (use.origin.kind) {
    case 'job':
      return use.origin.job === jobName ? 'set in this job' : `from job ${code(use.origin.job)} (\`!reference\`)`;
    case 'template':
      return `from template ${code(use.origin.job)}`;
    case 'default':
      return 'from `default:`';
    case 'top-level':
      return 'from the top-level key (deprecated)';
  }
}

function describeHostnames(service: JobService): string {
  if (!service.hostnames) {
    return service.expanded === undefined ? 'hostnames known only at run time (the name or alias uses a variable)' : 'no hostnames: the name does not parse';
  }
  return `answers to ${service.hostnames.map((h) => `${code(h.hostname)} (${h.source === 'alias' ? 'alias' : 'derived from the name'})`).join(', ')}`;
}

function describeProblem(problem: ExtendsProblem): string {
  switch (problem.kind) {
    case 'unknown-template':
      return `GitLab will reject the pipeline with "${problem.job}: unknown keys in \`extends\` (${problem.template})": ${code(problem.template)} is defined nowhere in this file.`;
    case 'cycle':
      return `GitLab will reject the pipeline with "${problem.job}: circular dependency detected in \`extends\`" (through ${code(problem.template)}).`;
    case 'too-deep':
      return `GitLab will reject the pipeline with "nesting too deep in \`extends\`": the chain through ${code(problem.template)} has ${problem.levels ?? 'more than 11'} levels, and GitLab allows 11.`;
  }
}

function includeNote(analysis: CiAnalysis): string {
  const kinds = [...new Set(analysis.model.includes.map((include) => include.kind))];
  return `This file has \`include:\` entries (${kinds.map(code).join(', ')}), which Pullguard does not read here`;
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
  if (effective.extendsChain.length > 0) notes.push(`Extends ${effective.extendsChain.map(code).join(' → ')}.`);
  for (const template of effective.externalTemplates) {
    notes.push(`\`extends\` names ${code(template)}, which is not in this file; it may come from an \`include:\`, so what it sets is not shown.`);
  }
  for (const problem of effective.extendsProblems) notes.push(describeProblem(problem));
  if (!job.hidden && !effective.isTrigger && (services.length > 0 || runnerServices.length > 0)) {
    const network = getJobNetworkPerBuild(effective, getDockerRunners(context.workspace).map((r) => r.runner), context.settings);
    notes.push(network
      ? `\`FF_NETWORK_PER_BUILD\` is on (${network}): the job and its services share a network per job and reach each other by these hostnames; the job container is \`build\`.`
      : '`FF_NETWORK_PER_BUILD` is off as far as this workspace shows: services run in the legacy links mode, where they cannot reach the job container.');
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return { contents: { kind: 'markdown', value: lines.join('\n') }, start: job.key.start, end: job.key.end };
}
