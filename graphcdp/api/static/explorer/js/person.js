// The person page: golden traits with their sources, identifiers, records by source, consents, segments,
// metrics and history; then her identity graph and her journey.
import { graphql } from './api.js';
import { failure, h, number, plain, replace, section, table, when } from './dom.js';
import { showGraph } from './graph-panel.js';
import { showJourney } from './journey.js';
import { canonical, personName } from './names.js';
import { PERSON, recordTraits } from './queries.js';

// Records whose traits are read to name the source of each golden value; a person with more shows
// the sources found among these.
const TRAIT_SOURCE_RECORDS = 50;
const LIST_HEAD = 12; // identifiers (and records of a source) shown before "more"

export async function showPerson(container, id) {
  container.append(h('p', { class: 'muted' }, 'Loading…'));
  let person;
  try {
    person = (await graphql(PERSON, { id })).person;
  } catch (error) {
    replace(container, failure(error));
    return;
  }
  if (!person) {
    replace(container, h('p', { class: 'empty' }, `No person ${id}.`));
    return;
  }
  const traitRows = traitsPanel(person);
  replace(
    container,
    h('h1', { class: 'person-name' }, personName(person)),
    h('p', { class: 'muted' }, `id ${person.id} · created ${when(person.createdAt)} · updated ${when(person.updatedAt)}`,
      person.id !== id ? ` · ${id} was merged into this person` : ''),
    h('div', { class: 'grid' },
      traitRows.panel,
      identifiersPanel(person),
      recordsPanel(person),
      consentsPanel(person),
      segmentsPanel(person),
      metricsPanel(person.metrics),
      historyPanel(person)),
  );
  const graph = h('div', { class: 'graph-host' });
  const journey = h('div', { class: 'journey-host' });
  container.append(graph, journey);
  // The graph is asked for first: the journey and the trait sources follow once it is drawn, so
  // the service and the page serve the drawing before the rest.
  await showGraph(graph, person);
  showJourney(journey, person.id);
  fillTraitSources(person, traitRows.sourceCells);
}

function traitsPanel(person) {
  const sourceCells = new Map();
  const rows = Object.entries(person.traits).map(([key, value]) => {
    const cell = h('td', { class: 'sources muted' }, '…');
    sourceCells.set(key, cell);
    return h('tr', { 'data-trait': key }, h('th', {}, key), h('td', {}, plain(value)), cell);
  });
  const body = rows.length
    ? h('table', { class: 'traits' }, h('thead', {}, h('tr', {}, h('th', {}, 'trait'), h('th', {}, 'value'),
      h('th', {}, 'source'))), h('tbody', {}, rows))
    : h('p', { class: 'empty' }, 'No traits.');
  return { panel: section('Golden traits', body), sourceCells };
}

/** Name, for each golden value, the records that hold exactly that value (most recent first). */
async function fillTraitSources(person, cells) {
  const records = [...person.records].reverse().slice(0, TRAIT_SOURCE_RECORDS);
  if (!records.length || !cells.size) return;
  let traits;
  try {
    const { query, variables } = recordTraits(records);
    const data = await graphql(query, variables);
    traits = records.map((record, index) => ({ record, traits: data[`r${index}`]?.traits ?? {} }));
  } catch (error) {
    for (const cell of cells.values()) replace(cell, failure(error));
    return;
  }
  for (const [key, cell] of cells) {
    const wanted = canonical(person.traits[key]);
    const holders = traits.filter((t) => key in t.traits && canonical(t.traits[key]) === wanted);
    cell.classList.remove('muted');
    replace(cell, holders.length
      ? holders.map(({ record }) => h('span', { class: 'chip', title: `observed ${when(record.observedAt)}` },
        `${record.source}:${record.sourceId}`))
      : h('span', { class: 'muted' }, `not in the ${records.length} latest records read`));
  }
}

function identifiersPanel(person) {
  const flags = (i) => [
    i.shared ? h('span', { class: 'flag shared', title: 'held by records of several persons' }, 'shared') : null,
    i.blocked ? h('span', { class: 'flag blocked', title: 'on the blocklist: stored, never links' }, 'blocked') : null,
  ];
  const columns = [['type', (i) => i.type], ['value', (i) => i.value], ['', flags]];
  const shown = person.identifiers.slice(0, LIST_HEAD);
  const rest = person.identifiers.slice(LIST_HEAD);
  return section(`Identifiers (${person.identifiers.length})`, person.identifiers.length
    ? [table(columns, shown, { class: 'identifiers' }),
      rest.length ? h('details', {}, h('summary', {}, `${rest.length} more`), table(columns, rest)) : null]
    : h('p', { class: 'empty' }, 'No identifiers.'));
}

function recordsPanel(person) {
  const bySource = new Map();
  for (const record of person.records) {
    if (!bySource.has(record.source)) bySource.set(record.source, []);
    bySource.get(record.source).push(record);
  }
  const groups = [...bySource.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([source, records]) => h(
    'details', { open: bySource.size <= 4 && records.length <= LIST_HEAD, 'data-source': source },
    h('summary', {}, `${source} (${records.length})`),
    h('ul', {}, records.map((r) => h('li', {}, r.sourceId, h('span', { class: 'muted' }, ` ${when(r.observedAt)}`)))),
  ));
  return section(`Records (${person.records.length})`, groups.length ? groups : h('p', { class: 'empty' }, 'No records.'));
}

const CONSENT_COLUMNS = [
  ['purpose', (c) => c.purpose], ['channel', (c) => c.channel],
  ['status', (c) => h('span', { class: `status ${c.status.toLowerCase()}` }, c.status)],
  ['at', (c) => when(c.at)], ['through', (c) => c.identifier], ['source', (c) => c.source ?? ''],
];

function consentsPanel(person) {
  return section('Consents',
    person.consents.length
      ? table(CONSENT_COLUMNS, person.consents, { class: 'consents' })
      : h('p', { class: 'empty' }, 'No consent in force.'),
    person.consentHistory.length
      ? h('details', {}, h('summary', {}, `History (${person.consentHistory.length} statements)`),
        table([...CONSENT_COLUMNS, ['recorded', (c) => when(c.recordedAt)]], person.consentHistory))
      : null);
}

function segmentsPanel(person) {
  return section('Segments', person.segments.length
    ? table([['segment', (m) => m.segment.name || m.segment.key], ['key', (m) => m.segment.key], ['since', (m) => when(m.since)]],
      person.segments, { class: 'segments' })
    : h('p', { class: 'empty' }, 'In no segment.'));
}

function metricsPanel(metrics) {
  const rows = [
    ['touchpoints', metrics.touchpoints], ['orders', metrics.orders], ['revenue', number(metrics.revenue)],
    ['returns', `${metrics.returns} (${number(metrics.returnedAmount)})`], ['net revenue', number(metrics.netRevenue)],
    ['average order', number(metrics.averageOrderValue)], ['first seen', when(metrics.firstSeenAt)],
    ['last seen', when(metrics.lastSeenAt)], ['last order', when(metrics.lastOrderAt)],
    ['days since activity', number(metrics.daysSinceLastActivity, 1)],
    ['engagement', `${number(metrics.engagementScore)}${metrics.engagementDeclining ? ' (declining)' : ''}`],
    ['RFM', `${metrics.recencyScore}-${metrics.frequencyScore}-${metrics.monetaryScore}`],
  ];
  return section('Metrics', h('dl', { class: 'metrics' }, rows.map(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])));
}

function historyPanel(person) {
  return section('History', person.history.length
    ? h('details', {}, h('summary', {}, `${person.history.length} event${person.history.length === 1 ? '' : 's'}`),
      table([['when', (e) => when(e.at)], ['event', (e) => e.kind], ['detail', (e) => plain(e.detail)]], [...person.history].reverse()))
    : h('p', { class: 'empty' }, 'No events.'));
}
