"""Input datasets (``datasets`` group).

The RIDs are those `derivaml demo --catalog quickstart` gives the demo datasets in a new
catalog (the test suite checks that they still match).
"""

from hydra_zen import store

from derivaml.dataset import DatasetSpecConfig
from derivaml.execution import with_description

DEMO_COMPLETE, DEMO_TRAINING, DEMO_TESTING = "1-01SK", "1-03HY", "1-04Z2"

datasets_store = store(group="datasets")

datasets_store([], name="default_dataset")
datasets_store(
    with_description(
        [DatasetSpecConfig(rid=DEMO_TRAINING, version="1.0.0"),
         DatasetSpecConfig(rid=DEMO_TESTING, version="1.0.0")],
        "The demo digits split: 80% training, 20% testing images.",
    ),
    name="digits_split",
)
datasets_store(
    with_description([DatasetSpecConfig(rid=DEMO_TESTING, version="1.0.0")],
                     "The demo testing digits."),
    name="digits_testing",
)
datasets_store(
    with_description([DatasetSpecConfig(rid=DEMO_COMPLETE, version="1.0.0")],
                     "All 1797 demo digits."),
    name="digits_complete",
)
