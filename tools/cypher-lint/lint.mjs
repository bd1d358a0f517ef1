// Lint Cypher files with Neo4j's own linter (@neo4j-cypher/language-support).
//
// Usage: node tools/cypher-lint/lint.mjs FILE...
//
// Prints ONE JSON document to stdout:
//   [{"file": "...", "diagnostics": [{"severity": n, "message": "...", "line": l, "column": c}]}]
// severity is the LSP DiagnosticSeverity (1 error, 2 warning, 3 info, 4 hint);
// line and column are 1-based. Exit 0 whenever linting ran, whatever the
// diagnostics; non-zero only on a crash (e.g. unreadable file) or bad usage.
//
// Works offline: the schema is empty ({}), so labels, properties, functions and
// procedures are not checked against a database; Cypher version defaults to
// CYPHER 5. The one schema-dependent check that still fires is
// "Parameter $x is not defined." (no parameters are declared) -- callers
// filter that one out.
import { readFileSync } from 'node:fs';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node tools/cypher-lint/lint.mjs FILE...\n');
  process.exit(2);
}

const results = files.map((file) => {
  // The whole file is linted as-is: leading `//` comments are valid Cypher.
  const text = readFileSync(file, 'utf8');
  // Signature: lintCypherQuery(query, dbSchema, options?) -> {diagnostics, symbolTables}.
  // Console commands (:param, :use, ...) are shell-only, so they are disabled:
  // our files are sent through drivers and must be plain Cypher.
  const { diagnostics } = lintCypherQuery(text, {}, { consoleCommandsEnabled: false });
  return {
    file,
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.range.start.line + 1, // LSP positions are 0-based
      column: d.range.start.character + 1,
    })),
  };
});

process.stdout.write(JSON.stringify(results, null, 2) + '\n');
