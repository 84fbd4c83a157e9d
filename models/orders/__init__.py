"""Orders: the lifecycle table, status transitions, the timeline, checkout and intake, edits on the
call, cancellation reasons, duplicates, search, stats."""
