"""The confirmation call: call outcomes, claims and call-backs, the no-answer policy, the calling
queue, call-back times as typed."""
