// The explorer's entry: the API key form and a hash router over its three views.
import { apiKey, setApiKey } from './api.js';
import { h, replace } from './dom.js';
import { showPerson } from './person.js';
import { showReview } from './review.js';
import { showSearch } from './search.js';

const view = document.getElementById('view');
const keyForm = document.getElementById('key-form');
const keyInput = document.getElementById('api-key');
const keyState = document.getElementById('key-state');

const VIEWS = { '': showSearch, search: showSearch, person: showPerson, review: showReview };

function showKeyState() {
  keyState.textContent = apiKey() ? 'key set for this tab' : 'no key';
  keyInput.value = '';
}

function route() {
  const [page = '', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const argument = decodeURIComponent(rest.join('/'));
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.classList.toggle('active', link.dataset.nav === (page || 'search'));
  }
  const show = VIEWS[page] ?? showSearch;
  const container = h('div', { class: 'view', 'data-view': page || 'search' });
  replace(view, container);
  if (!apiKey()) {
    container.append(h('p', { class: 'notice' }, 'Enter an API key above: the explorer calls the GraphQL API with it, '
      + 'and shows what that key may read. It is kept in this tab only.'));
    return;
  }
  show(container, argument);
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  setApiKey(keyInput.value.trim());
  showKeyState();
  route();
});
document.getElementById('forget-key').addEventListener('click', () => {
  setApiKey('');
  showKeyState();
  route();
});
window.addEventListener('hashchange', route);
showKeyState();
route();
