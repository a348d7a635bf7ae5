/**
 * A plain structure of a YAML model node, for comparing two parses of the same text with
 * deepEqual: offsets, values, styles and tags. Anchored nodes are shared, so the walk stops
 * at a fixed depth instead of following them forever.
 */
import type { YNode } from '../../server/src/service/parse/yamlModel';

export function yamlShape(node: YNode | undefined, depth = 0): unknown {
  if (!node || depth > 12) return null;
  switch (node.kind) {
    case 'scalar':
      return [node.start, node.end, node.value, node.style, node.tag];
    case 'seq':
      return [node.start, node.end, node.tag, node.items.map((item) => yamlShape(item, depth + 1))];
    case 'map':
      return [node.start, node.end, node.tag,
        node.pairs.map((pair) => [yamlShape(pair.key, depth + 1), yamlShape(pair.value, depth + 1)]),
        node.merges.map((merged) => yamlShape(merged, depth + 1))];
  }
}
