/**
 * In-process timing of the analysis core over generated pipelines, without the
 * server: parse, rules and one edit, per phase. For profiling:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts 5000 anchors
 */
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseDocument } from 'yaml';
import { LanguageService } from '../server/src/service/languageService';
import { EMPTY_WORKSPACE } from '../server/src/service/model/workspace';
import { DEFAULT_SETTINGS } from '../server/src/service/settings';
import { generatePipeline } from './generate.js';

const jobs = Number(process.argv[2] ?? 500);
const anchors = process.argv.includes('anchors');
const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.slice(9) ?? 3);
const text = generatePipeline({ jobs, anchors, seed: 1 });
const context = { settings: DEFAULT_SETTINGS, workspace: EMPTY_WORKSPACE };
const uri = 'file:///project/.gitlab-ci.yml';

/**
 * Wall and CPU time: on a shared machine the CPU time is the steadier figure. And the
 * minor page faults: memory the process touches for the first time, which costs
 * ~13 µs a 4 KiB page on the benchmark machine (bench/README.md).
 */
function time<T>(label: string, run: () => T): T {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  const result = run();
  const { user, system } = process.cpuUsage(cpu);
  const faulted = process.resourceUsage().minorPageFault - faults;
  console.log(`${label.padEnd(28)} ${(performance.now() - start).toFixed(1).padStart(8)} ms  (cpu ${((user + system) / 1000).toFixed(1)} ms, ${faulted} page faults)`);
  return result;
}

console.log(`${jobs} jobs${anchors ? ' +anchors' : ''}, ${(text.length / 1024).toFixed(1)} KiB`);
for (let round = 0; round < rounds; round++) {
  time('yaml.parseDocument', () => parseDocument(text));
  const service = new LanguageService((family, error) => console.error(family, error));
  let document = TextDocument.create(uri, 'yaml', 1, text);
  time('parse (getParsed)', () => service.getParsed(document, context));
  const diagnostics = time('rules + diagnostics', () => service.doValidation(document, context));
  // Edits spread through the file: retype one image value each, as bench.ts does (a new
  // value: a version with the text already analysed keeps its analysis).
  for (let edit = 1; edit <= 3; edit++) {
    const current = document.getText();
    const value = /^( *image: )([^!*&{\s].*?) *$/m.exec(current.slice(Math.floor((current.length * edit) / 4)));
    if (!value) throw new Error('No plain `image:` value to edit after this point.');
    const at = Math.floor((current.length * edit) / 4) + value.index + value[1]!.length;
    const range = { start: document.positionAt(at), end: document.positionAt(at + value[2]!.length) };
    document = TextDocument.update(document, [{ range, text: `registry.example.com/group/edited-${edit}:1.${round}` }], document.version + 1);
    const incremental = service.incrementalAnalyses;
    time(`edit ${edit}: parse`, () => service.getParsed(document, context));
    time(`edit ${edit}: rules + diagnostics`, () => service.doValidation(document, context));
    console.log(`  (${service.incrementalAnalyses > incremental ? 'only the edited job re-analysed' : 'the whole document re-analysed'})`);
  }
  console.log(`  ${diagnostics.length} diagnostics; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
}
