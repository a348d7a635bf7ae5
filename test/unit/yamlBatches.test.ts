import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findTopLevelBatches, parseYamlModel } from '../../server/src/service/parse/yamlModel';
import { generatePipeline } from '../../bench/generate';
import { yamlShape } from '../helpers/yamlShape';

describe('parsing a large pipeline in batches of top-level keys', () => {
  for (const anchors of [false, true]) {
    test(`gives the same model and errors as one whole parse (${anchors ? 'with' : 'without'} anchors)`, () => {
      const text = generatePipeline({ jobs: 1000, anchors, seed: 7 });
      assert.ok((findTopLevelBatches(text)?.length ?? 0) >= 3, 'the pipeline must span several batches');
      const batched = parseYamlModel(text);
      const whole = parseYamlModel(text, { chunkedFrom: Infinity });
      assert.deepEqual(batched.errors, whole.errors);
      const root = batched.root;
      assert.ok(root?.kind === 'map' && whole.root?.kind === 'map');
      assert.deepEqual(root.pairs.map((p) => yamlShape(p.value)), whole.root.pairs.map((p) => yamlShape(p.value)));
    });
  }

  test('resolves an alias to an anchor defined in an earlier batch', () => {
    const filler = Array.from({ length: 3000 }, (_, i) => `job${i}:\n  script: [make]\n`).join('');
    const text = `.base: &base\n  image: node:20\n${filler}last:\n  <<: *base\n`;
    const { root, errors } = parseYamlModel(text);
    assert.deepEqual(errors, []);
    assert.ok(root?.kind === 'map');
    const last = root.pairs.find((p) => p.key.value === 'last')!.value;
    assert.ok(last?.kind === 'map');
    assert.equal(last.merges[0], root.pairs[0]!.value);
  });

  test('reports a duplicate key across batches at the second definition', () => {
    const filler = Array.from({ length: 3000 }, (_, i) => `job${i}:\n  script: [make]\n`).join('');
    const text = `dup:\n  script: [a]\n${filler}dup:\n  script: [b]\n`;
    const { errors } = parseYamlModel(text);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.offset, text.lastIndexOf('dup:'));
    assert.match(errors[0]!.message, /Map keys must be unique/);
  });

  test('reports an alias of no anchor', () => {
    const { errors } = parseYamlModel('job:\n  image: *missing\n');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.offset, 'job:\n  image: '.length);
    assert.match(errors[0]!.message, /`\*missing` refers to no anchor/);
  });
});

test('does not cut a file whose root is not a plain block mapping', () => {
  const big = 'x'.repeat(70 * 1024);
  assert.equal(findTopLevelBatches(`- a\n- ${big}\n`), undefined);
  assert.equal(findTopLevelBatches(`spec:\n  inputs: {}\n---\njob:\n  script: [${big}]\n`), undefined);
  assert.equal(findTopLevelBatches(`job:\n  script: [a,\n${big}]\n`), undefined);
});
