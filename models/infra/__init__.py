"""Infrastructure the domain stands on: the database and its SQLite engine, sealing of secrets,
server-made secrets, one leader among processes, keyset pages."""
