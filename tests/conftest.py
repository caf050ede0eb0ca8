import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

settings.register_profile("yarn", deadline=None, max_examples=200)
settings.load_profile("yarn")
