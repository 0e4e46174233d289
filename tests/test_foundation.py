"""The frame every command stands on: settings precedence, secrets, CLI errors, the guard."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import ConfigError, InputError, __version__, load_settings
from tests.conftest import NetworkBlocked


def test_settings_defaults_and_env(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    settings = load_settings()
    assert settings.data_dir == isolated / "data"
    assert settings.store_dir == isolated / "data" / "vectorstore"
    assert settings.writer == "template"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings()
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-test"
    assert settings.base_url == "http://127.0.0.1:9/v1"


def test_cli_flag_beats_env_and_toml(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    Path("assistant.toml").write_text('writer = "openai"\nmodel = "qwen-plus"\n', encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_MODEL", "deepseek-chat")
    settings = load_settings()
    assert settings.writer == "openai"  # from toml
    assert settings.model == "deepseek-chat"  # env beats toml
    assert load_settings(model="local").model == "local"  # explicit beats env


@pytest.mark.parametrize("secret", ["api_key", "embedding_api_key", "web_token"])
def test_secret_in_toml_is_refused(isolated: Path, secret: str) -> None:
    Path("assistant.toml").write_text(f'{secret} = "sk-leak"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="密钥"):
        load_settings()


def test_bad_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="配置无效"):
        load_settings(writer="gpt")


def test_input_error_names_file_row_column() -> None:
    error = InputError("不是数字", path="figures.csv", row=7, column="数值", hint="填写数字")
    assert str(error) == "figures.csv, 第7行, 列“数值”: 不是数字\n  → 填写数字"


def test_cli_version_and_clean_error(isolated: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "--version"], capture_output=True, text=True
    )
    assert run.returncode == 0 and __version__ in run.stdout
    Path("assistant.toml").write_text('api_key = "x"\n', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "--version"], capture_output=True, text=True
    )
    assert run.returncode == 0  # --version needs no settings
    bad = subprocess.run(
        [sys.executable, "-m", "assistant", "nonexistent-command"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def _main_exits(monkeypatch: pytest.MonkeyPatch, app) -> int:
    from assistant import cli

    monkeypatch.setattr(cli, "app", app)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    return exited.value.code


def test_ctrl_c_says_so(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """typer turns Ctrl-C into a silent exit 130: the user saw nothing at all."""
    assert _main_exits(monkeypatch, lambda: sys.exit(130)) == 130
    assert "已中止" in capsys.readouterr().err


def test_an_unforeseen_file_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def app() -> None:
        raise OSError(28, "No space left on device", "out/草稿.docx")

    assert _main_exits(monkeypatch, app) == 2
    err = capsys.readouterr().err
    assert "out/草稿.docx" in err and "文件读写失败" in err and "Traceback" not in err


def test_network_guard_blocks_non_loopback() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(("93.184.216.34", 80))
    with socket.socket() as sock:  # loopback is allowed (refused here, but attempted)
        assert sock.connect_ex(("127.0.0.1", 9)) != 0
