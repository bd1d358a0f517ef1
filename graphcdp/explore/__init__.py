"""Reading the identity graph for people and tools: the neighbourhood of an identifier (graph.py) and
person search by name, email or phone fragment (search.py)."""
