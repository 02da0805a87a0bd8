"""The Gradio app: chat with sources, the document library and the briefing generator.

Thin: every action calls the same `Assistant`, `Library` and briefing code as the CLI, and
is also a named API endpoint (`/ask`, `/list_documents`, `/upload`, `/replace_document`,
`/remove_document`, `/brief`, `/set_user`), tested through gradio_client. One module per tab.
"""

from assistant.surfaces.ui.app import build_ui
from assistant.surfaces.ui.chat import respond
from assistant.surfaces.ui.server import launch

__all__ = ["build_ui", "launch", "respond"]
