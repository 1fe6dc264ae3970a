"""AnimeReward: one scorer per dimension (smoothness, motion, appeal, text_video, image_video, character)
behind one ``AnimeReward.score(videos, prompts, initial_images, character_refs=None)``.

Pure PyTorch + transformers/peft/accelerate + OpenCV; this package never imports Django. Entry points:
``python -m training.reward train|eval|score`` (exact commands in ``__main__.py``), ``RewardTrainer``
(train.py), ``evaluate_scores`` (evaluate.py), the pure losses in ``losses/`` and the zero-training OpenCV
baseline in ``handcrafted.py``.
"""

from .config import DIMENSIONS, RewardConfig
from .losses import bt_gap_loss, bt_loss, bt_margin_loss, bt_ties_loss, regression_loss
from .scoring import AnimeReward

__all__ = ["AnimeReward", "DIMENSIONS", "RewardConfig", "bt_gap_loss", "bt_loss", "bt_margin_loss", "bt_ties_loss",
           "regression_loss"]
