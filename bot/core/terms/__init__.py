"""Terms documents over time: availability of a fetched text, clauses and their alignment, the verdict on a new
version and a document's current stance."""
