"""OpenAI-compatible chat and embedding endpoints: the only module that imports LangChain.

Everything a remote model can do wrong (unreachable, slow, 401, 5xx, an empty reply) leaves this
module as a BackendError that names the endpoint and the model and says what to do, so callers
never see a library traceback and never mistake a failed call for a finished section.

Token counting is never called: tiktoken downloads its BPE files, which fails offline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
import openai
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableParallel, RunnablePassthrough
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import SecretStr

from .errors import BackendError, ConfigError
from .settings import Settings
from .types import ChatResult

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_HOST = "api.openai.com"
# Self-hosted servers (vLLM, Ollama, llama.cpp, often on an internal network) accept any key, but
# the client insists on one; a server that does want a key answers 401, which names the setting.
LOCAL_KEY_PLACEHOLDER = "not-needed"
PARTIAL_NOTE = "；已收到的部分回复不完整，须作废"
VERSIONED_PATH = re.compile(r"/v\d+$")

T = TypeVar("T")


def normalise_base_url(base_url: str | None) -> str:
    """http://host:port, …/v1 and …/v1/ all become …/v1; an existing /vN (e.g. /api/v3) is kept."""
    if not base_url or not base_url.strip():
        return OPENAI_BASE_URL
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"模型地址 base_url “{base_url}” 无效",
            hint="写成 http://主机:端口/v1，例如 http://127.0.0.1:8000/v1",
        )
    return url if VERSIONED_PATH.search(parts.path) else f"{url}/v1"


def _api_key(key: SecretStr | None, base_url: str, model: str, setting: str) -> str:
    """The key to send; only OpenAI's own endpoint is known to refuse requests without one."""
    if key is not None and key.get_secret_value():
        return key.get_secret_value()
    if urlsplit(base_url).hostname == OPENAI_HOST:
        raise ConfigError(
            f"使用{_where(model, base_url)}需要 API 密钥，但没有设置",
            hint=f"设置环境变量 OPENAI_API_KEY（或 {setting}），或用 --base-url 指向本地模型服务",
        )
    return LOCAL_KEY_PLACEHOLDER


def chat_model(settings: Settings, *, streaming: bool) -> ChatOpenAI:
    """A ChatOpenAI with every connection setting explicit, so no environment default leaks in."""
    base_url = normalise_base_url(settings.base_url)
    return ChatOpenAI(
        model=settings.model,
        base_url=base_url,
        api_key=SecretStr(
            _api_key(settings.api_key, base_url, settings.model, "ASSISTANT_API_KEY")
        ),
        temperature=settings.temperature,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        streaming=streaming,
    )


def run_chat(
    settings: Settings,
    system: str,
    user: str,
    *,
    on_token: Callable[[str], None] | None = None,
) -> ChatResult:
    """Send one system + user exchange and return the whole reply.

    With ``on_token`` the reply is streamed and each piece of text is passed on as it arrives;
    an error in ``on_token`` itself propagates unchanged (it is the caller's, not the backend's).
    A stream that breaks midway (an error, or the connection closing before the server's
    finish chunk) is a BackendError saying so: the pieces already passed on must be discarded.
    """
    base_url = normalise_base_url(settings.base_url)
    model = chat_model(settings, streaming=on_token is not None)
    # The parser turns the message into text; the passthrough keeps the message for finish info.
    chain = model | RunnableParallel(text=StrOutputParser(), message=RunnablePassthrough())
    messages: list[BaseMessage] = [SystemMessage(content=system), HumanMessage(content=user)]

    pieces: list[str] = []
    reply: BaseMessage | None = None
    if on_token is None:
        output = _translated(lambda: chain.invoke(messages), settings, base_url)
        pieces.append(output["text"])
        reply = output["message"]
    else:
        for step in _guarded_stream(chain.stream(messages), settings, base_url):
            if step.get("text"):
                pieces.append(step["text"])
                on_token(step["text"])
            chunk = step.get("message")
            if isinstance(chunk, AIMessageChunk):
                reply = chunk if reply is None else reply + chunk

    text = "".join(pieces)
    metadata = reply.response_metadata if reply is not None else {}
    finish_reason = metadata.get("finish_reason")
    if on_token is not None and text and not finish_reason:
        raise BackendError(
            f"{_where(settings.model, base_url)}的流式回复中途中断{PARTIAL_NOTE}",
            hint="重试；若经代理或网关访问，检查它是否切断了长连接",
        )
    if not text.strip():
        reason = f"（finish_reason={finish_reason}）" if finish_reason else ""
        raise BackendError(
            f"{_where(settings.model, base_url)}返回了空回复{reason}",
            hint="稍后重试；若一直为空，检查模型名称、服务端日志和上下文长度限制",
        )
    return ChatResult(
        text=text,
        model=metadata.get("model_name") or settings.model,
        finish_reason=finish_reason,
    )


class OpenAIEmbedder:
    """OpenAI-compatible embeddings with errors translated; the store wraps it for Chroma."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = settings.embedding_model
        self.base_url = normalise_base_url(settings.embedding_base_url or settings.base_url)
        key = settings.embedding_api_key or settings.api_key
        self._client = OpenAIEmbeddings(
            model=self.model,
            base_url=self.base_url,
            api_key=SecretStr(
                _api_key(key, self.base_url, self.model, "ASSISTANT_EMBEDDING_API_KEY")
            ),
            # Raw text instead of tiktoken ids: no BPE download, and what non-OpenAI servers expect.
            check_embedding_ctx_length=False,
            # Plain floats: some compatible servers cannot produce the SDK's default base64.
            model_kwargs={"encoding_format": "float"},
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = _translated(
            lambda: self._client.embed_documents(list(texts)),
            self.settings,
            self.base_url,
            model=self.model,
        )
        if len(vectors) != len(texts):
            raise BackendError(
                f"{_where(self.model, self.base_url)}为 {len(texts)} 段文字"
                f"返回了 {len(vectors)} 个向量",
                hint="检查该服务是否支持批量 embeddings 请求",
            )
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def openai_embeddings(settings: Settings) -> OpenAIEmbedder:
    return OpenAIEmbedder(settings)


def _translated(call: Callable[[], T], settings: Settings, base_url: str, model: str = "") -> T:
    try:
        return call()
    except (openai.OpenAIError, httpx.HTTPError) as exc:
        raise _backend_error(exc, base_url, model or settings.model, settings.timeout) from None


def _guarded_stream(stream: Iterator[T], settings: Settings, base_url: str) -> Iterator[T]:
    """Translate errors raised while pulling the next chunk, and only those."""
    received = False
    while True:
        try:
            step = next(stream)
        except StopIteration:
            return
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            error = _backend_error(exc, base_url, settings.model, settings.timeout)
            if received:
                error = BackendError(error.message + PARTIAL_NOTE, hint=error.hint)
            raise error from None
        received = True
        yield step


def _where(model: str, base_url: str) -> str:
    return f"模型 {model}（{base_url}）"


def _backend_error(exc: Exception, base_url: str, model: str, timeout: float) -> BackendError:
    where = _where(model, base_url)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return BackendError(
            f"{where} 在 {timeout:g} 秒内没有响应",
            hint="调大 ASSISTANT_TIMEOUT，或检查服务是否过载",
        )
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return BackendError(
            f"无法连接{where}",
            hint="确认模型服务已启动、地址和端口正确（--base-url / OPENAI_BASE_URL）",
        )
    if isinstance(exc, openai.APIStatusError):
        detail = _server_message(exc)
        status = exc.status_code
        if status == 401:
            hint = "检查 API 密钥（OPENAI_API_KEY 或 ASSISTANT_API_KEY）是否正确、是否过期"
        elif status == 403:
            hint = "该密钥无权使用这个模型，检查账户权限"
        elif status == 404:
            hint = "检查模型名称（--model / OPENAI_MODEL）和地址（应以 /v1 结尾）"
        elif status == 429:
            hint = "请求过多或额度用尽，稍后重试或检查账户额度"
        elif status >= 500:
            hint = "模型服务内部出错，稍后重试或查看服务端日志"
        else:
            hint = "请求被拒绝，检查模型名称和输入长度"
        return BackendError(f"{where} 返回 HTTP {status}: {detail}", hint=hint)
    return BackendError(
        f"{where} 调用失败: {type(exc).__name__}: {exc}",
        hint="检查模型服务是否为 OpenAI 兼容接口",
    )


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if isinstance(inner, str):
            return inner[:300]
    return str(exc.message)[:300]
