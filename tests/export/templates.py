"""Chat templates for the tests: the embedded model's own (from its GGUF file), and a second
one written here in another style (Llama 3 headers, `parameters` objects, `{% generation %}`)."""

from __future__ import annotations

from pathlib import Path

SECOND_TEMPLATE = """{{- bos_token }}
{%- if tools %}
{{- '<|start_header_id|>system<|end_header_id|>\\n\\nTools:\\n' }}
{%- for tool in tools %}{{ tool.function.name }}: {{ tool.function.parameters | tojson(sort_keys=True) }}
{% endfor %}
{{- '<|eot_id|>' }}
{%- endif %}
{%- for message in messages %}
{%- if message.role not in ['system', 'user', 'assistant', 'tool'] %}{{ raise_exception('unknown role ' + message.role) }}{% endif %}
{%- if message.role == 'assistant' %}
{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- generation %}
{%- if message.tool_calls %}
{%- for call in message.tool_calls %}{"name": "{{ call.function.name }}", "parameters": {{ call.function.arguments | tojson }}}{% if not loop.last %}; {% endif %}{% endfor %}
{%- else %}{{ message.content }}{% endif %}
{{- '<|eot_id|>' }}
{%- endgeneration %}
{%- elif message.role == 'tool' %}
{{- '<|start_header_id|>ipython<|end_header_id|>\\n\\n' + message.content + '<|eot_id|>' }}
{%- else %}
{{- '<|start_header_id|>' + message.role + '<|end_header_id|>\\n\\n' + message.content + '<|eot_id|>' }}
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"""


def write_second_template(folder: Path) -> Path:
    """A tokenizer_config.json as transformers saves it (tokens as AddedToken dicts)."""
    import json

    path = folder / "tokenizer_config.json"
    path.write_text(
        json.dumps(
            {
                "chat_template": SECOND_TEMPLATE,
                "bos_token": {"content": "<|begin_of_text|>", "special": True},
                "eos_token": "<|eot_id|>",
            }
        )
    )
    return path


def embedded_model_gguf() -> Path:
    """The small embedded model's GGUF file (installed by the dev extras, joined once)."""
    from tracefabric.llm.providers.local.weights import ensure_weights

    return ensure_weights("qwen2.5-coder-0.5b")
