"""Connector configuration, publications, group assignments, the token vault."""
