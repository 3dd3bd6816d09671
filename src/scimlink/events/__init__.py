"""The event log as admins read it: queries, time zones, CSV export."""
