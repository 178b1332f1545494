"""Tests of pull, reproduce and push against a DERIVA server's recorded answers (see
README.md)."""
