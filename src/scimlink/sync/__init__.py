"""The sync engine: pending work, scope, planning, pushing, workers."""
