"""The ``deriva-ml`` schema: its tables, associations, vocabularies and seeded terms."""
