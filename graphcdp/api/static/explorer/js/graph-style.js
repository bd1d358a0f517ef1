// How the identity graph looks: node shapes by kind, edge styles by the kind of evidence.

/** The kinds of edge drawn, in the legend's order: [kind, what it means]. */
export const EDGE_KINDS = [
  ['observed', 'a record observed the identifier'],
  ['shared', 'a record observed a shared identifier (held by several persons)'],
  ['auto-match', 'automatic match: the model linked the records'],
  ['reviewed', 'reviewer decision: a reviewer linked the records'],
  ['pending', 'waiting for review'],
  ['refused', 'refused link: a reviewer kept the records apart'],
  ['member', 'member of a person'],
];

/** The drawn kind of an identityGraph edge; `target` is its target node's data. */
export function edgeKind(edge, target) {
  switch (edge.type) {
    case 'HAS': return target?.shared ? 'shared' : 'observed';
    case 'OF': return 'member';
    case 'MATCHED': return edge.properties.reviewed ? 'reviewed' : 'auto-match';
    case 'POSSIBLE_MATCH': return 'pending';
    case 'NOT_MATCHED': return 'refused';
    default: return 'observed';
  }
}

export const STYLE = [
  { selector: 'node', style: {
    // Labels are cut in script (graph.js): Cytoscape.js's own ellipsis measures the text a character at a time.
    label: 'data(short)', 'font-size': 9, 'min-zoomed-font-size': 7, 'text-valign': 'bottom', 'text-margin-y': 3,
    color: '#222', width: 18, height: 18, 'border-width': 1,
    'border-color': '#555',
  } },
  { selector: 'node.identifier', style: { shape: 'ellipse', 'background-color': '#5b8def' } },
  { selector: 'node.record', style: { shape: 'round-rectangle', 'background-color': '#49a86b', width: 22, height: 14 } },
  { selector: 'node.person', style: { shape: 'hexagon', 'background-color': '#8a5cc2', width: 30, height: 30, 'font-weight': 'bold' } },
  { selector: 'node.flag-shared', style: { 'border-color': '#e8830c', 'border-width': 3 } },
  { selector: 'node.flag-blocked', style: { 'background-color': '#aaa', 'border-style': 'dashed' } },
  { selector: 'node.seed', style: { 'border-width': 3, 'border-color': '#111' } },
  { selector: 'node.picked', style: { 'border-width': 4, 'border-color': '#d4a000', 'overlay-color': '#d4a000', 'overlay-opacity': 0.15 } },
  { selector: 'node:selected', style: { 'overlay-color': '#333', 'overlay-opacity': 0.12 } },
  { selector: 'edge', style: { width: 1.2, 'line-color': '#9a9a9a', 'curve-style': 'bezier' } },
  { selector: 'edge.observed', style: { 'line-color': '#8c8c8c' } },
  { selector: 'edge.shared', style: { 'line-color': '#e8830c', 'line-style': 'dashed', width: 2 } },
  { selector: 'edge.member', style: { 'line-color': '#c9c0d8', 'line-style': 'dotted', width: 1 } },
  { selector: 'edge.auto-match', style: { 'line-color': '#2f6fdb', width: 3 } },
  { selector: 'edge.reviewed', style: { 'line-color': '#1f9d55', width: 3, 'line-style': 'double' } },
  { selector: 'edge.pending', style: { 'line-color': '#8a5cc2', width: 2, 'line-style': 'dashed' } },
  { selector: 'edge.refused', style: {
    'line-color': '#d0342c', width: 2, 'line-style': 'dashed', 'target-arrow-shape': 'tee', 'target-arrow-color': '#d0342c',
  } },
  { selector: '.faded', style: { opacity: 0.2 } },
  { selector: 'node.on-path', style: { 'border-width': 4, 'border-color': '#d4a000', opacity: 1 } },
  { selector: 'edge.on-path', style: { width: 5, 'line-color': '#d4a000', opacity: 1, 'z-index': 10 } },
];
