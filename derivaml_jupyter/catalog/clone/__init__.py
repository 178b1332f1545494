"""Catalog cloning through dataset bags (deriva-ml's ``catalog.clone``, ``clone_via_bag`` and
``localize``) and ``derivaml pull``.

A dataset's bag is downloaded from the source catalog and loaded into a local catalog with
its RIDs kept: ``load`` does the loading, ``via_bag`` and ``workspace`` are deriva-ml's
entry points, ``localize`` copies asset files a clone left at the source, ``pull`` makes a
local catalog holding one dataset version. The imports of datasets and ``DerivaML`` inside
these modules are lazy: cloning sits on top of the domain layer.
"""
