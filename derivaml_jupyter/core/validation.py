"""deriva-ml's shared pydantic settings (``pydantic.ConfigDict`` values, which are plain
dicts), for user models and ``validate_call`` decorators written for deriva-ml::

    class MyParams(BaseModel):
        model_config = VALIDATION_CONFIG
"""

VALIDATION_CONFIG: dict = {
    "arbitrary_types_allowed": True,  # catalog objects (tables, columns) as field types
    "validate_default": True,
    "use_enum_values": True,
}

DERIVA_ML_CONFIG = VALIDATION_CONFIG

STRICT_VALIDATION_CONFIG: dict = {**VALIDATION_CONFIG, "extra": "forbid"}
