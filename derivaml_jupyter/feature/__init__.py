"""Features: named, execution-stamped annotations of the rows of one table."""
