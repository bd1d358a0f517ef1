"""Profiles: touchpoints, journeys and metrics of persons."""
