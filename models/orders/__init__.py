"""Orders: the lifecycle table, status transitions, the timeline, checkout and intake (its writes
in order_writer), edits on the call, cancellation reasons, duplicates, search, keyset pages for
the API, stats."""
