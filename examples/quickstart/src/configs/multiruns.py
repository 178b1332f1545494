"""Named sweeps."""

from derivaml.execution import multirun_config

multirun_config(
    "lr_sweep",
    overrides=[
        "+experiment=quick_training",
        "model_config.learning_rate=0.01,0.1,1.0",
    ],
    description="""## Learning rate sweep

Inverse regularization strength for the quick digits classifier.

| Learning rate | Expected |
|---|---|
| 0.01 | Underfits |
| 0.1 | Baseline |
| 1.0 | Best |
""",
)
