// A person's journey as a timeline, newest first, filterable by type and channel (the filters go to the
// API, so counts and pages are the server's).
import { graphql } from './api.js';
import { failure, h, number, plain, replace, section, when } from './dom.js';
import { JOURNEY } from './queries.js';

const PAGE = 50;
const SAMPLE = 100; // the latest touchpoints read to offer their types and channels as filters

export async function showJourney(host, personId) {
  const filters = h('div', { class: 'journey-filters' });
  const summary = h('p', { class: 'journey-count muted', role: 'status' });
  const timeline = h('ol', { class: 'timeline' });
  const more = h('div');
  host.append(section('Journey', filters, summary, timeline, more));

  let sample;
  try {
    sample = await page(personId, SAMPLE, null, null, null);
  } catch (error) {
    replace(filters, failure(error));
    return;
  }
  const nodes = sample.edges.map((edge) => edge.node);
  const types = distinct(nodes.map((t) => t.type));
  const channels = distinct(nodes.map((t) => t.channel).filter(Boolean));
  const typeBoxes = checkboxes('type', types);
  const channelBoxes = checkboxes('channel', channels);
  replace(filters,
    types.length ? h('fieldset', {}, h('legend', {}, 'type'), typeBoxes.map((b) => b.label)) : null,
    channels.length ? h('fieldset', {}, h('legend', {}, 'channel'), channelBoxes.map((b) => b.label)) : null);

  const chosen = (boxes) => {
    const on = boxes.filter((b) => b.input.checked).map((b) => b.input.value);
    return on.length === boxes.length ? null : on; // all ticked: no filter (also keeps touchpoints of unseen types)
  };

  async function refresh() {
    replace(timeline);
    replace(more);
    const typesWanted = chosen(typeBoxes);
    const channelsWanted = chosen(channelBoxes);
    if ((typesWanted && !typesWanted.length) || (channelsWanted && !channelsWanted.length)) {
      summary.textContent = 'Nothing ticked.';
      return;
    }
    await load(typesWanted, channelsWanted, null);
  }

  async function load(typesWanted, channelsWanted, after) {
    let found;
    try {
      found = await page(personId, PAGE, after, typesWanted, channelsWanted);
    } catch (error) {
      replace(more, failure(error));
      return;
    }
    summary.textContent = `${found.totalCount} touchpoint${found.totalCount === 1 ? '' : 's'}`
      + (typesWanted || channelsWanted ? ' matching the filters' : '');
    timeline.dataset.count = found.totalCount;
    appendDays(timeline, found.edges.map((edge) => edge.node));
    replace(more, found.pageInfo.hasNextPage
      ? h('button', { type: 'button', onclick: () => load(typesWanted, channelsWanted, found.pageInfo.endCursor) }, 'Older')
      : null);
  }

  for (const box of [...typeBoxes, ...channelBoxes]) box.input.addEventListener('change', refresh);
  await refresh();
}

async function page(id, first, after, types, channels) {
  const person = (await graphql(JOURNEY, { id, first, after, types, channels })).person;
  return person.journey;
}

function distinct(values) {
  return [...new Set(values)].sort();
}

function checkboxes(name, values) {
  return values.map((value) => {
    const input = h('input', { type: 'checkbox', name, value, checked: true });
    return { input, label: h('label', { class: 'check' }, input, ` ${value}`) };
  });
}

/** Append touchpoints under a heading per day, continuing the last day already shown. */
function appendDays(timeline, touchpoints) {
  for (const touchpoint of touchpoints) {
    const day = when(touchpoint.occurredAt).slice(0, 10);
    let list = timeline.lastElementChild?.dataset.day === day ? timeline.lastElementChild.querySelector('ul') : null;
    if (!list) {
      list = h('ul');
      timeline.append(h('li', { class: 'day', dataset: { day } }, h('h3', {}, day), list));
    }
    list.append(h('li', { class: 'touchpoint', dataset: { type: touchpoint.type, channel: touchpoint.channel ?? '' } },
      h('span', { class: 'time' }, when(touchpoint.occurredAt).slice(11)),
      h('span', { class: 'badge' }, touchpoint.type),
      touchpoint.channel ? h('span', { class: 'chip' }, touchpoint.channel) : null,
      touchpoint.amount !== null ? h('span', { class: 'amount' }, `${number(touchpoint.amount)} ${touchpoint.currency ?? ''}`) : null,
      touchpoint.source ? h('span', { class: 'muted' }, ` from ${touchpoint.source}`) : null,
      h('span', { class: 'muted' }, ` via ${touchpoint.via.join(', ')}`),
      Object.keys(touchpoint.properties ?? {}).length
        ? h('details', {}, h('summary', {}, 'properties'), h('code', {}, plain(touchpoint.properties)))
        : null));
  }
}
