// Full-text index on Person.search (FalkorDB's RediSearch): no stop words, no stemming, since the
// text holds names and identifier fragments that graphcdp tokenizes itself (graphcdp/explore/search.py).
// Creating it again fails with "already indexed", which the store's schema bootstrap accepts.
// mode: write
// params: none
// returns: none
CALL db.idx.fulltext.createNodeIndex({label: 'Person', stopwords: []}, {field: 'search', nostem: true})
