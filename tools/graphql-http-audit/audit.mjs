// Run the graphql-http GraphQL-over-HTTP audit suite against a running service.
//
// Usage: node tools/graphql-http-audit/audit.mjs URL   (e.g. http://127.0.0.1:8000/graphql)
// With AUDIT_AUTHORIZATION set (e.g. "Bearer gcdp_..."), every request carries it as its Authorization header:
// graphcdp answers 401 to requests without an API key.
//
// Prints ONE JSON document to stdout:
//   [{"id": "22EB", "name": "SHOULD ...", "status": "ok"|"notice"|"warn"|"error",
//     "reason": "...", "responseStatus": 400, "responseBody": "..."}]
// (reason and the response only for results that are not ok). Exit 0 whenever the audit ran,
// whatever the results; non-zero only on a crash or bad usage. Sends requests to URL only.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node tools/graphql-http-audit/audit.mjs URL\n');
  process.exit(2);
}

const authorization = process.env.AUDIT_AUTHORIZATION;
const fetchFn = authorization
  ? (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', authorization);
      return fetch(input, { ...init, headers });
    }
  : fetch;

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    entry.responseStatus = result.response.status;
    entry.responseBody = await result.response.text().catch(() => '');
  }
  results.push(entry);
}

process.stdout.write(JSON.stringify(results, null, 2) + '\n');
