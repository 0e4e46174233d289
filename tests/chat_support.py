"""Shared set-up for the chat, web and browser tests: a data folder with the sample corpus
ingested (hash embeddings, offline) and the sample figures offered for picking."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.ingest import ingest
from assistant.settings import Settings, load_settings

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "corpus" / "sample"
FIGURES = SAMPLE_DIR / "figures-2025H1.csv"
UNIT = "示例区生态环境局"


def ingested_settings(root: Path, **overrides: object) -> Settings:
    settings = load_settings(data_dir=root / "data", embedding="hash", **overrides)
    ingest([SAMPLE_DIR], settings)
    offered = Path(settings.data_dir) / "figures"
    offered.mkdir(parents=True, exist_ok=True)
    for name in ("figures-2025H1.csv", "figures-2025Q3.yaml"):
        shutil.copyfile(SAMPLE_DIR / name, offered / name)
    return settings
