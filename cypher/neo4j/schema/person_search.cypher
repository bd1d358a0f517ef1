// Full-text index on Person.search. The whitespace analyzer keeps the words graphcdp writes there
// (already lower-cased and split, see graphcdp/explore/search.py) as they are, as FalkorDB does.
// mode: write
// params: none
// returns: none
CREATE FULLTEXT INDEX person_search IF NOT EXISTS FOR (n:Person) ON EACH [n.search]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}
