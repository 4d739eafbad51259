"""Runs the Python `token-bowl-agent` (token-bowl-chat-agent 1.0.0) with its
model URL pointed at STANDIN_LLM_URL instead of OpenRouter. Only that URL
changes: the package builds its model with `ChatOpenAI(...,
base_url="https://openrouter.ai/api/v1", ...)` inside `agent.py`; this wraps
that name in the module to replace the `base_url` argument, then runs the
package's own command line with the given arguments. No file of the package
is edited.

    STANDIN_LLM_URL=http://127.0.0.1:PORT/v1 python py_agent_standin.py run ...
"""

import os
import sys

import token_bowl_chat_agent.agent as agent_module

_chat_openai = agent_module.ChatOpenAI


def _standin_chat_openai(*args, **kwargs):
    kwargs["base_url"] = os.environ["STANDIN_LLM_URL"]
    return _chat_openai(*args, **kwargs)


agent_module.ChatOpenAI = _standin_chat_openai

from token_bowl_chat_agent.cli import main  # noqa: E402

sys.argv[0] = "token-bowl-agent"
sys.exit(main())
