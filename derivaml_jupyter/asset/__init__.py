"""Assets as records: ``Asset`` and the ``DerivaML`` methods that find and list them."""
