"""Connection settings (``deriva_ml`` group)."""

from hydra_zen import builds, store

from derivaml import DerivaMLConfig

DerivaMLConf = builds(DerivaMLConfig, populate_full_signature=True)
deriva_store = store(group="deriva_ml")

# The embedded local catalog that `derivaml demo --catalog quickstart` fills.
deriva_store(DerivaMLConf(hostname="local", catalog_id="quickstart"), name="default_deriva")
