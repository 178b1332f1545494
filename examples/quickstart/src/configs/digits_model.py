"""Model hyperparameters (``model_config`` group)."""

from hydra_zen import builds, store
from models.digits import train_digits

model_store = store(group="model_config")

DigitsModel = builds(train_digits, learning_rate=1.0, epochs=200,
                     populate_full_signature=True, zen_partial=True)

model_store(DigitsModel, name="default_model")
model_store(DigitsModel, name="quick", epochs=50, learning_rate=0.1)
model_store(DigitsModel, name="long_training", epochs=1000, learning_rate=10.0)
