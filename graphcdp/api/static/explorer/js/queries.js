// The GraphQL documents the explorer sends: the public API, nothing private to the page.

export const SEARCH = `query Search($query: String!, $first: Int!, $after: String) {
  searchPersons(query: $query, first: $first, after: $after) {
    edges { score matchedOn cursor node { id traits identifiers { key type value } records { source } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const PERSON = `query Person($id: ID!) {
  person(id: $id) {
    id createdAt updatedAt traits
    identifiers { key type value blocked shared }
    records { source sourceId observedAt }
    history { kind at detail }
    consents { purpose channel status at source identifier recordedAt }
    consentHistory { purpose channel status at source identifier recordedAt }
    segments { since segment { key name } }
    metrics {
      touchpoints orders revenue returns returnedAmount netRevenue averageOrderValue firstSeenAt lastSeenAt
      lastOrderAt daysSinceLastActivity engagementScore usualEngagement recentEngagement engagementDeclining
      recencyScore frequencyScore monetaryScore
    }
  }
}`;

/** The traits of several records in one request, one alias each (`r0`, `r1`, …). */
export function recordTraits(records) {
  const fields = records.map((_, index) => `r${index}: record(source: $s${index}, sourceId: $i${index}) { traits }`);
  const parameters = records.map((_, index) => `$s${index}: String!, $i${index}: String!`);
  const variables = {};
  records.forEach((record, index) => {
    variables[`s${index}`] = record.source;
    variables[`i${index}`] = record.sourceId;
  });
  return { query: `query RecordTraits(${parameters.join(', ')}) { ${fields.join(' ')} }`, variables };
}

export const GRAPH = `query Graph($identifier: IdentifierInput!, $depth: Int!) {
  identityGraph(identifier: $identifier, depth: $depth) {
    truncated depth
    nodes { id kind label distance properties }
    edges { source target type properties }
  }
}`;

export const EXPLAIN = `query Explain($a: IdentifierInput!, $b: IdentifierInput!) {
  explainLink(a: $a, b: $b) {
    linked personId reason
    hops {
      from to kind source sourceId at score rule reviewed matchId
      explanation { priorWeight weight probability comparisons { field level weight a b } }
    }
  }
}`;

export const JOURNEY = `query Journey($id: ID!, $first: Int!, $after: String, $types: [String!], $channels: [String!]) {
  person(id: $id) {
    journey(first: $first, after: $after, types: $types, channels: $channels) {
      totalCount
      edges { node { id type channel occurredAt source amount currency properties via } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

export const REVIEW_QUEUE = `query ReviewQueue($first: Int!, $after: String) {
  reviewQueue(first: $first, after: $after) {
    edges {
      node {
        id score rule scoredAt
        a { key personId traits }
        b { key personId traits }
        explanation { priorWeight weight probability comparisons { field level weight m u a b termFrequency } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const RESOLVE_MATCH = `mutation ResolveMatch($id: ID!, $accept: Boolean!) {
  resolveMatch(id: $id, accept: $accept) { accepted personIds }
}`;

export const PERSON_SUMMARIES = `query PersonSummary($id: ID!) {
  person(id: $id) { id traits records { source sourceId } identifiers { key } }
}`;
