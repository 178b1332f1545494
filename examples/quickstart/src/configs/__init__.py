"""Hydra-zen configuration of the quickstart project (loaded by ``load_configs()``)."""
