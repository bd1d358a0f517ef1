"""Segments: declarative audiences. `definition.py` parses and validates a definition, `compiler.py` turns
definitions into Cypher over the facets of graphcdp/model/facets.py."""
