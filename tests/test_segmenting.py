"""jieba loaded once per process for both its users (BM25 tokens, the names tagger), and
imported without setuptools' pkg_resources: ingest's fixed cost (bench_scale, bench/README)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant import names
from assistant.retrieve import _segmenter, tokenize
from assistant.segmenting import load_jieba, load_posseg


def test_one_default_dictionary_serves_the_tokenizer_and_the_tagger() -> None:
    assert tokenize("全区优良天数比例同比上升")
    assert names.find_names("对青石河开展整治，柳塘镇完成任务。")
    default = load_jieba().dt
    assert load_posseg().dt.tokenizer is default  # the tagger's dictionary is the default one
    segmenter = _segmenter()
    assert segmenter is not default and segmenter.FREQ is not default.FREQ
    assert default.FREQ.keys() <= segmenter.FREQ.keys()  # a copy, with the pack's words added
    assert "优良天数比例" in segmenter.FREQ and "优良天数比例" not in default.FREQ


@pytest.mark.slow  # a fresh interpreter loads jieba's dictionary
def test_segmenting_does_not_import_pkg_resources() -> None:
    code = (
        "import sys\n"
        "from assistant.retrieve import tokenize\n"
        "from assistant import names\n"
        "tokenize('PM2.5平均浓度同比下降')\n"
        "names.named('对青石河开展整治。')\n"
        "print('pkg_resources' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr
