// The identity-graph panel of a person: the drawing, its toolbar and legend, the tapped node's details,
// and the evidence between two identifiers picked on the drawing.
import { failure, h, plain, replace, section, when } from './dom.js';
import { showExplanation } from './explain.js';
import { IdentityGraphView } from './graph.js';
import { EDGE_KINDS } from './graph-style.js';

const DEPTHS = [1, 2, 3];
const DEFAULT_DEPTH = 2;

/** Draw her graph; resolves once it is drawn (or refused), for what the page loads next. */
export function showGraph(host, person) {
  const usable = person.identifiers.filter((i) => !i.blocked);
  const start = usable[0] ?? person.identifiers[0];
  if (!start) {
    host.append(section('Identity graph', h('p', { class: 'empty' }, 'She has no identifier to draw the graph from.')));
    return Promise.resolve();
  }
  const from = h('select', { 'aria-label': 'Draw from identifier', name: 'from' },
    person.identifiers.map((i) => h('option', { value: i.key, selected: i.key === start.key }, i.key)));
  const depth = h('select', { 'aria-label': 'Depth', name: 'depth' },
    DEPTHS.map((d) => h('option', { value: d, selected: d === DEFAULT_DEPTH }, `${d} hop${d > 1 ? 's' : ''}`)));
  const status = h('span', { class: 'graph-status muted', role: 'status' });
  const canvas = h('div', { class: 'graph-canvas', id: 'graph', tabindex: 0, 'aria-label': 'Identity graph drawing' });
  const details = h('div', { class: 'node-details' }, h('p', { class: 'muted' },
    'Tap a node to see it; double-tap (or Expand) to draw it a hop further; tap two identifiers to explain their link.'));
  const explanation = h('div', { class: 'explanation' });
  const fit = h('button', { type: 'button' }, 'Fit');
  const draw = h('button', { type: 'button' }, 'Draw');
  host.append(section('Identity graph',
    h('div', { class: 'graph-toolbar' }, h('label', {}, 'from ', from), h('label', {}, ' depth ', depth), draw, fit, status),
    h('div', { class: 'graph-layout' }, canvas, h('aside', { class: 'graph-side' }, details, explanation)),
    legend()));

  const view = new IdentityGraphView(canvas);
  window.graphcdpExplorer = { graph: view }; // for a console, and for the browser tests to find nodes on screen
  let picked = [];

  const say = (text) => { status.textContent = text; };
  const counts = () => `${view.cy.nodes().length} nodes, ${view.cy.edges().length} edges${view.truncated ? ' (cut at the node limit)' : ''}`;

  async function load() {
    say('drawing…');
    picked = [];
    replace(explanation);
    try {
      await view.load(from.value, Number(depth.value));
      say(counts());
      canvas.dataset.nodes = view.cy.nodes().length;
    } catch (error) {
      say('');
      replace(details, failure(error));
    }
  }

  async function expand(node) {
    say(`expanding ${node.data('label')}…`);
    try {
      const added = await view.expand(node.id());
      say(`${counts()} · ${added} added by expanding ${node.data('label')}`);
      canvas.dataset.nodes = view.cy.nodes().length;
      canvas.dataset.expanded = node.id();
    } catch (error) {
      say('');
      replace(details, failure(error));
    }
  }

  function pick(node) {
    if (node.data('kind') !== 'identifier') return;
    if (picked.includes(node.id())) {
      picked = picked.filter((id) => id !== node.id());
      node.removeClass('picked');
      return;
    }
    if (picked.length === 2) {
      for (const id of picked) view.cy.$id(id).removeClass('picked');
      picked = [];
      view.clearHighlight();
    }
    picked.push(node.id());
    node.addClass('picked');
    if (picked.length === 2) {
      const [a, b] = picked.map((id) => view.cy.$id(id).data('key'));
      showExplanation(explanation, view, a, b);
    } else {
      replace(explanation, h('p', { class: 'muted' }, `Picked ${node.data('key')}: tap another identifier to explain the link.`));
    }
  }

  // Cytoscape.js fires dbltap for two quick taps anywhere: only two on the same node expand it.
  let taps = [null, null];
  view.cy.on('tap', (event) => {
    taps = [taps[1], event.target === view.cy ? null : event.target.id()];
  });
  view.cy.on('tap', 'node', (event) => {
    showDetails(details, event.target, expand);
    pick(event.target);
  });
  view.cy.on('dbltap', 'node', (event) => {
    if (taps[0] === event.target.id()) expand(event.target);
  });
  draw.addEventListener('click', load);
  fit.addEventListener('click', () => view.cy.fit(undefined, 24));
  return load();
}

function showDetails(details, node, expand) {
  const data = node.data();
  const properties = Object.entries(data.properties ?? {}).filter(([key]) => key !== 'traits');
  const traits = Object.entries(data.properties?.traits ?? {});
  const value = (key, v) => (key.endsWith('At') || key === 'at' ? when(new Date(v).toISOString()) : plain(v));
  replace(details,
    h('h3', {}, `${data.kind}: ${data.label}`),
    h('p', { class: 'muted' }, data.id),
    h('dl', {}, [...properties, ...traits].filter(([, v]) => v !== null && v !== undefined)
      .map(([key, v]) => [h('dt', {}, key), h('dd', {}, value(key, v))])),
    h('button', { type: 'button', class: 'expand', onclick: () => expand(node) }, 'Expand a hop further'),
    data.kind === 'person'
      ? h('a', { href: `#/person/${encodeURIComponent(data.key)}`, class: 'open-person' }, ' Open this person')
      : null);
}

function legend() {
  return h('ul', { class: 'legend' }, EDGE_KINDS.map(([kind, meaning]) => h('li', {},
    h('span', { class: `swatch edge-${kind}` }), meaning)), h('li', {}, h('span', { class: 'swatch node-identifier' }), 'identifier'),
  h('li', {}, h('span', { class: 'swatch node-record' }), 'record'), h('li', {}, h('span', { class: 'swatch node-person' }), 'person'));
}
