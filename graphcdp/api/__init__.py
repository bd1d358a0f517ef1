"""GraphQL and HTTP: the only package that imports strawberry."""
