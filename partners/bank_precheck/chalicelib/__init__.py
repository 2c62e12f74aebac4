"""The demo partner bank's loan pre-check: its rules (:mod:`.rules`) and its client of the
tax platform's partner API (:mod:`.platform`)."""
