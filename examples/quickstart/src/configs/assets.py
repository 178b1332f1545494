"""Input assets (``assets`` group)."""

from hydra_zen import store

asset_store = store(group="assets")
asset_store([], name="default_asset")
