"""Local catalogs for the documented examples: the domain tables they use (``Image`` and
``Model`` asset tables, images as dataset members), the vocabulary terms they name, and small
stored files to put in datasets or to use as input assets."""

from __future__ import annotations

from pathlib import Path

from derivaml_jupyter.ml import DerivaML

TERMS = {
    "Asset_Type": [("Segmentation_Mask", "A segmentation mask image."),
                   ("Derived", "Computed from other data.")],
    "Dataset_Type": [("Augmented", "Data made by augmentation.")],
}


def example_catalog(catalog_id: str) -> DerivaML:
    """A new local catalog ``catalog_id`` with asset tables ``Image`` (dataset members) and
    ``Model``, and the terms in ``TERMS``."""
    ml = DerivaML("local", catalog_id)
    ml.create_asset("Image")
    ml.create_asset("Model")
    ml.add_dataset_element_type("Image")
    for vocabulary, terms in TERMS.items():
        for name, description in terms:
            ml.add_term(vocabulary, name, description=description)
    return ml


def add_files(ml: DerivaML, table: str, folder: Path, contents: dict[str, bytes]) -> list[str]:
    """Store ``{file name: bytes}`` as rows of asset table ``table``; return their RIDs."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, data in contents.items():
        path = folder / name
        path.write_bytes(data)
        stored = ml.catalog.put_object(f"{ml.domain_schema}/{table}", name, path)
        rows.append({"URL": stored.url, "Filename": name, "Length": stored.length,
                     "MD5": stored.md5, "Description": f"Example {table.lower()} {name}."})
    return [row["RID"] for row in ml.insert_rows(table, rows)]


def add_images(ml: DerivaML, folder: Path, count: int) -> list[str]:
    """``count`` small distinct image files in the ``Image`` table."""
    return add_files(ml, "Image", folder,
                     {f"image_{i}.png": b"\x89PNG\r\n\x1a\n" + bytes([i]) * (64 + i)
                      for i in range(count)})


def stored_bytes(ml: DerivaML, row: dict, folder: Path) -> bytes:
    """The content of an asset row's file, fetched from the object store."""
    dest = folder / row["RID"] / row["Filename"]
    ml.catalog.get_object(row["URL"], dest)
    return dest.read_bytes()


def asset_types(ml: DerivaML, table: str, rid: str) -> set[str]:
    """The ``Asset_Type`` terms of asset ``rid`` of ``table``."""
    t = ml.find_table(table)
    return {r["Asset_Type"] for r in ml.catalog.select(
        t.schema, f"{t.name}_Asset_Type", where={t.name: rid})}
