"""Drafting from another bureau's old summary: only the target bureau and its era speak, and
every sentence leaves whole (real-style material written for this test)."""

from pathlib import Path

import pytest

from assistant import era, gate, names
from assistant.draft import DraftRequest, compose, markdown
from assistant.ingest import ingest
from assistant.reading import read_document
from assistant.settings import load_settings

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"
UNIT = "示例区生态环境局"

# Another city's old half-year summary: its names, its level, its era, PDF spacing, a cut clause.
FOREIGN = """江阴市环保局2005年上半年环境保护工作总结

半年来,我市的环境保护工作在市委、市政府和上级环保部门的正确领导下,牢固树立和落实科学发展观,以“建设生态城市,服务江阴人民”为宗旨,较好地完成了各项工作任务。

一、强化执法监管,环境质量稳中向好

、开展重点区域环境整治。我局对青石河沿岸排污企业逐个进行执法检查,对宏达玻璃、华兴建材等企业开展专项整治,共出动执法人员人次。上半年,全市PM2.5平均浓度为 41微克/立方米,优良天数比例75.2%。进一步厘清执法权 责边界,严厉打击环境违法行为。

二、存在的问题

总之,也是部分企业守法意识淡薄,环境执法力量不足。

三、下半年工作打算

以《行政许可法》的实施为契机,全面建设效能型机关,力争年建成无锡市文明单位,为我市经济社会发展营造良好环境。继续开展环保专项整治行动,遏制污染反弹。
"""


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> str:
    work = tmp_path_factory.mktemp("real")
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "江阴-2005-上半年.txt").write_text(FOREIGN, "utf-8")
    settings = load_settings(data_dir=work / "data", embedding="hash")
    ingest([corpus, SAMPLE], settings)
    result = compose(DraftRequest(SAMPLE / "figures-2025H1.csv", UNIT, "2025年上半年"), settings)
    assert result.report.ok
    return markdown(result.draft)


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line and not line.startswith("#"))


def test_no_other_bureaus_names(drafted: str) -> None:
    """The sample corpus is the target's own archive: its names (龙潭水库) may stay."""
    own = [
        name
        for path in SAMPLE.iterdir()
        if path.suffix in (".txt", ".md", ".docx")
        for block in read_document(path).blocks
        for name in names.find_names(block.text)
    ]
    assert names.foreign_names(_body(drafted), names.Voice.of(UNIT, own)) == []
    assert "我市" not in drafted and "江阴" not in drafted


def test_no_wording_out_of_its_era(drafted: str) -> None:
    assert era.stale(_body(drafted), 2025) == []


def test_every_sentence_is_whole(drafted: str) -> None:
    assert gate.problems(_body(drafted)) == []
