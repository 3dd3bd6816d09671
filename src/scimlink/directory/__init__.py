"""The identity source: directories, users, groups, SSO configurations."""
