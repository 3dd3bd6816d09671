"""The REST API: validate input, call the services, shape the responses."""
