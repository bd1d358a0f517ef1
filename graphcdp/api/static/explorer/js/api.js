// The GraphQL API, called as any client calls it: POST /graphql with the key the user entered.
// The key lives in sessionStorage only (this tab, until it closes); the page ships none.

const KEY_ITEM = 'graphcdp.explorer.apiKey';
const ENDPOINT = new URL('../graphql', document.baseURI).pathname;

export function apiKey() {
  return sessionStorage.getItem(KEY_ITEM) || '';
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  else sessionStorage.removeItem(KEY_ITEM);
}

/** An error the API answered with, carrying its code (UNAUTHENTICATED, FORBIDDEN, …). */
export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** The `data` of a query; throws ApiError on any GraphQL error, so a view never shows half an answer. */
export async function graphql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch(ENDPOINT, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new ApiError(`the service did not answer (${error.message})`, 'NETWORK');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status} without a GraphQL answer`, `HTTP_${response.status}`);
  }
  if (body.errors && body.errors.length) {
    const [first] = body.errors;
    throw new ApiError(first.message, first.extensions?.code ?? `HTTP_${response.status}`);
  }
  return body.data;
}
