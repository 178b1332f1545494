"""Small shared pieces: errors, RIDs, names and enums used by every layer."""
