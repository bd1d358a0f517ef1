"""Domain models: plain pydantic, no database and no GraphQL."""
