"""The GraphQL documents the MCP tools run: one per tool, each asking only for what the tool returns."""

from __future__ import annotations

_PERSON_BRIEF = "id traits identifiers { type value }"

CONTEXT = """
query McpContext($identifier: IdentifierInput!, $touchpoints: Int!) {
  context(identifier: $identifier, touchpoints: $touchpoints) {
    identifier personId traits summary segments
    identifiers { type value shared blocked }
    consents { purpose channel status }
    metrics { orders netRevenue touchpoints lastSeenAt daysSinceLastActivity engagementDeclining
              recencyScore frequencyScore monetaryScore }
    recentTouchpoints { type channel occurredAt amount currency }
  }
}"""

SEARCH = f"""
query McpSearch($query: String!, $first: Int!, $after: String) {{
  searchPersons(query: $query, first: $first, after: $after) {{
    edges {{ score matchedOn node {{ {_PERSON_BRIEF} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""

JOURNEY = """
query McpJourney($id: ID!, $first: Int!, $after: String, $types: [String!]) {
  person(id: $id) {
    id
    journey(first: $first, after: $after, types: $types) {
      totalCount
      edges { node { type channel occurredAt source amount currency } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

EXPLAIN_LINK = """
query McpExplainLink($a: IdentifierInput!, $b: IdentifierInput!) {
  explainLink(a: $a, b: $b) {
    linked personId reason
    hops { from to kind source sourceId at score rule reviewed }
  }
}"""

SEGMENT_MEMBERS = f"""
query McpSegmentMembers($key: String!, $first: Int!, $after: String) {{
  segment(key: $key) {{
    key name description size
    members(first: $first, after: $after) {{
      totalCount
      edges {{ node {{ {_PERSON_BRIEF} }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}"""
