"""Chaise annotations: builders of their JSON (``builders``), tags and contexts (``tags``),
and DerivaML's methods reading and staging them on a catalog (``api``)."""
