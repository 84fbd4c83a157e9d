"""Infrastructure the domain stands on: the database and its SQLite engine, the clock, sealing
of secrets, server-made secrets, one leader among processes. It knows no concept above it."""
