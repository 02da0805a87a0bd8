"""The prompt templates (`*.md`), shipped as package data `assistant.prompt_files`; see assistant/prompts.py."""
