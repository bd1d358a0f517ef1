// The identity graph as an interactive Cytoscape.js drawing: loaded from identityGraph, grown by expanding
// a node a hop further, a path highlighted on demand. Rings show the distance from the first identifier.
import cytoscape from '../vendor/cytoscape.esm.min.js';
import { graphql } from './api.js';
import { edgeKind, STYLE } from './graph-style.js';
import { identifierInput } from './names.js';
import { GRAPH } from './queries.js';
import { ringPositions } from './rings.js';

const nextFrames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
const LABEL_ROOM = 40; // px beyond the outer ring's centres: the nodes and their labels
const FIT_MAX_ZOOM = 1.6; // a graph of three nodes is not blown up to fill the panel
const SMALL_GRAPH = 60; // nodes: up to this, a force-directed pass follows the rings
const LABEL_LENGTH = 22;
const short = (label) => (label.length > LABEL_LENGTH ? `${label.slice(0, LABEL_LENGTH - 1)}…` : label);
const run = (layout) => {
  const done = layout.promiseOn('layoutstop');
  layout.run();
  return done;
};
const edgeId = (edge) => `${edge.source}|${edge.type}|${edge.target}`;

export class IdentityGraphView {
  constructor(container) {
    this.cy = cytoscape({
      container, style: STYLE, elements: [], wheelSensitivity: 0.3, minZoom: 0.05, maxZoom: 4,
      boxSelectionEnabled: false, selectionType: 'single',
    });
    this.truncated = false;
  }

  /** Draw the graph within `depth` hops of an identifier key. */
  async load(identifierKey, depth) {
    performance.mark('graph-requested');
    const graph = await this.fetch(identifierKey, depth);
    performance.mark('graph-fetched');
    this.cy.elements().remove();
    this.truncated = false;
    if (graph) this.merge(graph, 0);
    this.cy.$id(`identifier:${identifierKey}`).addClass('seed');
    performance.mark('graph-merged');
    await this.layout();
    performance.mark('graph-laid-out');
    await nextFrames(); // Cytoscape.js paints on the next animation frame: drawn is when that one is done
    performance.mark('graph-drawn');
    performance.measure('graph', 'graph-requested', 'graph-drawn');
    performance.measure('graph-draw', 'graph-fetched', 'graph-drawn');
    return graph;
  }

  async fetch(identifierKey, depth) {
    return (await graphql(GRAPH, { identifier: identifierInput(identifierKey), depth })).identityGraph;
  }

  /**
   * Expand a node a hop further: identityGraph from the node itself (an identifier) or from an identifier
   * drawn next to it (a record or person), deep enough to reach the node's own neighbours. Resolves to the
   * number of nodes added.
   */
  async expand(nodeId) {
    const node = this.cy.$id(nodeId);
    if (node.empty()) return 0;
    const anchor = node.data('kind') === 'identifier' ? node : this.anchorNear(node);
    if (!anchor) throw new Error('no identifier is drawn next to this node to expand from');
    const depth = anchor === node ? 1 : 2;
    const graph = await this.fetch(anchor.data('key'), depth);
    if (!graph) return 0;
    const before = this.cy.nodes().length;
    this.merge(graph, anchor.data('ring'));
    await this.layout();
    return this.cy.nodes().length - before;
  }

  anchorNear(node) {
    const next = node.neighborhood('node.identifier:not(.flag-blocked)');
    if (next.nonempty()) return next.first();
    const viaPerson = node.neighborhood('node.person').neighborhood('node.identifier:not(.flag-blocked)');
    return viaPerson.nonempty() ? viaPerson.first() : null;
  }

  /** Add the nodes and edges of an identityGraph answer not drawn yet; rings count from `ring` at its start. */
  merge(graph, ring) {
    this.truncated = this.truncated || graph.truncated;
    const added = [];
    for (const node of graph.nodes) {
      const existing = this.cy.$id(node.id);
      if (existing.nonempty()) {
        existing.data('ring', Math.min(existing.data('ring'), ring + node.distance));
        continue;
      }
      const p = node.properties ?? {};
      const classes = [node.kind, p.shared ? 'flag-shared' : '', p.blocked ? 'flag-blocked' : ''].join(' ').trim();
      const key = node.id.slice(node.kind.length + 1);
      added.push({ group: 'nodes', data: { id: node.id, kind: node.kind, key, label: node.label, short: short(node.label),
        ring: ring + node.distance,
        shared: Boolean(p.shared), blocked: Boolean(p.blocked), properties: p }, classes });
    }
    this.cy.add(added);
    const edges = [];
    for (const edge of graph.edges) {
      const id = edgeId(edge);
      if (this.cy.$id(id).nonempty()) continue;
      const target = this.cy.$id(edge.target);
      edges.push({ group: 'edges', data: { id, source: edge.source, target: edge.target, type: edge.type,
        properties: edge.properties }, classes: edgeKind(edge, target.data()) });
    }
    this.cy.add(edges);
  }

  /**
   * Rings by distance from the first identifier (see rings.js), placed at once: no layout iterations. The
   * view is fitted to the rings' own extent: Cytoscape.js's fit measures every label first, which costs
   * more than the whole layout. A small graph is then relaxed by a force-directed layout (cheap at that size).
   */
  async layout() {
    const { positions, radius } = ringPositions(this.cy);
    await run(this.cy.layout({ name: 'preset', positions: (node) => positions.get(node.id()), fit: false, animate: false }));
    if (this.cy.nodes().length <= SMALL_GRAPH) {
      // A few nodes on rings can line up across the centre; forces from the rings' positions untangle them.
      await run(this.cy.layout({ name: 'cose', randomize: false, animate: false, fit: true, padding: 40,
        idealEdgeLength: () => 70, nodeRepulsion: () => 60000, numIter: 400 }));
      if (this.cy.zoom() > FIT_MAX_ZOOM) {
        this.cy.zoom(FIT_MAX_ZOOM);
        this.cy.center();
      }
      return;
    }
    const extent = 2 * (radius + LABEL_ROOM);
    const zoom = Math.min(this.cy.width() / extent, this.cy.height() / extent, FIT_MAX_ZOOM);
    this.cy.viewport({ zoom, pan: { x: this.cy.width() / 2, y: this.cy.height() / 2 } });
  }

  /** Highlight a path: node ids in order; the edges between consecutive ones (either way) are lit. */
  highlight(nodeIds) {
    this.clearHighlight();
    const ids = new Set(nodeIds);
    const nodes = this.cy.nodes().filter((n) => ids.has(n.id()));
    let edges = this.cy.collection();
    for (let i = 1; i < nodeIds.length; i += 1) {
      edges = edges.union(this.cy.$id(nodeIds[i - 1]).edgesWith(this.cy.$id(nodeIds[i])).not('.member'));
    }
    this.cy.elements().addClass('faded');
    nodes.union(edges).removeClass('faded').addClass('on-path');
    return { nodes: nodes.length, edges: edges.length };
  }

  clearHighlight() {
    this.cy.elements().removeClass('faded on-path');
  }

  /** Draw a node the explanation names but the drawing lacks (a path may leave the drawn hops). */
  ensureNode(id) {
    if (this.cy.$id(id).nonempty()) return;
    const kind = id.startsWith('record:') ? 'record' : 'identifier';
    const key = id.slice(kind.length + 1);
    const position = { x: (Math.random() - 0.5) * 200, y: (Math.random() - 0.5) * 200 };
    this.cy.add({ group: 'nodes', data: { id, kind, key, label: key, short: short(key), ring: 99, properties: {} },
      classes: kind, position });
  }

  ensureEdge(source, target, type, properties) {
    const edge = { source, target, type, properties };
    if (this.cy.$id(source).edgesWith(this.cy.$id(target)).nonempty()) return;
    this.cy.add({ group: 'edges', data: { id: edgeId(edge), source, target, type, properties },
      classes: edgeKind(edge, this.cy.$id(target).data()) });
  }
}
