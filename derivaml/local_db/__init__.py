"""deriva-ml's ``local_db`` package: here only its ``Denormalizer``."""
