// Search persons by a fragment of name, email or phone (searchPersons), and open one.
import { graphql } from './api.js';
import { failure, h, number, replace } from './dom.js';
import { personName } from './names.js';
import { SEARCH } from './queries.js';

const PAGE = 20;

export function showSearch(container, query = '') {
  const input = h('input', {
    type: 'search', name: 'q', value: query, placeholder: 'name, email or phone fragment', 'aria-label': 'Search persons',
    autofocus: true, minlength: 2,
  });
  const form = h('form', { class: 'search-form', role: 'search' }, input, h('button', { type: 'submit' }, 'Search'));
  const results = h('div', { class: 'search-results' });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    const target = `#/search/${encodeURIComponent(text)}`;
    if (location.hash === target) runSearch(results, text); // the same search again: the hash does not change
    else location.hash = target;
  });
  container.append(h('h1', {}, 'Search persons'), form, results);
  if (query.trim()) runSearch(results, query.trim());
}

async function runSearch(results, query, after = null, list = null) {
  if (!list) {
    list = h('tbody');
    replace(results, h('p', { class: 'muted' }, 'Searching…'));
  }
  let page;
  try {
    page = (await graphql(SEARCH, { query, first: PAGE, after })).searchPersons;
  } catch (error) {
    replace(results, failure(error));
    return;
  }
  for (const edge of page.edges) list.append(resultRow(edge));
  const more = page.pageInfo.hasNextPage
    ? h('button', { type: 'button', onclick: () => runSearch(results, query, page.pageInfo.endCursor, list) }, 'More')
    : null;
  if (!after) {
    const count = list.children.length;
    replace(
      results,
      count === 0
        ? h('p', { class: 'empty' }, `No person matches “${query}”.`)
        : h(
          'table',
          { class: 'results', 'data-results': count },
          h('thead', {}, h('tr', {}, ['Person', 'Matched on', 'Score', 'Identifiers', 'Sources'].map((t) => h('th', {}, t)))),
          list,
        ),
      more,
    );
  } else {
    results.querySelector('table')?.setAttribute('data-results', list.children.length);
    results.querySelector('button')?.remove();
    if (more) results.append(more);
  }
}

function resultRow({ node, score, matchedOn }) {
  const sources = [...new Set(node.records.map((record) => record.source))].sort();
  return h(
    'tr',
    { 'data-person': node.id },
    h('td', {}, h('a', { href: `#/person/${encodeURIComponent(node.id)}`, class: 'person-link' }, personName(node))),
    h('td', {}, matchedOn),
    h('td', { class: 'num' }, number(score, 1)),
    h('td', {}, node.identifiers.slice(0, 4).map((i) => h('span', { class: 'chip' }, i.key)),
      node.identifiers.length > 4 ? ` +${node.identifiers.length - 4}` : ''),
    h('td', {}, sources.join(', ')),
  );
}
