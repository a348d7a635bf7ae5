/**
 * In-process timing of the analysis core over generated pipelines, without the
 * server: parse, rules, and edits as bench.ts makes them, per phase. For profiling:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts 5000 anchors
 *   node --import tsx bench/profile.ts 5000 --rounds=1 --edits=40   # medians of 40 edits
 */
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseDocument } from 'yaml';
import { LanguageService } from '../server/src/service/languageService';
import { EMPTY_WORKSPACE } from '../server/src/service/model/workspace';
import { DEFAULT_SETTINGS } from '../server/src/service/settings';
import { generatePipeline } from './generate.js';
import { retypeImage, spreadImageLines } from './imageEdits.js';
import { summarize } from './stats.js';
import { ReusedJsonBuffer } from '../server/src/messageEncoder';

const jobs = Number(process.argv[2] ?? 500);
const anchors = process.argv.includes('anchors');
const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.slice(9) ?? 3);
const edits = Number(process.argv.find((arg) => arg.startsWith('--edits='))?.slice(8) ?? 3);
const text = generatePipeline({ jobs, anchors, seed: 1 });
const context = { settings: DEFAULT_SETTINGS, workspace: EMPTY_WORKSPACE };
const uri = 'file:///project/.gitlab-ci.yml';
/** The encoder's work after a publish (keeping frozen diagnostics' JSON), run untimed between edits as the server's event loop runs it. */
const afterPublish: Array<() => void> = [];
const encoder = new ReusedJsonBuffer((task) => afterPublish.push(task));
const runAfterPublish = () => {
  for (const task of afterPublish.splice(0)) task();
};

/** What the server writes to stdout for a publish, with its encoder. */
function encodePublish(version: number, diagnostics: unknown[]): Uint8Array {
  return encoder.encode({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri, version, diagnostics } });
}

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
  time('publish encoded', () => encodePublish(document.version, diagnostics));
  runAfterPublish();
  // The edits bench.ts makes (a new value each time: a version with the text already
  // analysed keeps its analysis). Each phase of an edit is printed for up to 3 edits,
  // their medians for more.
  const phases: Record<string, number[]> = { parse: [], 'rules + diagnostics': [], 'publish encoded': [] };
  const lines = text.split('\n');
  let incremental = 0;
  for (const [edit, line] of spreadImageLines(lines, edits).entries()) {
    const change = retypeImage(lines, line, `edited-${edit}:1.${round}`);
    document = TextDocument.update(document, [change], document.version + 1);
    const before = service.incrementalAnalyses;
    const phase = <T>(name: string, run: () => T): T => {
      if (edits <= 3) return time(`edit ${edit + 1}: ${name}`, run);
      const start = performance.now();
      const result = run();
      phases[name]!.push(performance.now() - start);
      return result;
    };
    phase('parse', () => service.getParsed(document, context));
    const published = phase('rules + diagnostics', () => service.doValidation(document, context));
    phase('publish encoded', () => encodePublish(document.version, published));
    runAfterPublish();
    incremental += service.incrementalAnalyses - before;
  }
  if (edits > 3) {
    console.log(`${edits} edits, medians: ${Object.entries(phases).map(([name, values]) => `${name} ${summarize(values)!.median.toFixed(1)} ms`).join(', ')}`);
  }
  console.log(`  ${incremental} of ${edits} edits re-analysed only the edited job`);
  console.log(`  ${diagnostics.length} diagnostics; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
}
