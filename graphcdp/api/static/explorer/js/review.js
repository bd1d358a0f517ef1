// The review queue: each pair side by side with the comparison weights behind its score; accept or
// reject it and see the persons the two records belong to afterwards.
import { graphql } from './api.js';
import { failure, h, number, plain, replace, when } from './dom.js';
import { weights } from './explain.js';
import { personName } from './names.js';
import { PERSON_SUMMARIES, RESOLVE_MATCH, REVIEW_QUEUE } from './queries.js';

const PAGE = 20;

export async function showReview(container) {
  const list = h('div', { class: 'review-list' });
  const more = h('div');
  container.append(h('h1', {}, 'Review queue'),
    h('p', { class: 'muted' }, 'Pairs of records scored between the review and automatic thresholds, highest first.'),
    list, more);
  await loadPage(list, more, null);
}

async function loadPage(list, more, after) {
  let queue;
  try {
    queue = (await graphql(REVIEW_QUEUE, { first: PAGE, after })).reviewQueue;
  } catch (error) {
    replace(list, failure(error));
    return;
  }
  if (!after && !queue.edges.length) list.append(h('p', { class: 'empty' }, 'Nothing waits for review.'));
  for (const { node } of queue.edges) list.append(pairCard(node));
  list.dataset.pairs = list.querySelectorAll('.pair').length;
  replace(more, queue.pageInfo.hasNextPage
    ? h('button', { type: 'button', onclick: () => loadPage(list, more, queue.pageInfo.endCursor) }, 'More')
    : null);
}

function pairCard(pair) {
  const outcome = h('div', { class: 'outcome', role: 'status' });
  const accept = h('button', { type: 'button', class: 'accept' }, 'Accept: same person');
  const reject = h('button', { type: 'button', class: 'reject' }, 'Reject: keep apart');
  const decide = async (yes) => {
    accept.disabled = true;
    reject.disabled = true;
    try {
      const result = (await graphql(RESOLVE_MATCH, { id: pair.id, accept: yes })).resolveMatch;
      card.dataset.decided = yes ? 'accepted' : 'rejected';
      await showOutcome(outcome, pair, result);
    } catch (error) {
      accept.disabled = false;
      reject.disabled = false;
      replace(outcome, failure(error));
    }
  };
  accept.addEventListener('click', () => decide(true));
  reject.addEventListener('click', () => decide(false));
  const card = h('article', { class: 'pair', dataset: { pair: pair.id, a: pair.a.key, b: pair.b.key } },
    h('header', {}, h('strong', {}, `${pair.a.key} ↔ ${pair.b.key}`),
      h('span', { class: 'muted' }, ` score ${number(pair.score, 3)} · ${pair.rule} · ${when(pair.scoredAt)}`)),
    sideBySide(pair),
    pair.explanation ? weights(pair.explanation) : null,
    h('div', { class: 'decide' }, accept, reject),
    outcome);
  return card;
}

function sideBySide(pair) {
  const keys = [...new Set([...Object.keys(pair.a.traits), ...Object.keys(pair.b.traits)])].sort();
  const personCell = (record) => (record.personId
    ? h('a', { href: `#/person/${encodeURIComponent(record.personId)}` }, record.personId)
    : h('span', { class: 'muted' }, 'none'));
  return h('table', { class: 'side-by-side' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, pair.a.key), h('th', {}, pair.b.key))),
    h('tbody', {},
      h('tr', { class: 'person-row' }, h('th', {}, 'person now'), h('td', {}, personCell(pair.a)), h('td', {}, personCell(pair.b))),
      keys.map((key) => {
        const a = plain(pair.a.traits[key]);
        const b = plain(pair.b.traits[key]);
        return h('tr', { class: a === b ? 'same' : 'differs' }, h('th', {}, key), h('td', {}, a), h('td', {}, b));
      })));
}

/** The clusters after the decision: who the two records belong to now, and how many records each holds. */
async function showOutcome(outcome, pair, result) {
  const before = [...new Set([pair.a.personId, pair.b.personId].filter(Boolean))];
  const after = await Promise.all(result.personIds.map(async (id) => {
    try {
      return (await graphql(PERSON_SUMMARIES, { id })).person ?? { id, traits: {}, records: [] };
    } catch {
      return { id, traits: {}, records: [] };
    }
  }));
  replace(outcome,
    h('p', { class: result.accepted ? 'accepted' : 'rejected' },
      result.accepted ? 'Accepted: the two records now belong to one person.' : 'Rejected: the records stay apart for good.'),
    h('p', { class: 'muted' }, `before: ${before.length} person${before.length === 1 ? '' : 's'} (${before.join(', ')})`),
    h('ul', { class: 'after', dataset: { persons: after.length } }, after.map((person) => h('li', {},
      h('a', { href: `#/person/${encodeURIComponent(person.id)}` }, personName(person)),
      ` · ${person.records.length} record${person.records.length === 1 ? '' : 's'}: `,
      person.records.map((r) => `${r.source}:${r.sourceId}`).join(', ')))));
}
