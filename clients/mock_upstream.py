#!/usr/bin/env python3
"""A scripted upstream that speaks the four wire formats Aether forwards to.

    python3 clients/mock_upstream.py --port 9100 --log /tmp/mock.jsonl

It answers at the providers' own paths (`/v1/messages`, `/v1/chat/completions`, `/v1/responses`,
`/v1beta/models/{model}:generateContent|streamGenerateContent`), streaming (SSE) or not, in the
shapes of `aether-core/tests/fixtures/<format>/`. Each conversation follows one script:

1. no tool result in the request yet, and the client offers its shell tool (Claude Code `Bash`,
   Codex `exec_command` or `shell`, Gemini CLI `run_shell_command`): answer with ONE call of it
   running `echo aether-tool-ok`, preceded by the provider's opaque reasoning artefact (a signed
   `thinking` block, an encrypted `reasoning` item, a `thoughtSignature`);
2. the request carries the tool result: answer with text quoting it ("tool said: aether-tool-ok");
3. a request for JSON output (Gemini CLI's router, Claude Code's title): answer with JSON that fits
   the schema.

Like the real APIs it refuses what they refuse (a foreign or missing reasoning artefact, a tool
result without its call, a `system` role in Anthropic messages without the beta), so a translation
slip shows up as a 400 rather than passing silently. Every request is appended to the log as one
JSON line (path, headers without secrets, body, and what the mock made of it).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import secrets
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMMAND = "echo aether-tool-ok"

# The shell tool of each CLI, and the arguments that make it run COMMAND.
SHELL_TOOLS: dict[str, dict[str, Any]] = {
    "Bash": {"command": COMMAND, "description": "Print the Aether marker"},  # Claude Code
    "exec_command": {"cmd": COMMAND},  # Codex CLI
    "shell": {"command": ["bash", "-lc", COMMAND]},  # older Codex CLI
    "run_shell_command": {"command": COMMAND, "description": "Print the Aether marker"},  # Gemini CLI
}

SECRET_HEADERS = {"authorization", "x-api-key", "x-goog-api-key", "cookie", "proxy-authorization"}
SKIP_SIGNATURE = "skip_thought_signature_validator"  # Gemini's documented bypass value


class Refusal(Exception):
    """A request the real upstream would refuse with 400."""


@dataclass
class Turn:
    """What the mock reads from a request, whatever its format."""

    format: str
    model: str
    stream: bool
    tools: list[str] = field(default_factory=list)
    tool_output: str | None = None
    json_schema: dict[str, Any] | None = None
    wants_encrypted_reasoning: bool = False
    thinking: bool = False


class Issued:
    """The reasoning artefacts this mock handed out: only those may come back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()

    def new(self, prefix: str = "") -> str:
        value = prefix + base64.b64encode(secrets.token_bytes(48)).decode()
        with self._lock:
            self._values.add(value)
        return value

    def __contains__(self, value: object) -> bool:
        with self._lock:
            return value in self._values


ISSUED = Issued()


def text_of(content: Any) -> str:
    """The text of a tool result in any format: a string, a list of text parts, or an object."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(text_of(part) for part in content)
    if isinstance(content, dict):
        if isinstance(content.get("text"), str):
            return content["text"]
        if "output" in content:
            return text_of(content["output"])
        if "content" in content:
            return text_of(content["content"])
        return json.dumps(content)
    return "" if content is None else json.dumps(content)


# --- reading requests -----------------------------------------------------------------------------


def read_anthropic(body: dict[str, Any], headers: dict[str, str]) -> Turn:
    turn = Turn("anthropic", body.get("model", ""), bool(body.get("stream")))
    turn.tools = [t.get("name", "") for t in body.get("tools") or []]
    betas = headers.get("anthropic-beta", "")
    tool_uses: set[str] = set()
    messages = body.get("messages") or []
    for i, message in enumerate(messages):
        role = message.get("role")
        if role not in ("user", "assistant") and not (role == "system" and "mid-conversation-system" in betas):
            raise Refusal(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        blocks = message.get("content")
        for block in blocks if isinstance(blocks, list) else []:
            kind = block.get("type")
            if kind == "thinking" and block.get("signature") not in ISSUED:
                raise Refusal(f"messages.{i}.content: Invalid `signature` in `thinking` block")
            if kind == "tool_use":
                tool_uses.add(block.get("id"))
            if kind == "tool_result":
                if block.get("tool_use_id") not in tool_uses:
                    raise Refusal(f"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks")
                turn.tool_output = text_of(block.get("content"))
    # With thinking on, an assistant turn that calls a tool must open with its thinking block.
    thinking = turn.thinking = (body.get("thinking") or {}).get("type") in ("enabled", "adaptive")
    assistants = [(i, m) for i, m in enumerate(messages) if m.get("role") == "assistant"]
    if thinking and assistants:
        i, last = assistants[-1]
        blocks = last.get("content") if isinstance(last.get("content"), list) else []
        if any(b.get("type") == "tool_use" for b in blocks) and blocks[0].get("type") not in (
            "thinking",
            "redacted_thinking",
        ):
            raise Refusal(
                f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
                f"`{blocks[0].get('type')}`. When `thinking` is enabled, a final `assistant` message must start "
                "with a thinking block"
            )
    fmt = (body.get("output_config") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        turn.json_schema = fmt.get("schema") or {}
    return turn


def read_chat(body: dict[str, Any], _headers: dict[str, str]) -> Turn:
    turn = Turn("openai_chat", body.get("model", ""), bool(body.get("stream")))
    turn.tools = [(t.get("function") or {}).get("name", "") for t in body.get("tools") or []]
    calls: set[str] = set()
    for i, message in enumerate(body.get("messages") or []):
        role = message.get("role")
        if role not in ("system", "developer", "user", "assistant", "tool"):
            raise Refusal(f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', ...")
        for call in message.get("tool_calls") or []:
            calls.add(call.get("id"))
        if role == "tool":
            if message.get("tool_call_id") not in calls:
                raise Refusal(
                    f"Invalid parameter: messages[{i}] with role 'tool' must be a response to a preceeding "
                    "message with 'tool_calls'."
                )
            turn.tool_output = text_of(message.get("content"))
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        turn.json_schema = (fmt.get("json_schema") or {}).get("schema") or {}
    elif fmt.get("type") == "json_object":
        turn.json_schema = {}
    return turn


def read_responses(body: dict[str, Any], _headers: dict[str, str]) -> Turn:
    turn = Turn("openai_responses", body.get("model", ""), bool(body.get("stream")))
    for tool in body.get("tools") or []:
        turn.tools += [t.get("name", "") for t in tool.get("tools") or []] if tool.get("type") == "namespace" else []
        turn.tools += [tool.get("name", "")] if tool.get("type") == "function" else []
    turn.wants_encrypted_reasoning = "reasoning.encrypted_content" in (body.get("include") or [])
    calls: set[str] = set()
    items = body.get("input")
    for item in items if isinstance(items, list) else []:
        kind = item.get("type")
        if kind == "reasoning":
            # Without storage the encrypted content is the only copy; a foreign one fails to decrypt.
            if item.get("encrypted_content") is None and body.get("store") is False:
                raise Refusal(f"Item with id '{item.get('id')}' not found. Items are not persisted when `store` "
                              "is set to false.")
            if item.get("encrypted_content") is not None and item.get("encrypted_content") not in ISSUED:
                raise Refusal(f"The encrypted content for item {item.get('id')} could not be verified.")
        if kind == "function_call":
            calls.add(item.get("call_id"))
        if kind == "function_call_output":
            if item.get("call_id") not in calls:
                raise Refusal(f"No tool call found for function call output with call_id {item.get('call_id')}.")
            turn.tool_output = text_of(item.get("output"))
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        turn.json_schema = fmt.get("schema") or {}
    elif fmt.get("type") == "json_object":
        turn.json_schema = {}
    return turn


def read_gemini(body: dict[str, Any], model: str, stream: bool) -> Turn:
    turn = Turn("gemini", model, stream)
    for tool in body.get("tools") or []:
        turn.tools += [d.get("name", "") for d in tool.get("functionDeclarations") or []]
    for i, content in enumerate(body.get("contents") or []):
        calls = [p for p in content.get("parts") or [] if "functionCall" in p]
        # Gemini 3 refuses a model turn whose first function call lost its signature.
        if content.get("role") == "model" and calls:
            signature = calls[0].get("thoughtSignature")
            if signature != SKIP_SIGNATURE and signature not in ISSUED:
                raise Refusal(
                    f"Function call is missing a thought_signature in functionCall parts (contents[{i}]); "
                    "foreign or missing signatures are refused."
                )
        for part in content.get("parts") or []:
            if "functionResponse" in part:
                turn.tool_output = text_of((part["functionResponse"] or {}).get("response"))
    config = body.get("generationConfig") or {}
    if config.get("responseMimeType") == "application/json":
        turn.json_schema = config.get("responseJsonSchema") or config.get("responseSchema") or {}
    return turn


# --- the script -----------------------------------------------------------------------------------


def sample(schema: dict[str, Any]) -> Any:
    """A small value that fits a JSON schema (OpenAPI upper-case types too)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "string")
    kind = str(kind).lower()
    if kind == "object":
        return {name: sample(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return "aether mock"


@dataclass
class Reply:
    """What to answer: optional reasoning, then text or one tool call."""

    text: str | None = None
    tool: str | None = None
    arguments: dict[str, Any] | None = None
    reasoning: bool = False
    call_id: str = field(default_factory=lambda: "call_" + secrets.token_hex(8))

    def summary(self) -> str:
        return f"tool_call {self.tool}" if self.tool else f"text {self.text!r}"


def script(turn: Turn) -> Reply:
    if turn.tool_output is not None:
        output = " ".join(turn.tool_output.split())
        quoted = "aether-tool-ok" if "aether-tool-ok" in output else output[:300]
        return Reply(text=f"tool said: {quoted}")
    if turn.json_schema is not None:
        return Reply(text=json.dumps(sample(turn.json_schema)))
    shell = next((name for name in SHELL_TOOLS if name in turn.tools), None)
    if shell:
        return Reply(tool=shell, arguments=SHELL_TOOLS[shell], reasoning=True)
    return Reply(text="Hello from the Aether mock upstream (no shell tool was offered).")


# --- writing answers ------------------------------------------------------------------------------


def usage_numbers(raw_body: bytes) -> tuple[int, int]:
    return max(1, len(raw_body) // 4), 24


def sse(event: str | None, data: dict[str, Any]) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n".encode()


def anthropic_answer(turn: Turn, reply: Reply, tokens: tuple[int, int]) -> tuple[dict[str, Any], list[bytes]]:
    blocks: list[dict[str, Any]] = []
    if reply.reasoning and turn.thinking:  # Claude thinks only when asked to
        blocks.append({"type": "thinking", "thinking": "The user wants the shell tool run.", "signature": ISSUED.new()})
    if reply.tool:
        blocks.append({"type": "tool_use", "id": "toolu_" + secrets.token_hex(12), "name": reply.tool,
                       "input": reply.arguments})
    else:
        blocks.append({"type": "text", "text": reply.text})
    usage = {"input_tokens": tokens[0], "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
             "output_tokens": tokens[1], "service_tier": "standard"}
    stop = "tool_use" if reply.tool else "end_turn"
    message = {"id": "msg_" + secrets.token_hex(12), "type": "message", "role": "assistant", "model": turn.model,
               "content": blocks, "stop_reason": stop, "stop_sequence": None, "usage": usage}
    events = [sse("message_start", {"type": "message_start", "message": {
        **message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}}),
        sse("ping", {"type": "ping"})]
    for index, block in enumerate(blocks):
        empty = {"thinking": {"type": "thinking", "thinking": "", "signature": ""},
                 "tool_use": {**block, "input": {}}, "text": {"type": "text", "text": ""}}[block["type"]]
        events.append(sse("content_block_start", {"type": "content_block_start", "index": index,
                                                  "content_block": empty}))
        deltas = {"thinking": [{"type": "thinking_delta", "thinking": block.get("thinking")},
                               {"type": "signature_delta", "signature": block.get("signature")}],
                  "tool_use": [{"type": "input_json_delta", "partial_json": ""},
                               {"type": "input_json_delta", "partial_json": json.dumps(block.get("input"))}],
                  "text": [{"type": "text_delta", "text": block.get("text")}]}[block["type"]]
        for delta in deltas:
            events.append(sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        events.append(sse("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                        "usage": usage}))
    events.append(sse("message_stop", {"type": "message_stop"}))
    return message, events


def chat_answer(turn: Turn, reply: Reply, tokens: tuple[int, int], include_usage: bool
                ) -> tuple[dict[str, Any], list[bytes]]:
    base = {"id": "chatcmpl-" + secrets.token_hex(12), "created": int(time.time()), "model": turn.model,
            "system_fingerprint": "fp_aether_mock", "service_tier": "default"}
    usage = {"prompt_tokens": tokens[0], "completion_tokens": tokens[1], "total_tokens": sum(tokens),
             "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0}}
    call = {"id": reply.call_id, "type": "function",
            "function": {"name": reply.tool, "arguments": json.dumps(reply.arguments)}}
    message = {"role": "assistant", "content": reply.text, "refusal": None, "annotations": []}
    if reply.tool:
        message["tool_calls"] = [call]
    finish = "tool_calls" if reply.tool else "stop"
    whole = {**base, "object": "chat.completion", "usage": usage,
             "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}]}

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        return sse(None, {**base, "object": "chat.completion.chunk", "usage": None, "choices": [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]})

    events = [chunk({"role": "assistant", "content": "" if reply.text else None, "refusal": None})]
    if reply.tool:
        events.append(chunk({"tool_calls": [{"index": 0, **call, "function": {"name": reply.tool, "arguments": ""}}]}))
        events.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": json.dumps(reply.arguments)}}]}))
    else:
        events.append(chunk({"content": reply.text}))
    events.append(chunk({}, finish))
    if include_usage:
        events.append(sse(None, {**base, "object": "chat.completion.chunk", "choices": [], "usage": usage}))
    events.append(b"data: [DONE]\n\n")
    return whole, events


def responses_answer(turn: Turn, reply: Reply, tokens: tuple[int, int]) -> tuple[dict[str, Any], list[bytes]]:
    items: list[dict[str, Any]] = []
    if reply.reasoning:
        reasoning: dict[str, Any] = {"id": "rs_" + secrets.token_hex(12), "type": "reasoning",
                                     "summary": [{"type": "summary_text", "text": "**Running the shell tool**"}]}
        if turn.wants_encrypted_reasoning:
            reasoning["encrypted_content"] = ISSUED.new("gAAAAAB")
        items.append(reasoning)
    if reply.tool:
        items.append({"id": "fc_" + secrets.token_hex(12), "type": "function_call", "status": "completed",
                      "arguments": json.dumps(reply.arguments), "call_id": reply.call_id, "name": reply.tool})
    else:
        items.append({"id": "msg_" + secrets.token_hex(12), "type": "message", "status": "completed",
                      "role": "assistant",
                      "content": [{"type": "output_text", "text": reply.text, "annotations": [], "logprobs": []}]})
    usage = {"input_tokens": tokens[0], "input_tokens_details": {"cached_tokens": 0}, "output_tokens": tokens[1],
             "output_tokens_details": {"reasoning_tokens": 8 if reply.reasoning else 0}, "total_tokens": sum(tokens)}
    response = {"id": "resp_" + secrets.token_hex(16), "object": "response", "created_at": int(time.time()),
                "status": "completed", "error": None, "incomplete_details": None, "model": turn.model,
                "output": items, "parallel_tool_calls": True, "store": False, "tool_choice": "auto",
                "usage": usage}
    seq = iter(range(1_000_000))

    def event(kind: str, **data: Any) -> bytes:
        return sse(kind, {"type": kind, "sequence_number": next(seq), **data})

    started = {**response, "status": "in_progress", "output": [], "usage": None}
    events = [event("response.created", response=started), event("response.in_progress", response=started)]
    for index, item in enumerate(items):
        ref = {"item_id": item["id"], "output_index": index}
        if item["type"] == "reasoning":
            events.append(event("response.output_item.added", output_index=index, item={**item, "summary": []}))
        elif item["type"] == "function_call":
            events.append(event("response.output_item.added", output_index=index,
                                item={**item, "status": "in_progress", "arguments": ""}))
            events.append(event("response.function_call_arguments.delta", **ref, delta=item["arguments"]))
            events.append(event("response.function_call_arguments.done", **ref, arguments=item["arguments"]))
        else:
            part = {"type": "output_text", "text": "", "annotations": []}
            events.append(event("response.output_item.added", output_index=index,
                                item={**item, "status": "in_progress", "content": []}))
            events.append(event("response.content_part.added", **ref, content_index=0, part=part))
            events.append(event("response.output_text.delta", **ref, content_index=0, delta=reply.text, logprobs=[]))
            events.append(event("response.output_text.done", **ref, content_index=0, text=reply.text, logprobs=[]))
            events.append(event("response.content_part.done", **ref, content_index=0,
                                part={**part, "text": reply.text}))
        events.append(event("response.output_item.done", output_index=index, item=item))
    events.append(event("response.completed", response=response))
    return response, events


def gemini_answer(turn: Turn, reply: Reply, tokens: tuple[int, int]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if reply.tool:
        part: dict[str, Any] = {"functionCall": {"name": reply.tool, "args": reply.arguments}}
        if reply.reasoning:
            part["thoughtSignature"] = ISSUED.new()
    else:
        part = {"text": reply.text}
    usage = {"promptTokenCount": tokens[0], "candidatesTokenCount": tokens[1], "totalTokenCount": sum(tokens),
             "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens[0]}]}
    whole = {"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": usage, "modelVersion": turn.model, "responseId": secrets.token_urlsafe(16)}
    return whole, [whole]


def error_body(fmt: str, message: str) -> dict[str, Any]:
    if fmt == "anthropic":
        return {"type": "error", "error": {"type": "invalid_request_error", "message": message},
                "request_id": "req_" + secrets.token_hex(12)}
    if fmt == "gemini":
        return {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}


# --- HTTP -----------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_path: str = ""
    log_lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the JSON log says it all

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.send_json(200, {"ok": True})

    def do_POST(self) -> None:  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        raw = decompress(raw, self.headers.get("content-encoding", ""))
        headers = {k.lower(): v for k, v in self.headers.items()}
        path, _, query = self.path.partition("?")
        entry: dict[str, Any] = {"time": time.time(), "path": self.path,
                                 "headers": {k: ("***" if k in SECRET_HEADERS else v) for k, v in headers.items()}}
        try:
            body = json.loads(raw or b"{}")
            entry["body"] = body
            turn = self.read(path, query, body, headers)
        except (Refusal, ValueError) as refusal:
            fmt = format_of(path)
            entry["refused"] = str(refusal)
            self.write_log(entry)
            self.send_json(400, error_body(fmt, str(refusal)))
            return
        reply = script(turn)
        entry["turn"] = {"format": turn.format, "model": turn.model, "stream": turn.stream, "tools": turn.tools,
                         "tool_output": turn.tool_output, "json": turn.json_schema is not None,
                         "reply": reply.summary()}
        self.write_log(entry)
        tokens = usage_numbers(raw)
        if turn.format == "anthropic":
            whole, events = anthropic_answer(turn, reply, tokens)
        elif turn.format == "openai_chat":
            include = bool((body.get("stream_options") or {}).get("include_usage"))
            whole, events = chat_answer(turn, reply, tokens, include)
        elif turn.format == "openai_responses":
            whole, events = responses_answer(turn, reply, tokens)
        else:
            whole, chunks = gemini_answer(turn, reply, tokens)
            if turn.stream and "alt=sse" not in query:  # the JSON-array stream
                self.send_json(200, chunks)
                return
            events = [sse(None, chunk) for chunk in chunks]
        if turn.stream:
            self.send_stream(events)
        else:
            self.send_json(200, whole)

    def read(self, path: str, query: str, body: dict[str, Any], headers: dict[str, str]) -> Turn:
        if path == "/v1/messages":
            return read_anthropic(body, headers)
        if path == "/v1/chat/completions":
            return read_chat(body, headers)
        if path == "/v1/responses":
            return read_responses(body, headers)
        if path.startswith("/v1beta/models/") and ":" in path:
            model, _, method = path.removeprefix("/v1beta/models/").partition(":")
            return read_gemini(body, model, method == "streamGenerateContent")
        raise Refusal(f"no such path: {path}")

    def write_log(self, entry: dict[str, Any]) -> None:
        with self.log_lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def send_json(self, status: int, value: Any) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_stream(self, events: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for event in events:  # one HTTP chunk per event, as the providers flush them
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


def format_of(path: str) -> str:
    return {"/v1/messages": "anthropic", "/v1/chat/completions": "openai_chat",
            "/v1/responses": "openai_responses"}.get(path, "gemini")


def decompress(raw: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--log", default="mock_upstream.jsonl", help="JSON lines, one per request")
    args = parser.parse_args()
    Handler.log_path = args.log
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"mock upstream on http://{args.host}:{args.port}, log {args.log}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
