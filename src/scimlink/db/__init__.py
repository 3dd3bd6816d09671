"""Storage: the engine and sessions, the table models and their migrations."""
