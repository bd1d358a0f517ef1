// explainLink between two identifiers: the path lit on the drawing, and each hop with its provenance
// and, for a match, the comparison weights that add up to its score.
import { graphql } from './api.js';
import { failure, h, number, replace, table, when } from './dom.js';
import { identifierInput } from './names.js';
import { EXPLAIN } from './queries.js';

const nodeId = (end) => (end.startsWith('record:') ? end : `identifier:${end}`);

export async function showExplanation(container, view, a, b) {
  replace(container, h('p', { class: 'muted' }, `Explaining ${a} ↔ ${b}…`));
  let result;
  try {
    result = (await graphql(EXPLAIN, { a: identifierInput(a), b: identifierInput(b) })).explainLink;
  } catch (error) {
    replace(container, failure(error));
    return;
  }
  if (!result.linked) {
    view.clearHighlight();
    replace(container, h('div', { class: 'explain', 'data-linked': 'false' },
      h('h3', {}, 'Not linked'), h('p', {}, result.reason)));
    return;
  }
  const path = [];
  for (const hop of result.hops) {
    for (const end of [hop.from, hop.to]) {
      const id = nodeId(end);
      if (path[path.length - 1] !== id) path.push(id);
      view.ensureNode(id);
    }
    view.ensureEdge(nodeId(hop.from), nodeId(hop.to), hop.kind === 'MATCH' ? 'MATCHED' : 'HAS',
      { reviewed: hop.reviewed });
  }
  const lit = view.highlight(path);
  replace(container, h('div', { class: 'explain', 'data-linked': 'true', 'data-hops': result.hops.length, 'data-lit-edges': lit.edges },
    h('h3', {}, `Linked in ${result.hops.length} hop${result.hops.length === 1 ? '' : 's'}`),
    h('p', {}, result.reason),
    h('ol', { class: 'hops' }, result.hops.map(hopItem))));
}

function hopItem(hop) {
  const provenance = hop.kind === 'MATCH'
    ? `${hop.reviewed ? 'accepted by a reviewer' : `matched by ${hop.rule}`} · score ${number(hop.score, 3)} · ${when(hop.at)}`
    : `observed by ${hop.source}:${hop.sourceId} · ${when(hop.at)}`;
  return h('li', { class: `hop ${hop.kind.toLowerCase()}` },
    h('div', {}, h('span', { class: 'chip' }, hop.from), ' → ', h('span', { class: 'chip' }, hop.to),
      h('span', { class: `badge ${hop.kind.toLowerCase()}` }, hop.kind)),
    h('div', { class: 'muted' }, provenance),
    hop.explanation ? weights(hop.explanation) : null);
}

/** A match's comparisons: level, the two values and the weight each adds (log2 m/u). */
export function weights(explanation) {
  const bar = (weight) => h('span', {
    class: `weight ${weight >= 0 ? 'for' : 'against'}`,
    style: `width: ${Math.min(60, Math.abs(weight) * 4).toFixed(0)}px`,
  });
  return h('div', { class: 'weights' },
    table([
      ['field', (c) => c.field], ['level', (c) => c.level], ['a', (c) => c.a ?? ''], ['b', (c) => c.b ?? ''],
      ['weight', (c) => h('span', { class: 'weight-cell' }, bar(c.weight), number(c.weight, 2))],
    ], explanation.comparisons, { class: 'comparisons' }),
    h('p', { class: 'muted' }, `prior ${number(explanation.priorWeight, 2)} + comparisons = ${number(explanation.weight, 2)}`
      + ` → probability ${number(explanation.probability, 3)}`));
}
